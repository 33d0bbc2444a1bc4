import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppContext, EmailChange } from '../app-context.ts';
import { QUEUED_STATUSES } from '../store/tables.ts';
import { probeDatabase, type DatabaseWatch, type LoopMonitor } from './health.ts';

export const MAILBOX_STATES = ['unconfigured', 'awaiting-approval', 'disabled', 'failing', 'syncing'] as const;
export type MailboxState = (typeof MAILBOX_STATES)[number];

/** A mailbox's state for operators: the first that applies, in the order a mailbox is set up. */
export function mailboxState(m: { profile_id: string | null; approval: string; incoming_enabled: number; incoming_status: string; last_error_code: string | null }): MailboxState {
  if (!m.profile_id) return 'unconfigured';
  if (m.approval !== 'approved') return 'awaiting-approval';
  if (!m.incoming_enabled) return 'disabled';
  if (m.last_error_code || m.incoming_status === 'failure') return 'failing';
  return 'syncing';
}

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

  const mailboxes = new Gauge({
    name: 'mailroom_mailboxes', help: 'Mailboxes by state: unconfigured (no profile), awaiting-approval, disabled (incoming off), failing (last incoming cycle failed), syncing.',
    labelNames: ['state'], registers: [registry],
  });
  const syncLag = new Gauge({
    name: 'mailroom_mailbox_sync_lag_seconds', help: 'The longest time since a mailbox that should sync (approved, incoming on) last synchronized successfully (since it was made, if never).',
    registers: [registry],
  });
  const gaps = new Gauge({ name: 'mailroom_reconciliation_gaps', help: 'Server messages missing from Mailroom, summed over every mailbox\'s latest reconciliation.', registers: [registry] });

  const collectMailboxes = async () => {
    mailboxes.reset();
    const rows = await ctx.db.selectFrom('mailbox').select(['profile_id', 'approval', 'incoming_enabled', 'incoming_status', 'last_error_code', 'last_success_at', 'created_at']).execute();
    const now = ctx.clock.now();
    let lag = 0;
    for (const state of MAILBOX_STATES) mailboxes.set({ state }, 0);
    for (const r of rows) {
      const state = mailboxState(r);
      mailboxes.inc({ state });
      if (state === 'syncing' || state === 'failing') lag = Math.max(lag, now - (r.last_success_at ?? r.created_at));
    }
    syncLag.set(Math.max(0, lag) / 1000);
    const sum = await ctx.db.selectFrom('sync_reconciliation').select((eb) => eb.fn.sum<number>('gaps').as('n')).executeTakeFirst();
    gaps.set(Number(sum?.n ?? 0));
  };

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
        await collectMailboxes().catch(() => databaseUp.set(0));
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
