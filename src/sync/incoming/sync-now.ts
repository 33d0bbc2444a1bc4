// Synchronizing one mailbox now, outside the schedule (`mailroom sync --once --mailbox M`, the
// API's POST /api/mailboxes/{id}/sync): the same rules as the scheduler (server-side sync,
// enabled, approved as Email settings need, one worker at a time, the profile's connection limit),
// the same outcome bookkeeping, and the cycle's counts returned.
import type { AppContext } from '../../app-context.ts';
import { isMailroomError, MailroomError } from '../../errors.ts';
import type { User } from '../../users/users.service.ts';
import { readEmailSettings } from '../email-settings.ts';
import { getMailboxFor, type MailboxRow } from '../mailboxes.service.ts';
import { claimTransaction, DEFAULT_SYNC_LEASE_MS, renew } from '../scheduler.ts';
import type { ProfileRow } from '../server-profiles.service.ts';
import { recordJobFailure, recordJobSuccess } from '../sync-outcome.ts';
import { mailboxProfile } from '../test-enable.ts';
import { parseLastCycle, readLastCycle, reconcileMailboxNow, syncMailboxCycle, type IncomingJobOptions, type MailboxCycle } from './incoming-job.ts';
import { reconciliationAnswering, type Reconciliation } from './reconciliation.ts';

/** Why this mailbox is not synchronized, as the error the caller shows; null when it may be. */
export async function syncBlocker(ctx: AppContext, mailbox: MailboxRow): Promise<MailroomError | null> {
  if (mailbox.incoming_method !== 'sss' || mailbox.incoming_enabled !== 1) {
    return new MailroomError('MAILBOX_INCOMING_DISABLED', { message: `The incoming channel of ${mailbox.email} is ${mailbox.incoming_method === 'sss' ? 'not enabled: run Test and enable' : 'set to none'}.` });
  }
  const settings = await readEmailSettings(ctx);
  const needsApproval = mailbox.owner_kind === 'user' ? settings.approvedUsersOnly : settings.approvedQueuesOnly;
  if (needsApproval && mailbox.approval !== 'approved') return new MailroomError('MAILBOX_NOT_APPROVED', { message: `The email address of ${mailbox.email} is ${mailbox.approval}, not approved.` });
  return null;
}

/** Takes the mailbox's lease for this worker, within the profile's connection limit. */
async function claimOne(ctx: AppContext, mailbox: MailboxRow, profile: ProfileRow, leaseMs: number): Promise<void> {
  const now = ctx.clock.now();
  const problem = await claimTransaction(ctx, async (trx) => {
    let locked = trx.selectFrom('email_server_profile').select('id').where('id', '=', profile.id);
    if (ctx.dialect === 'postgres') locked = locked.forUpdate();
    await locked.execute();
    const held = await trx.selectFrom('mailbox').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('profile_id', '=', profile.id).where('lease_until', '>', now).executeTakeFirstOrThrow();
    if (Number(held.n) >= profile.max_connections) return `the profile ${profile.name} is at its maximum of ${profile.max_connections} concurrent connection(s)`;
    const taken = await trx.updateTable('mailbox').set({ claimed_by: ctx.workerId, lease_until: now + leaseMs })
      .where('id', '=', mailbox.id).where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)])).executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 1) return null;
    const holder = await trx.selectFrom('mailbox').select('claimed_by').where('id', '=', mailbox.id).executeTakeFirst();
    return `worker ${holder?.claimed_by ?? '?'} holds it and synchronizes it now (with IDLE, new mail in the Inbox arrives as it comes)`;
  });
  if (problem) throw new MailroomError('MAILBOX_HELD', { message: `${mailbox.email} cannot be synchronized now: ${problem}.` });
}

