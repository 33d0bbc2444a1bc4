import type { AppContext } from '../app-context.ts';
import { readDistributorSettings, writeLastRun, type DistributorRun } from './distributor-settings.ts';
import { readParameters, retentionMs } from './email-parameters.ts';
import { claimDue, expireDue, loadRaw, purgeHistory, renewClaim, type EmailRow } from './email.repository.ts';
import { deliver, type DeliveryResult } from './delivery.ts';
import { createOutcomeRecorder } from './outcome-recorder.ts';
import type { ProviderRegistry } from './provider-registry.ts';
import { minuteOf } from './retry-policy.ts';
import { pruneWindows } from './throttle.ts';

export interface PassOptions {
  /** Emails claimed per round. */
  readonly batchSize?: number;
  /** Emails in flight at once (sending, or writing their outcome). */
  readonly concurrency?: number;
  /** Stop after this many rounds (a round claims one batch). */
  readonly maxRounds?: number;
}

/**
 * One run of the email distributor batch: expire what is past its time, send what is due
 * (claiming in rounds until nothing is left), then purge history past retention.
 */
export async function runDistributorPass(ctx: AppContext, providers: ProviderRegistry, options: PassOptions = {}): Promise<DistributorRun> {
  // More emails in flight than SMTP connections: while some wait for the database to commit their
  // outcome, others keep the connections busy (and PostgreSQL commits them together).
  const { batchSize = 200, concurrency = 32, maxRounds = Number.POSITIVE_INFINITY } = options;
  const params = await readParameters(ctx);
  const tally: Record<DeliveryResult, number> = { sent: 0, failed: 0, retry: 0, deferred: 0, expired: 0, 'lost-lease': 0 };
  let expired = await expireDue(ctx.db, ctx.clock.now());
  let claimed = 0;
  // Lanes whose send is done wait together for one transaction; when all of them wait, it starts.
  const recorder = createOutcomeRecorder(ctx.db, { worker: ctx.workerId, maxBatch: concurrency });
  for (let round = 0; round < maxRounds; round++) {
    const rows = await claimDue(ctx.db, ctx.dialect, { worker: ctx.workerId, now: ctx.clock.now(), leaseMs: ctx.leaseMs, limit: batchSize });
    if (rows.length === 0) break;
    claimed += rows.length;
    const raws = await loadRaw(ctx.db, rows.map((r) => r.id));
    await forEachLimited(rows, concurrency, async (row) => {
      // A row waits in this batch while earlier ones are sent; if that outlasted the lease, another
      // worker may have taken it over, and sending it here too would deliver it twice. While at
      // least 90% of the lease is still to run, no worker can have taken it (and the lease left
      // is as long as a renewal would give), so the check, a write per email, waits until then.
      if (!leaseStillFresh(ctx, row)) {
        const held = await renewClaim(ctx.db, { id: row.id, worker: ctx.workerId, now: ctx.clock.now(), leaseMs: ctx.leaseMs });
        if (!held) { tally['lost-lease']++; return; }
      }
      const result = await deliver(ctx, providers, params, row, raws.get(row.id) ?? Buffer.alloc(0), { recorder });
      tally[result]++;
    });
    // Rows deferred or retried in this round are not due again until later, so the loop ends.
  }
  expired += tally.expired;
  const now = ctx.clock.now();
  const purged = await purgeHistory(ctx.db, now - retentionMs(params));
  await pruneWindows(ctx.db, minuteOf(now) - 1);
  const run: DistributorRun = {
    at: now, worker: ctx.workerId, claimed, sent: tally.sent, failed: tally.failed, retried: tally.retry, deferred: tally.deferred, expired, purged,
  };
  await writeLastRun(ctx, run);
  return run;
}

const leaseStillFresh = (ctx: AppContext, row: EmailRow) =>
  row.lease_until !== null && ctx.clock.now() < row.lease_until - ctx.leaseMs * 0.9;

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

export interface DistributorLoop {
  /** Runs a pass soon, without waiting for the recurrence (an email was just queued). */
  kick(): void;
  stop(): Promise<void>;
}

/**
 * Runs passes on the recurrence set on the Email distributor batch page, and sooner when kicked.
 * stop() lets the pass in progress finish, so no claim is left behind.
 */
export function startDistributor(ctx: AppContext, providers: ProviderRegistry, options: PassOptions & { onError?: (err: unknown) => void } = {}): DistributorLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(tick, ms);
  };
  const tick = () => {
    if (running) { again = true; return; }
    running = (async () => {
      let delay = 60_000;
      try {
        const settings = await readDistributorSettings(ctx);
        delay = settings.recurrenceSeconds * 1000;
        if (settings.enabled) await runDistributorPass(ctx, providers, options);
      } catch (err) {
        options.onError?.(err);
      } finally {
        running = undefined;
        if (again) { again = false; schedule(0); } else schedule(delay);
      }
    })();
  };
  schedule(0);
  return {
    kick() { if (running) again = true; else schedule(0); },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
