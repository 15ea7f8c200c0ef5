import { Module } from '@nestjs/common';
import { SystemController } from './system.grpc.controller';
import { SystemService } from './system.service';

@Module({ controllers: [SystemController], providers: [SystemService] })
export class SystemModule {}
