import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { HoldsService } from './holds.service';

/** Two-phase transfers on the API, and the sweeper that expires them at their deadline. */
@Module({ imports: [BooksModule], providers: [HoldsService], exports: [HoldsService] })
export class HoldsModule {}
