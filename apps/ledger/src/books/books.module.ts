import { Module } from '@nestjs/common';
import { BooksRepository } from './books.repository';
import { BooksService } from './books.service';
import { IdempotentWriter } from './idempotent-writer';
import { TransferCombiner } from './transfer-combiner';

/** The books: the one place that commits changes (locks, checks, numbers, writes), and idempotency. */
@Module({ providers: [BooksRepository, IdempotentWriter, TransferCombiner, BooksService], exports: [BooksService] })
export class BooksModule {}
