import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { formatAmount, validateIdentifier } from '@custody/ledger-core';
import { BooksService } from '../books/books.service';
import { DepositsService } from '../deposits/deposits.service';
import { HoldsService } from '../holds/holds.service';
import { WithdrawalsService } from '../withdrawals/withdrawals.service';
import { LedgerErrorsFilter } from './ledger-errors.filter';
import { decoded } from './request-decoding';

type Request = Record<string, unknown>;
const SERVICE = 'LedgerService';

/**
 * custody.ledger.v1.LedgerService: thin. Each handler refuses an undecodable request and hands the
 * decoded one to its context's service, which validates every field (naming it) before any write.
 */
@Controller()
@UseFilters(LedgerErrorsFilter)
export class LedgerGrpcController {
  constructor(
    private readonly books: BooksService,
    private readonly holds: HoldsService,
    private readonly deposits: DepositsService,
    private readonly withdrawals: WithdrawalsService,
  ) {}

  private readonly errors = new LedgerErrorsFilter();

  @GrpcMethod(SERVICE, 'CreateAsset') createAsset(r: Request) {
    return this.books.createAsset(decoded(r));
  }
  @GrpcMethod(SERVICE, 'ListAssets') listAssets(r: Request) {
    decoded(r);
    return this.books.listAssets();
  }
  @GrpcMethod(SERVICE, 'OpenAccount') openAccount(r: Request) {
    return this.books.openAccount(decoded(r));
  }
  @GrpcMethod(SERVICE, 'GetBalance') getBalance(r: Request) {
    return this.books.balance(decoded(r));
  }
  @GrpcMethod(SERVICE, 'CreateTransfer') createTransfer(r: Request) {
    return this.books.transfer(decoded(r));
  }
  @GrpcMethod(SERVICE, 'CreateTransfers') createTransfers(r: Request) {
    return this.books.transferBatch(decoded(r));
  }
  @GrpcMethod(SERVICE, 'ListEntries') listEntries(r: Request) {
    return this.books.listEntries(decoded(r));
  }
  @GrpcMethod(SERVICE, 'CreateHold') createHold(r: Request) {
    return this.holds.create(decoded(r));
  }
  @GrpcMethod(SERVICE, 'PostHold') postHold(r: Request) {
    return this.holds.post(decoded(r));
  }
  @GrpcMethod(SERVICE, 'VoidHold') voidHold(r: Request) {
    return this.holds.void(decoded(r));
  }
  @GrpcMethod(SERVICE, 'ExpireDueHolds') expireDueHolds(r: Request) {
    decoded(r);
    return this.holds.expireDue();
  }
  @GrpcMethod(SERVICE, 'RecordDeposit') recordDeposit(r: Request) {
    return this.deposits.record(decoded(r));
  }
  @GrpcMethod(SERVICE, 'UpdateDepositConfirmations') updateDepositConfirmations(r: Request) {
    return this.deposits.updateConfirmations(decoded(r));
  }
  @GrpcMethod(SERVICE, 'ReverseDeposit') reverseDeposit(r: Request) {
    return this.deposits.reverse(decoded(r));
  }
  @GrpcMethod(SERVICE, 'ApplyDepositEvents') async applyDepositEvents(r: Request) {
    const results = await this.deposits.applyEvents(decoded(r));
    return { results: results.map((x) => ('deposit' in x ? { deposit: x.deposit } : { error: this.errors.eventError(x.error) })) };
  }
  @GrpcMethod(SERVICE, 'RequestWithdrawal') requestWithdrawal(r: Request) {
    return this.withdrawals.request(decoded(r));
  }
  @GrpcMethod(SERVICE, 'TransitionWithdrawal') transitionWithdrawal(r: Request) {
    return this.withdrawals.transition(decoded(r));
  }
  @GrpcMethod(SERVICE, 'GetWithdrawal') getWithdrawal(r: Request) {
    return this.withdrawals.find(decoded(r));
  }
  @GrpcMethod(SERVICE, 'ReadOutbox') readOutbox(r: Request) {
    return this.books.readOutbox(decoded(r));
  }
  @GrpcMethod(SERVICE, 'GetReconciliation') async getReconciliation(r: Request) {
    const request = decoded(r);
    const chain = request.chain === undefined || request.chain === '' ? null : validateIdentifier(request.chain, 'chain');
    const rows = await this.books.repository.heldOnChain(chain);
    return { rows: rows.map((row) => ({ chain: row.chain, asset: row.code, address: row.address, amount: row.amount < 0n ? `-${formatAmount(-row.amount, row.decimals)}` : formatAmount(row.amount, row.decimals) })) };
  }
}
