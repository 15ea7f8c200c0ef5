import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { ServiceMetrics } from '@custody/observability';
import type { Response } from 'express';
import { ReadinessService, type Readiness } from './readiness.service';
import { SERVICE_METRICS } from './tokens';

/** `/healthz` (readiness: 200 or 503 with each dependency's state) and `/metrics` (Prometheus text). */
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    @Inject(SERVICE_METRICS) private readonly metrics: ServiceMetrics,
  ) {}

  @Get('healthz')
  @Header('Cache-Control', 'no-store')
  async healthz(@Res({ passthrough: true }) res: Response): Promise<Readiness & { status: string }> {
    const readiness = await this.readiness.check();
    res.status(readiness.ready ? 200 : 503);
    return { status: readiness.ready ? 'ok' : 'unavailable', ...readiness };
  }

  @Get('metrics')
  @HttpCode(200)
  async metricsText(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.contentType());
    res.send(await this.metrics.render());
  }
}
