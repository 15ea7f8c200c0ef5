import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { grpc } from '@custody/proto';
import { distinctUntilChanged, from, interval, map, startWith, switchMap, type Observable } from 'rxjs';
import { ReadinessService } from './readiness.service';
import { GRPC_SERVICE_NAMES } from './tokens';

const ServingStatus = grpc.health.v1.HealthCheckResponse.ServingStatus;
type ServingStatus = grpc.health.v1.HealthCheckResponse.ServingStatus;

interface HealthCheckRequest {
  service?: string;
}
interface HealthCheckResponse {
  status: ServingStatus;
}

const WATCH_INTERVAL_MS = 5000;

/**
 * The standard `grpc.health.v1.Health` service. The empty service name is the whole server; the
 * app's own gRPC services are known by their full names. SERVING means the same as `/healthz` 200.
 */
@Controller()
export class HealthGrpcController {
  private readonly knownServices: readonly string[];

  constructor(
    private readonly readiness: ReadinessService,
    @Inject(GRPC_SERVICE_NAMES) serviceNames: readonly string[],
  ) {
    this.knownServices = ['', ...serviceNames];
  }

  private async status(service: string | undefined): Promise<ServingStatus> {
    if (!this.knownServices.includes(service ?? '')) {
      throw new RpcException({ code: GrpcStatus.NOT_FOUND, message: `unknown service "${service}"` });
    }
    const readiness = await this.readiness.check();
    return readiness.ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  }

  @GrpcMethod('Health', 'Check')
  async check(request: HealthCheckRequest): Promise<HealthCheckResponse> {
    return { status: await this.status(request.service) };
  }

  @GrpcMethod('Health', 'Watch')
  watch(request: HealthCheckRequest): Observable<HealthCheckResponse> {
    const service = request.service ?? '';
    if (!this.knownServices.includes(service)) {
      return from([{ status: ServingStatus.SERVICE_UNKNOWN }]);
    }
    return interval(WATCH_INTERVAL_MS).pipe(
      startWith(0),
      switchMap(() => from(this.status(service))),
      distinctUntilChanged(),
      map((status) => ({ status })),
    );
  }
}