/** Runs fn under the mailbox's lease; `record`: write the outcome as a cycle (else only give the lease back). */
async function whileHeld<T>(ctx: AppContext, mailbox: MailboxRow, profile: ProfileRow, leaseMs: number, fn: () => Promise<T>, record = true): Promise<T> {
  await claimOne(ctx, mailbox, profile, leaseMs);
  const held = { ...mailbox, claimed_by: ctx.workerId };
  const renewal = setInterval(() => { void renew(ctx, mailbox.id, leaseMs).catch(() => undefined); }, Math.max(leaseMs / 3, 10));
  const startedAt = ctx.clock.now();
  try {
    const value = await fn();
    if (record) await recordJobSuccess(ctx, held, profile, startedAt);
    else await ctx.db.updateTable('mailbox').set({ claimed_by: null, lease_until: null }).where('id', '=', mailbox.id).where('claimed_by', '=', ctx.workerId).execute();
    return value;
  } catch (err) {
    await recordJobFailure(ctx, held, profile, 'incoming', err);
    throw err;
  } finally {
    clearInterval(renewal);
  }
}

export interface SyncNowOptions extends IncomingJobOptions {
  readonly leaseMs?: number;
  /** When another worker holds the mailbox, ask it for the cycle and wait for it (default yes). */
  readonly askHolder?: boolean;
  readonly askHolderMs?: number;
}

/** One cycle of a mailbox the actor may see, now (no IDLE hold). */
export async function syncMailboxNow(ctx: AppContext, actor: User, ref: string, options: SyncNowOptions = {}): Promise<MailboxCycle & { mailboxId: string }> {
  const mailbox = await getMailboxFor(ctx, actor, ref);
  const blocker = await syncBlocker(ctx, mailbox);
  if (blocker) throw blocker;
  const profile = await mailboxProfile(ctx, mailbox);
  const own = () => whileHeld(ctx, mailbox, profile, options.leaseMs ?? DEFAULT_SYNC_LEASE_MS, () => syncMailboxCycle(ctx, mailbox, profile, { ...options, holdMs: 0 }));
  try {
    return { mailboxId: mailbox.id, ...(await own()) };
  } catch (err) {
    if (!isMailroomError(err) || err.code !== 'MAILBOX_HELD' || options.askHolder === false) throw err;
    const theirs = await askHolder(ctx, mailbox.id, err, options.askHolderMs ?? ASK_HOLDER_MS);
    return { mailboxId: mailbox.id, ...(theirs ?? (await own())) };
  }
}

/** How long "synchronize now" waits for the worker that holds the mailbox to run the cycle it asked for. */
const ASK_HOLDER_MS = 30_000;

/** The mailbox's holder while its lease runs; null once it let go or died (its lease ran out). */
async function stillHeld(ctx: AppContext, mailboxId: string): Promise<{ claimed_by: string } | null> {
  const row = await ctx.db.selectFrom('mailbox').select(['claimed_by', 'lease_until']).where('id', '=', mailboxId).executeTakeFirst();
  if (!row?.claimed_by || row.lease_until === null || Number(row.lease_until) <= ctx.clock.now()) return null;
  return { claimed_by: row.claimed_by };
}

/**
 * Writes a "synchronize now" request and returns its time, which the holder keeps with the cycle
 * that answers it: the answer is matched on that, never on the holder's clock. The time is this
 * caller's clock, but always past the request still open and the last one answered (another
 * caller's, on a clock ahead of this one, which a cycle may be answering already), so the cycle
 * that answers it is one that began after it was made.
 */
async function requestCycle(ctx: AppContext, mailboxId: string): Promise<number> {
  return claimTransaction(ctx, async (trx) => {
    let read = trx.selectFrom('mailbox').select(['sync_requested_at', 'last_cycle']).where('id', '=', mailboxId);
    if (ctx.dialect === 'postgres') read = read.forUpdate();
    const row = await read.executeTakeFirst();
    const open = row?.sync_requested_at === null || row?.sync_requested_at === undefined ? null : Number(row.sync_requested_at);
    const answered = parseLastCycle(row?.last_cycle)?.answered?.requestedAt ?? null;
    const at = Math.max(ctx.clock.now(), ...[open, answered].filter((t) => t !== null).map((t) => t + 1));
    await trx.updateTable('mailbox').set({ sync_requested_at: at }).where('id', '=', mailboxId).execute();
    return at;
  });
}

