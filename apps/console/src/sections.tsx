import type { ComponentType } from 'react';
import type { ConsoleApi } from './api/client';
import type { Identity } from './keys/key-store';

export interface SectionProps {
  readonly api: ConsoleApi;
  readonly roles: readonly string[];
  readonly identity: Identity;
}

/** A section of the console and the roles that see it (the gateway enforces the same roles). */
export interface Section {
  readonly id: string;
  readonly title: string;
  readonly roles: readonly string[];
  readonly component: ComponentType<SectionProps>;
}

export const SECTIONS: Section[] = [];
