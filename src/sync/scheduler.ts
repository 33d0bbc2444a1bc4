// The synchronization scheduler: claims due mailboxes with a lease in the database, never more
// per profile than its maximum concurrent connections across every worker, runs each mailbox's
// job, and writes the outcome. A worker that dies keeps its mailboxes only until the lease runs
// out; a worker that stops releases them at once.
import { sql, type Kysely } from 'kysely';
import type { AppContext } from '../app-context.ts';
import type { Database } from '../store/tables.ts';
import { isMailroomError } from '../errors.ts';
import { AVAILABLE_SERVER_TYPES, type ProfileRow } from './server-profiles.service.ts';
import type { MailboxRow } from './mailboxes.service.ts';
import { readEmailSettings } from './email-settings.ts';
import { recordJobFailure, recordJobSuccess } from './sync-outcome.ts';
import { checkMailboxChannel, DEFAULT_CHECK_TIMEOUT_MS, reportError, type CheckOptions } from './test-enable.ts';

/** What a scheduled job gets: the held mailbox, its profile, and a signal that fires on stop. */
export interface MailboxJobContext {
  readonly ctx: AppContext;
  readonly mailbox: MailboxRow;
  readonly profile: ProfileRow;
  readonly signal: AbortSignal;
}

/**
 * The work done for a held mailbox. It throws a MailroomError to fail (retryable codes are
 * transient); issue 8's pull plugs in here, in place of the connection check.
 */
export type MailboxJob = (job: MailboxJobContext) => Promise<void>;

/** The job of this issue: the incoming channel's connection check through the checker. */
export function connectionCheckJob(options: CheckOptions = {}): MailboxJob {
  return async ({ ctx, mailbox, profile }) => {
    const report = await checkMailboxChannel(ctx, mailbox, profile, 'incoming', options);
    if (!report.ok) throw reportError(report);
  };
}

export interface SchedulerConfig {
  readonly job?: MailboxJob;
  /** How long a claimed mailbox stays with this worker; renewed while its job runs. */
  readonly leaseMs?: number;
  /** Between passes when nothing was due. */
  readonly idleMs?: number;
  /** Mailboxes claimed per pass at most. */
  readonly batch?: number;
  readonly onError?: (err: unknown) => void;
  /** Told when a loop pass starts and ends (with its error), for health; the next pass is due within nextInMs. */
  readonly onPass?: (event: { readonly phase: 'start' } | { readonly phase: 'end'; readonly error?: unknown; readonly nextInMs: number }) => void;
}

export interface SchedulerPass {
  readonly claimed: number;
  readonly succeeded: number;
  readonly failed: number;
}

export const DEFAULT_SYNC_LEASE_MS = 2 * DEFAULT_CHECK_TIMEOUT_MS;

/**
 * The claim's transaction. PostgreSQL locks rows (the profiles FOR UPDATE, the mailboxes SKIP
 * LOCKED); SQLite has one writer, so the claim takes the write lock first (BEGIN IMMEDIATE) and a
 * second process waits for it (busy timeout) instead of failing when it tries to write.
 */
export async function claimTransaction<T>(ctx: AppContext, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (ctx.dialect === 'postgres') return ctx.db.transaction().execute(fn);
  return ctx.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn);
      throw err;
    }
  });
}

/** Mailboxes that may be polled now: incoming by server-side sync, enabled, due, not held, approved as the settings need. */
export async function claimDue(ctx: AppContext, leaseMs: number, batch: number): Promise<{ mailbox: MailboxRow; profile: ProfileRow }[]> {
  const settings = await readEmailSettings(ctx);
  const now = ctx.clock.now();
  return claimTransaction(ctx, async (trx) => {
    // Lock the profiles with due mailboxes, so the connection count read below cannot change
    // under this claim: a second worker waits here for a moment, then counts our leases too.
    let profiles = trx.selectFrom('email_server_profile').selectAll()
      .where('server_type', 'in', AVAILABLE_SERVER_TYPES)
      .where('id', 'in', trx.selectFrom('mailbox').select('profile_id').where('next_poll_at', '<=', now).where('incoming_enabled', '=', 1).where('profile_id', 'is not', null))
      .orderBy('id');
    if (ctx.dialect === 'postgres') profiles = profiles.forUpdate();
    const claimed: { mailbox: MailboxRow; profile: ProfileRow }[] = [];
    for (const profile of await profiles.execute()) {
      if (claimed.length >= batch) break;
      const held = await trx.selectFrom('mailbox').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('profile_id', '=', profile.id).where('lease_until', '>', now).executeTakeFirstOrThrow();
      const free = Math.min(profile.max_connections - Number(held.n), batch - claimed.length);
      if (free <= 0) continue;
      let due = trx.selectFrom('mailbox').selectAll()
        .where('profile_id', '=', profile.id).where('incoming_method', '=', 'sss').where('incoming_enabled', '=', 1)
        .where('next_poll_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .where((eb) => eb.or([
          eb('approval', '=', 'approved'),
          ...(settings.approvedUsersOnly ? [] : [eb('owner_kind', '=', 'user')]),
          ...(settings.approvedQueuesOnly ? [] : [eb('owner_kind', '=', 'queue')]),
        ]))
        .orderBy('next_poll_at').orderBy('id').limit(free);
      if (ctx.dialect === 'postgres') due = due.forUpdate().skipLocked();
      for (const mailbox of await due.execute()) {
        await trx.updateTable('mailbox').set({ claimed_by: ctx.workerId, lease_until: now + leaseMs }).where('id', '=', mailbox.id).execute();
        claimed.push({ mailbox: { ...mailbox, claimed_by: ctx.workerId, lease_until: now + leaseMs }, profile });
      }
    }
    return claimed;
  });
}

