import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppContext, EmailChange } from '../app-context.ts';
import { QUEUED_STATUSES } from '../store/tables.ts';
import { probeDatabase, type DatabaseWatch, type LoopMonitor } from './health.ts';

export interface MailroomMetrics {
  readonly contentType: string;
  /** The Prometheus text exposition of every metric, with the queue counted in the database now. */
  render(): Promise<string>;
}

// Hand-in to acceptance: a second on an idle queue, minutes behind a per-minute limit, hours or
// days for an email that waited on retries.
const LATENCY_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];

/**
 * The metrics of one Mailroom process. Counters count what this process did since it started
 * (Prometheus adds up the workers); the queue and the database state are read at each scrape, so
 * every process reports the same queue.
 */
export function createMetrics(ctx: AppContext, { loops, watch }: { loops: readonly LoopMonitor[]; watch?: DatabaseWatch }): MailroomMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers: [registry] });

  const queued = counter('mailroom_emails_queued_total', 'Emails handed in (or resent) to be sent in the background.', ['provider']);
  const sent = counter('mailroom_emails_sent_total', 'Emails the provider accepted.', ['provider']);
  const failed = counter('mailroom_emails_failed_total', 'Emails that failed for good (permanent failures and expiries), by error code.', ['provider', 'code']);
  const retries = counter('mailroom_email_retries_total', 'Sends that failed for a temporary reason and were put back for a later try.', ['provider', 'code']);
  const deferrals = counter('mailroom_throttle_deferrals_total', 'Sends held back to the next minute by the per-minute sending limit.', ['provider']);
  const takeovers = counter('mailroom_lease_takeovers_total', 'Emails taken over from a worker whose claim ran out (it died or lost the database).', ['provider']);
  const released = counter('mailroom_claims_released_total', 'Claimed emails given back unsent by a stopping worker.', ['provider']);
  const latency = new Histogram({
    name: 'mailroom_delivery_latency_seconds', help: 'From hand-in to the provider\'s acceptance, per sent email.',
    labelNames: ['provider'], buckets: LATENCY_BUCKETS, registers: [registry],
  });
  const onChange = (c: EmailChange) => {
    const provider = c.provider;
    if (c.event === 'queued' && c.status === 'waiting') queued.inc({ provider });
    else if (c.event === 'resent') queued.inc({ provider });
    else if (c.event === 'sent') {
      sent.inc({ provider });
      if (c.latencyMs !== undefined) latency.observe({ provider }, Math.max(0, c.latencyMs) / 1000);
    } else if (c.event === 'failed' || c.event === 'expired') failed.inc({ provider, code: c.code ?? 'EXPIRED' });
    else if (c.event === 'retry') retries.inc({ provider, code: c.code ?? 'INTERNAL' });
    else if (c.event === 'deferred') deferrals.inc({ provider });
    else if (c.event === 'taken-over') takeovers.inc({ provider });
    else if (c.event === 'released') released.inc({ provider });
  };
  ctx.events.on('email:changed', onChange);

  const databaseUp = new Gauge({ name: 'mailroom_database_up', help: '1 when the database answered this scrape, 0 when it is away.', registers: [registry] });
  const queue = new Gauge({
    name: 'mailroom_queue_emails', help: 'Emails in the queue now, by status (waiting, deferred, sending), counted in the database.',
    labelNames: ['status'], registers: [registry],
  });
  const loopAlive = new Gauge({ name: 'mailroom_loop_alive', help: '1 while the loop runs and is not late for its next pass.', labelNames: ['loop'], registers: [registry] });
  const loopLastPass = new Gauge({ name: 'mailroom_loop_last_pass_timestamp_seconds', help: 'When the loop\'s last pass ended.', labelNames: ['loop'], registers: [registry] });

  const collectState = async () => {
    queue.reset();
    const db = await probeDatabase(ctx, watch);
    databaseUp.set(db.reachable ? 1 : 0);
    if (db.reachable) {
      const rows = await ctx.db.selectFrom('email').select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('status', 'in', QUEUED_STATUSES).groupBy('status').execute().catch(() => null);
      if (rows) {
        const counts = new Map(rows.map((r) => [r.status, Number(r.n)]));
        for (const status of QUEUED_STATUSES) queue.set({ status }, counts.get(status) ?? 0);
      } else {
        databaseUp.set(0);
      }
    }
    for (const loop of loops) {
      loopAlive.set({ loop: loop.name }, loop.snapshot().alive ? 1 : 0);
      const last = loop.lastPassSeconds();
      if (last !== null) loopLastPass.set({ loop: loop.name }, last);
    }
  };

  return {
    contentType: registry.contentType,
    async render() {
      await collectState();
      return registry.metrics();
    },
  };
}
