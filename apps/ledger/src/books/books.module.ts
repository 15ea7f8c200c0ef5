import { Module } from '@nestjs/common';
import { BooksRepository } from './books.repository';
import { BooksService } from './books.service';
import { IdempotentWriter } from './idempotent-writer';

/** The books: the one place that commits changes (locks, checks, numbers, writes), and idempotency. */
@Module({ providers: [BooksRepository, IdempotentWriter, BooksService], exports: [BooksService] })
export class BooksModule {}
