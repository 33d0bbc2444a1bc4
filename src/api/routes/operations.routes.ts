import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

/** What the running process tells operators; the runtime provides it (src/runtime). */
export interface Operations {
  /** Whether the process is up, without touching the database. */
  live(): { readonly live: true; readonly pid: number; readonly uptimeSeconds: number };
  /** Database reachable and every loop alive; false while stopping. */
  ready(): Promise<{ readonly ready: boolean } & Record<string, unknown>>;
  readonly metrics: { readonly contentType: string; render(): Promise<string> };
}

const LoopHealth = Type.Object({
  name: Type.String(),
  alive: Type.Boolean(),
  inPass: Type.Boolean(),
  lastPassAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastError: Type.Union([Type.Object({ code: Type.String(), at: Type.String({ format: 'date-time' }) }), Type.Null()]),
});
const ReadyReport = Type.Object({
  ready: Type.Boolean(),
  stopping: Type.Boolean(),
  database: Type.Object({ reachable: Type.Boolean(), dialect: Type.String(), code: Type.Optional(Type.String()) }),
  loops: Type.Array(LoopHealth),
});

/**
 * Health for orchestrators and load balancers (public: they carry no token, and the answers hold
 * no data, only states and times) and metrics for Prometheus (administrators: the counts describe
 * the business's mail; give the scraper an administrator's API token, docs/operations.md).
 */
export function operationsRoutes(app: FastifyInstance, ops: Operations) {
  app.get('/health/live', {
    config: { access: 'public' },
    schema: {
      tags: ['operations'], summary: 'The process is up (no database check)',
      response: { 200: Type.Object({ live: Type.Literal(true), pid: Type.Integer(), uptimeSeconds: Type.Number() }) },
    },
  }, async () => ops.live());

  app.get('/health/ready', {
    config: { access: 'public' },
    schema: {
      tags: ['operations'], summary: 'Ready to work: database reachable, distributor and other loops alive with their last pass time',
      response: { 200: ReadyReport, 503: ReadyReport },
    },
  }, async (_request, reply) => {
    const report = await ops.ready();
    return reply.code(report.ready ? 200 : 503).send(report);
  });

  app.get('/metrics', {
    config: { access: 'admin' },
    schema: {
      tags: ['operations'], summary: 'Prometheus metrics (text exposition format)',
      produces: ['text/plain'],
      response: { 200: Type.String({ description: 'Prometheus text format 0.0.4' }) },
    },
  }, async (_request, reply) => reply.type(ops.metrics.contentType).send(await ops.metrics.render()));
}