export async function renew(ctx: AppContext, id: string, leaseMs: number): Promise<void> {
  await ctx.db.updateTable('mailbox').set({ lease_until: ctx.clock.now() + leaseMs }).where('id', '=', id).where('claimed_by', '=', ctx.workerId).execute();
}

/** Gives back what this worker holds, due at once, for another worker (on stop). */
export async function releaseHeld(ctx: AppContext): Promise<number> {
  const result = await ctx.db.updateTable('mailbox').set({ claimed_by: null, lease_until: null, next_poll_at: ctx.clock.now() })
    .where('claimed_by', '=', ctx.workerId).where('lease_until', 'is not', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface SyncScheduler {
  /** One pass: claim what is due, run the jobs, write the outcomes. */
  runOnce(): Promise<SchedulerPass>;
  start(): void;
  /** Stops claiming, aborts the running jobs, releases their mailboxes, and resolves when done. */
  stop(): Promise<void>;
  readonly lastPassAt: () => number | null;
}

export function createSyncScheduler(ctx: AppContext, config: SchedulerConfig = {}): SyncScheduler {
  const job = config.job ?? connectionCheckJob();
  const leaseMs = config.leaseMs ?? DEFAULT_SYNC_LEASE_MS;
  const idleMs = config.idleMs ?? 5_000;
  const batch = config.batch ?? 50;
  const abort = new AbortController();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  let lastPassAt: number | null = null;
  /** Jobs the loop started and has not seen finish (a held mailbox's job can last its whole hold). */
  const running = new Set<Promise<boolean>>();

  async function runJob(mailbox: MailboxRow, profile: ProfileRow): Promise<boolean> {
    const renewal = setInterval(() => { void renew(ctx, mailbox.id, leaseMs).catch(() => undefined); }, Math.max(leaseMs / 3, 10));
    const startedAt = ctx.clock.now();
    try {
      await job({ ctx, mailbox, profile, signal: abort.signal });
      if (abort.signal.aborted) return false;
      await recordJobSuccess(ctx, mailbox, profile, startedAt);
      return true;
    } catch (err) {
      if (abort.signal.aborted) return false;
      await recordJobFailure(ctx, mailbox, profile, 'incoming', err);
      if (!isMailroomError(err)) config.onError?.(err);
      return false;
    } finally {
      clearInterval(renewal);
    }
  }

  async function runOnce(): Promise<SchedulerPass> {
    if (stopped) return { claimed: 0, succeeded: 0, failed: 0 };
    const claimed = await claimDue(ctx, leaseMs, batch);
    const results = await Promise.all(claimed.map(({ mailbox, profile }) => runJob(mailbox, profile)));
    lastPassAt = ctx.clock.now();
    const succeeded = results.filter(Boolean).length;
    return { claimed: claimed.length, succeeded, failed: claimed.length - succeeded };
  }

  /** The loop's pass: claims what is due (up to the batch, counting jobs still running) and starts them without waiting. */
  async function startDue(): Promise<number> {
    const free = batch - running.size;
    if (free <= 0) return 0;
    const claimed = await claimDue(ctx, leaseMs, free);
    for (const { mailbox, profile } of claimed) {
      const started = runJob(mailbox, profile).catch((err: unknown) => { config.onError?.(err); return false; });
      running.add(started);
      void started.finally(() => running.delete(started));
    }
    lastPassAt = ctx.clock.now();
    return claimed.length;
  }

  function loop() {
    if (stopped) return;
    config.onPass?.({ phase: 'start' });
    current = startDue().then(
      (claimed) => {
        config.onPass?.({ phase: 'end', nextInMs: claimed > 0 ? 0 : idleMs });
        if (!stopped) timer = setTimeout(loop, claimed > 0 ? 0 : idleMs);
      },
      (err: unknown) => {
        config.onError?.(err);
        config.onPass?.({ phase: 'end', error: err, nextInMs: idleMs });
        if (!stopped) timer = setTimeout(loop, idleMs);
      },
    );
  }

  return {
    runOnce,
    start() { loop(); },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      abort.abort();
      await current.catch(() => undefined);
      await Promise.all([...running]);
      await releaseHeld(ctx);
    },
    lastPassAt: () => lastPassAt,
  };
}
