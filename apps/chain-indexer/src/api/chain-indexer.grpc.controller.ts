import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { ChainApiErrorsFilter } from './api-errors';
import { ChainApiService } from './chain-api.service';

type Request = Record<string, unknown>;
const SERVICE = 'ChainIndexerService';

/** custody.chain.v1.ChainIndexerService: thin; ChainApiService validates every field (naming it) before any write. */
@Controller()
@UseFilters(ChainApiErrorsFilter)
export class ChainIndexerGrpcController {
  constructor(private readonly api: ChainApiService) {}

  @GrpcMethod(SERVICE, 'WatchAddress') watchAddress(r: Request) {
    return this.api.watchAddress(r);
  }
  @GrpcMethod(SERVICE, 'ListWatchedAddresses') listWatchedAddresses(r: Request) {
    return this.api.listWatchedAddresses(r);
  }
  @GrpcMethod(SERVICE, 'RegisterToken') registerToken(r: Request) {
    return this.api.registerToken(r);
  }
  @GrpcMethod(SERVICE, 'TrackWithdrawal') trackWithdrawal(r: Request) {
    return this.api.trackWithdrawal(r);
  }
  @GrpcMethod(SERVICE, 'GetWithdrawalTracking') getWithdrawalTracking(r: Request) {
    return this.api.getWithdrawalTracking(r);
  }
}
