import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { principalOf } from '../http/request-context';

/** The authenticated API client of a REST request (set by the auth guard). */
export const CurrentClient = createParamDecorator((_data: unknown, context: ExecutionContext) => principalOf(context));
