import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ReadinessService, type Readiness } from './readiness.service';

/**
 * Health on the HTTP port. `/livez` (liveness): the process is up and its HTTP server answers; it
 * asks neither Postgres nor Redis, so an outage of either never makes an orchestrator restart the
 * service. `/readyz` (readiness), and `/healthz`, the same check under its older name: 200, or 503
 * with each dependency's state. `/metrics` is not here: it is served on METRICS_PORT only
 * (metrics-server.ts), so the HTTP port answers 404 for it.
 */
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('livez')
  @Header('Cache-Control', 'no-store')
  livez(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Header('Cache-Control', 'no-store')
  readyz(@Res({ passthrough: true }) res: Response): Promise<Readiness & { status: string }> {
    return this.ready(res);
  }

  @Get('healthz')
  @Header('Cache-Control', 'no-store')
  healthz(@Res({ passthrough: true }) res: Response): Promise<Readiness & { status: string }> {
    return this.ready(res);
  }

  private async ready(res: Response): Promise<Readiness & { status: string }> {
    const readiness = await this.readiness.check();
    res.status(readiness.ready ? 200 : 503);
    return { status: readiness.ready ? 'ok' : 'unavailable', ...readiness };
  }
}
