import { PROJECT_VERSION } from '@custody/config';

/** The running build's version, from the project's package.json. */
export const SERVICE_VERSION = PROJECT_VERSION;
