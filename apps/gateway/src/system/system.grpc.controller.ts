import { Controller, Get } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { custody } from '@custody/proto';
import { SystemService } from './system.service';

/** `custody.v1.SystemService` over gRPC and `GET /v1/system/info` over REST. */
@Controller('v1/system')
export class SystemController {
  constructor(private readonly system: SystemService) {}

  @GrpcMethod('SystemService', 'GetServiceInfo')
  getServiceInfo(): custody.v1.IServiceInfo {
    return this.system.info();
  }

  @Get('info')
  info(): custody.v1.IServiceInfo {
    return this.system.info();
  }
}
