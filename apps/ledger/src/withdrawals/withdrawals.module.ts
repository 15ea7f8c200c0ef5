import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { WithdrawalsService } from './withdrawals.service';

/** The withdrawal lifecycle and its holds. */
@Module({ imports: [BooksModule], providers: [WithdrawalsService], exports: [WithdrawalsService] })
export class WithdrawalsModule {}
