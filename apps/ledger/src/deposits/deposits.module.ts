import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { DepositsService } from './deposits.service';

/** Deposits seen, credited and reversed (the chain indexer's side of the books). */
@Module({ imports: [BooksModule], providers: [DepositsService], exports: [DepositsService] })
export class DepositsModule {}
