import { Module } from '@nestjs/common';
import { EvaluationModule } from '../evaluation/evaluation.module';
import { AddressBookService } from './address-book.service';

/** The address book; its changes go through evaluation (operation address-book-change). */
@Module({
  imports: [EvaluationModule],
  providers: [AddressBookService],
  exports: [AddressBookService],
})
export class AddressBookModule {}
