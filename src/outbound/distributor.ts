import type { AppContext } from '../app-context.ts';
import type { EmailProvider } from '../providers/provider.ts';
import { backoffMs, databaseFault } from '../store/database-errors.ts';
import type { ClaimHeartbeat } from './claim-heartbeat.ts';
import { readDistributorSettings, writeLastRun, type DistributorRun } from './distributor-settings.ts';
import { readParameters, retentionMs } from './email-parameters.ts';
import { claimDue, expireDue, hasAbandonedClaims, loadRaw, purgeHistory, releaseClaims, renewClaim, type ClaimedRow } from './email.repository.ts';
import { deliver, type DeliveryResult } from './delivery.ts';
import { createOutcomeRecorder } from './outcome-recorder.ts';
import type { ProviderRegistry } from './provider-registry.ts';
import { minuteOf } from './retry-policy.ts';
import { createSendGate } from './send-gate.ts';
import { pruneWindows } from './throttle.ts';

export interface PassOptions {
  /** Emails claimed per round. */
  readonly batchSize?: number;
  /** Emails in flight at once (sending, or writing their outcome). */
  readonly concurrency?: number;
  /** Stop after this many rounds (a round claims one batch). */
  readonly maxRounds?: number;
  /**
   * The worker is stopping: claim nothing more, give back at once the claimed emails whose send
   * has not started, and end the pass when the sends under way have been recorded.
   */
  readonly signal?: AbortSignal;
  /** The worker's heartbeat, which keeps its claims; without one each send renews its own. */
  readonly heartbeat?: ClaimHeartbeat;
  /** Told when a write of outcomes failed because the database is away (it is tried again). */
  readonly onDatabaseRetry?: (err: unknown) => void;
}

/**
 * One run of the email distributor batch: expire what is past its time, send what is due
 * (claiming in rounds until nothing is left), then purge history past retention.
 */
export async function runDistributorPass(ctx: AppContext, providers: ProviderRegistry, options: PassOptions = {}): Promise<DistributorRun> {
  // More emails in flight than SMTP connections: while some wait for the database to commit their
  // outcome, others keep the connections busy (and PostgreSQL commits them together).
  const { batchSize = 200, concurrency = 32, maxRounds = Number.POSITIVE_INFINITY, signal } = options;
  const params = await readParameters(ctx);
  const tally: Record<DeliveryResult, number> = { sent: 0, failed: 0, retry: 0, deferred: 0, held: 0, expired: 0, 'lost-lease': 0, 'not-started': 0 };
  const expiredRows = await expireDue(ctx.db, ctx.clock.now());
  for (const r of expiredRows) ctx.events.emit('email:changed', { id: r.id, event: 'expired', status: 'expired', provider: r.provider, worker: ctx.workerId, attempts: r.attempts, code: 'EXPIRED' });
  let claimed = 0;
  // Lanes whose send is done wait together for one transaction; when all of them wait, it starts.
  const recorder = createOutcomeRecorder(ctx.db, { worker: ctx.workerId, maxBatch: concurrency, onRetry: options.onDatabaseRetry });
  // A send starts only when its provider has a free connection, so every started send is on the
  // wire, and what waits for a connection can still be given back when the worker stops.
  const gate = createSendGate(signal);
  for (let round = 0; round < maxRounds && !signal?.aborted; round++) {
    const rows = await claimDue(ctx.db, ctx.dialect, { worker: ctx.workerId, now: ctx.clock.now(), leaseMs: ctx.leaseMs, limit: batchSize });
    if (rows.length === 0) break;
    claimed += rows.length;
    for (const row of rows) emitClaimed(ctx, row);
    const unstarted = new Map(rows.map((r) => [r.id, r]));
    const releasing = signal ? giveBackOnStop(ctx, signal, unstarted) : undefined;
    try {
      const raws = await loadRaw(ctx.db, rows.map((r) => r.id));
      await forEachLimited(rows, concurrency, signal, async (row) => {
        const result = await deliver(ctx, providers, params, row, raws.get(row.id) ?? Buffer.alloc(0), {
          recorder,
          gate: async (provider: EmailProvider) => {
            const leave = await gate.enter(provider);
            // Given back meanwhile (the worker is stopping): this email is not sent here.
            if (!leave || !unstarted.delete(row.id)) { leave?.(); return null; }
            try {
              if (await stillHeld(ctx, row, options.heartbeat)) return leave;
            } catch (err) {
              leave();
              throw err;
            }
            leave();
            tally['lost-lease']++;
            return null;
          },
        });
        if (result !== 'not-started') tally[result]++;
      });
    } finally {
      releasing?.dispose();
      await releasing?.done;
    }
    // Rows deferred or retried in this round are not due again until later, so the loop ends.
  }
  const now = ctx.clock.now();
  // A stopping worker leaves the housekeeping to the next pass.
  const purged = signal?.aborted ? 0 : await purgeHistory(ctx.db, now - retentionMs(params));
  if (!signal?.aborted) {
    await pruneWindows(ctx.db, minuteOf(now) - 1);
    await providers.housekeeping();
  }
  const run: DistributorRun = {
    // An email whose mailbox may not send yet waits like a deferred one: counted with them.
    at: now, worker: ctx.workerId, claimed, sent: tally.sent, failed: tally.failed, retried: tally.retry, deferred: tally.deferred + tally.held,
    expired: expiredRows.length + tally.expired, purged,
  };
  await writeLastRun(ctx, run);
  return run;
}

