import { Controller, Get } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { custody } from '@custody/proto';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator';
import { SystemService } from './system.service';

/** `custody.v1.SystemService` over gRPC and `GET /v1/system/info` over REST. */
@ApiTags('system')
@Controller('v1/system')
export class SystemController {
  constructor(private readonly system: SystemService) {}

  @GrpcMethod('SystemService', 'GetServiceInfo')
  @Public()
  getServiceInfo(): custody.v1.IServiceInfo {
    return this.system.info();
  }

  @Get('info')
  @Public()
  @ApiOperation({ operationId: 'GetServiceInfo', summary: 'The service, its version and API versions (unsigned: discovery)' })
  info(): custody.v1.IServiceInfo {
    return this.system.info();
  }
}
