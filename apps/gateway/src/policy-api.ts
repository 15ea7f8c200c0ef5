import type { Provider, Type } from '@nestjs/common';
import { AddressBookController } from './address-book/address-book.controller';
import { AddressBookGrpcController } from './address-book/address-book.grpc.controller';
import { AddressBookService } from './address-book/address-book.service';
import { ApprovalsController } from './approvals/approvals.controller';
import { ApprovalsGrpcController } from './approvals/approvals.grpc.controller';
import { ApprovalsService } from './approvals/approvals.service';
import { AuditController } from './audit/audit.controller';
import { AuditGrpcController } from './audit/audit.grpc.controller';
import { AuditService } from './audit/audit.service';
import { PoliciesController } from './policies/policies.controller';
import { PoliciesGrpcController } from './policies/policies.grpc.controller';
import { PoliciesService } from './policies/policies.service';
import { PolicyEngineClient } from './policy-engine/policy-engine.client';

/**
 * Policies, approvals and the address book (over the policy engine's gRPC) and the auditor's API
 * (over libs/audit-log): their controllers and providers, registered by GatewayModule (and so in
 * the OpenAPI document).
 */
export const POLICY_API_CONTROLLERS: Type[] = [
  PoliciesController,
  PoliciesGrpcController,
  ApprovalsController,
  ApprovalsGrpcController,
  AddressBookController,
  AddressBookGrpcController,
  AuditController,
  AuditGrpcController,
];

export const POLICY_API_PROVIDERS: Provider[] = [PolicyEngineClient, PoliciesService, ApprovalsService, AddressBookService, AuditService];
