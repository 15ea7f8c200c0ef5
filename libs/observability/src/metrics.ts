import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** One Prometheus registry per process, with the default Node metrics and the service's own. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly up: Gauge;
  readonly readinessChecks: Counter<'dependency' | 'outcome'>;

  constructor(serviceName: string, version: string) {
    this.registry.setDefaultLabels({ service: serviceName });
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'custody_build_info',
      help: 'Build information of the running service (always 1).',
      labelNames: ['version'],
      registers: [this.registry],
    }).set({ version }, 1);
    this.up = new Gauge({ name: 'custody_ready', help: '1 when the last readiness check passed.', registers: [this.registry] });
    this.readinessChecks = new Counter({
      name: 'custody_readiness_checks_total',
      help: 'Readiness checks of the dependencies, by outcome.',
      labelNames: ['dependency', 'outcome'],
      registers: [this.registry],
    });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
