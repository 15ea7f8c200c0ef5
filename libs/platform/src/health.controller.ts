import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ReadinessService, type Readiness } from './readiness.service';

/**
 * `/healthz` (readiness: 200 or 503 with each dependency's state). `/metrics` is not here: it is
 * served on METRICS_PORT only (metrics-server.ts), so the HTTP port answers 404 for it.
 */
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('healthz')
  @Header('Cache-Control', 'no-store')
  async healthz(@Res({ passthrough: true }) res: Response): Promise<Readiness & { status: string }> {
    const readiness = await this.readiness.check();
    res.status(readiness.ready ? 200 : 503);
    return { status: readiness.ready ? 'ok' : 'unavailable', ...readiness };
  }
}
