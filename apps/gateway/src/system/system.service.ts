import { Inject, Injectable } from '@nestjs/common';
import type { ServiceConfig } from '@custody/config';
import { SERVICE_CONFIG, SERVICE_VERSION } from '@custody/platform';

export const PUBLIC_API_VERSIONS = ['custody.v1'] as const;

export interface ServiceInfo {
  readonly service: string;
  readonly version: string;
  readonly apiVersions: readonly string[];
}

/** What an integrator learns first: who answered, which build, which API versions. */
@Injectable()
export class SystemService {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  info(): { service: string; version: string; apiVersions: string[] } {
    return { service: this.config.serviceName, version: SERVICE_VERSION, apiVersions: [...PUBLIC_API_VERSIONS] };
  }
}
