import { Module } from '@nestjs/common';
import { SystemController } from './system.grpc.controller';
import { SystemService } from './system.service';
import { IdentityController } from './identity.controller';
import { IdentityGrpcController } from './identity.grpc.controller';

@Module({ controllers: [SystemController, IdentityController, IdentityGrpcController], providers: [SystemService] })
export class SystemModule {}