/**
 * The mailbox is held by a worker that watches its Inbox: ask it for a cycle (it looks between
 * its IDLE slices) and answer with that cycle's counts once it has run; null when it let the
 * mailbox go first.
 */
async function askHolder(ctx: AppContext, mailboxId: string, held: MailroomError, waitMs: number): Promise<MailboxCycle | null> {
  const at = await requestCycle(ctx, mailboxId);
  const until = Date.now() + waitMs;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const answered = (await readLastCycle(ctx, mailboxId))?.answered;
    if (answered && answered.requestedAt >= at) return { result: answered.result, reconciliation: null };
    if (!(await stillHeld(ctx, mailboxId))) return null; // the holder let go (or died) before it got to it: run the cycle here
  }
  throw new MailroomError('MAILBOX_HELD', { message: `${held.message} It was asked for a cycle and has not run one within ${Math.round(waitMs / 1000)} s; it will.` });
}

/**
 * Reconciles a mailbox the actor may see, now: on a connection of its own, or, when another worker
 * holds the mailbox (IDLE), by that worker on its connection, answered with the result it stores.
 */
export async function reconcileNow(ctx: AppContext, actor: User, ref: string, options: SyncNowOptions = {}): Promise<Reconciliation> {
  const mailbox = await getMailboxFor(ctx, actor, ref);
  const profile = await mailboxProfile(ctx, mailbox);
  const blocker = await syncBlocker(ctx, mailbox);
  if (blocker) throw blocker;
  const own = () => whileHeld(ctx, mailbox, profile, options.leaseMs ?? DEFAULT_SYNC_LEASE_MS, () => reconcileMailboxNow(ctx, mailbox, profile, options), false);
  try {
    return await own();
  } catch (err) {
    if (!isMailroomError(err, 'MAILBOX_HELD') || options.askHolder === false) throw err;
    return (await askHolderToReconcile(ctx, mailbox, options.askHolderMs ?? ASK_HOLDER_MS)) ?? (await own());
  }
}

/**
 * Asks the worker that holds the mailbox for a reconciliation (it looks between its IDLE slices, and
 * the next worker to take the mailbox answers it too) and waits for the result it stores; null when
 * the holder let the mailbox go before it got to it.
 */
async function askHolderToReconcile(ctx: AppContext, mailbox: MailboxRow, waitMs: number): Promise<Reconciliation | null> {
  const at = ctx.clock.now();
  // An earlier request still open is answered by the same run: keep the later time.
  await ctx.db.updateTable('mailbox').set({ reconcile_requested_at: at }).where('id', '=', mailbox.id)
    .where((eb) => eb.or([eb('reconcile_requested_at', 'is', null), eb('reconcile_requested_at', '<', at)])).execute();
  const until = Date.now() + waitMs;
  let holder: string | null = null;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const answer = await reconciliationAnswering(ctx, mailbox.id, at);
    if (answer) return answer;
    const row = await stillHeld(ctx, mailbox.id);
    if (!row) return null; // the holder let go (or died: its lease ran out) before it got to it: reconcile here
    holder = row.claimed_by;
  }
  throw new MailroomError('RECONCILIATION_PENDING', {
    message: `${mailbox.email} is held by worker ${holder ?? '?'}, which was asked to reconcile it and has not stored a result within ${Math.round(waitMs / 1000)} s. `
      + `It runs between its IDLE waits (or the next worker to take the mailbox runs it); read the result with mailroom sync-status ${mailbox.email} or GET /api/mailboxes/${mailbox.id}/sync-status.`,
  });
}