function emitClaimed(ctx: AppContext, row: ClaimedRow) {
  ctx.events.emit('email:changed', { id: row.id, event: row.takenOver ? 'taken-over' : 'claimed', status: 'sending', provider: row.provider, worker: ctx.workerId, attempts: row.attempts });
}

/**
 * Whether this worker may send the email now. A claimed email waits in its batch while earlier
 * ones are sent; if that outlasted the lease (the heartbeat could not reach the database), another
 * worker may have taken it over, and sending it here too would deliver it twice. While at least
 * half the lease is still to run, no worker can have taken it, so the check (a write per email)
 * waits until then.
 */
async function stillHeld(ctx: AppContext, row: ClaimedRow, heartbeat: ClaimHeartbeat | undefined): Promise<boolean> {
  const heldUntil = Math.max(row.lease_until ?? Number.NEGATIVE_INFINITY, heartbeat?.heldUntil() ?? Number.NEGATIVE_INFINITY);
  if (ctx.clock.now() < heldUntil - ctx.leaseMs / 2) return true;
  return renewClaim(ctx.db, { id: row.id, worker: ctx.workerId, now: ctx.clock.now(), leaseMs: ctx.leaseMs });
}

/**
 * When the worker is told to stop, the round's claimed emails whose send has not started go back
 * to waiting at once, in one statement, for any worker to take.
 */
function giveBackOnStop(ctx: AppContext, signal: AbortSignal, unstarted: Map<string, ClaimedRow>) {
  let done: Promise<void> = Promise.resolve();
  const onAbort = () => {
    const ids = [...unstarted.keys()];
    unstarted.clear();
    done = releaseClaims(ctx.db, { worker: ctx.workerId, ids, now: ctx.clock.now() }).then((released) => {
      for (const r of released) ctx.events.emit('email:changed', { id: r.id, event: 'released', status: 'waiting', provider: r.provider, worker: ctx.workerId, attempts: r.attempts });
    });
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    dispose: () => signal.removeEventListener('abort', onAbort),
    get done() { return done; },
  };
}

/**
 * Runs fn over the items, `limit` at a time. When one fails (the database went away), the others
 * take no new item; it waits for those under way, then throws the first failure, so nothing of
 * this pass is still sending when the next one starts.
 */
async function forEachLimited<T>(items: readonly T[], limit: number, signal: AbortSignal | undefined, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !signal?.aborted && !failure) {
      try {
        await fn(items[next++]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(lanes);
  if (failure) throw failure.error;
}

export interface DistributorLoop {
  /** Runs a pass soon, without waiting for the recurrence (an email was just queued). */
  kick(): void;
  /**
   * Stops claiming, gives back at once the claimed emails not started, and resolves when the
   * sends under way have been recorded.
   */
  stop(): Promise<void>;
}

export type PassEvent =
  | { readonly phase: 'start' }
  /** A pass ended (or was skipped: the batch is off), with its run or its error; the next is due within nextInMs. */
  | { readonly phase: 'end'; readonly run?: DistributorRun; readonly error?: unknown; readonly nextInMs: number };

export interface LoopOptions extends Omit<PassOptions, 'signal'> {
  /** Told of every failed pass (the loop goes on: after a database fault it backs off and retries). */
  readonly onError?: (err: unknown) => void;
  /** Told when a pass starts and when it ends, with its run or its error. */
  readonly onPass?: (event: PassEvent) => void;
  /** How often to look for claims a dead worker left; a third of the lease by default. */
  readonly watchMs?: number;
}

/**
 * Runs passes on the recurrence set on the Email distributor batch page, and sooner when kicked
 * or when another worker's claims have run out (it died: its emails are taken over at once).
 * While the database is away, passes are retried after 1, 2, 4 … 10 seconds.
 */
export function startDistributor(ctx: AppContext, providers: ProviderRegistry, options: LoopOptions = {}): DistributorLoop {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let failures = 0;

  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (!stopping.signal.aborted) timer = setTimeout(tick, ms);
  };
  const tick = () => {
    if (running) { again = true; return; }
    running = (async () => {
      let delay = 60_000;
      options.onPass?.({ phase: 'start' });
      try {
        const settings = await readDistributorSettings(ctx);
        delay = settings.recurrenceSeconds * 1000;
        const run = settings.enabled ? await runDistributorPass(ctx, providers, { ...options, signal: stopping.signal }) : undefined;
        failures = 0;
        options.onPass?.({ phase: 'end', run, nextInMs: delay });
      } catch (err) {
        if (databaseFault(err)) delay = backoffMs(++failures);
        options.onError?.(err);
        options.onPass?.({ phase: 'end', error: err, nextInMs: delay });
      } finally {
        running = undefined;
        if (again && failures === 0) { again = false; schedule(0); } else schedule(delay);
      }
    })();
  };
  const watch = setInterval(() => {
    if (running || failures > 0) return;
    hasAbandonedClaims(ctx.db, ctx.clock.now()).then((abandoned) => { if (abandoned) tick(); }, () => { /* the next pass reports it */ });
  }, options.watchMs ?? Math.max(100, Math.floor(ctx.leaseMs / 3)));
  watch.unref();
  schedule(0);
  return {
    kick() { if (running) again = true; else if (failures === 0) schedule(0); },
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      clearInterval(watch);
      await running;
    },
  };
}
