// The scheduler's job for a held mailbox: one incoming cycle (every evaluated folder), the daily
// reconciliation when it is due (or one somebody asked for), then, while the mailbox stays held and
// the server has IDLE, a wait on the Inbox that runs another cycle as soon as mail arrives, and
// between its slices what the control plane asked of the holder ("synchronize now", "reconcile
// now"). Without IDLE (POP3) the next cycle is the next poll. syncMailboxCycle is the entry point for
// one mailbox, once.
import type { AppContext } from '../../app-context.ts';
import { isMailroomError } from '../../errors.ts';
import type { ConnectorConfig, MailboxConnector } from '../connectors/connector.ts';
import { createConnector } from '../connectors/create-connector.ts';
import { findMailboxRow, type MailboxRow } from '../mailboxes.service.ts';
import type { MailboxJob } from '../scheduler.ts';
import { findProfileRow, type ProfileRow } from '../server-profiles.service.ts';
import { pollIntervalMs } from '../sync-outcome.ts';
import { connectorConfig, type CheckOptions } from '../test-enable.ts';
import { emptyCycle, syncMailboxFolders, type CycleResult } from './incoming-sync.ts';
import { INBOX, incomingPlan, type IncomingPlan } from './mailbox-plan.ts';
import { reconcileMailbox, reconciliationDue, type Reconciliation } from './reconciliation.ts';

/** IMAP asks clients to re-issue IDLE within 30 minutes; a hold ends before that. */
export const MAX_HOLD_MS = 25 * 60_000;

export interface IncomingJobOptions extends CheckOptions {
  /**
   * How long a held mailbox then waits for new mail with IDLE; by default the profile's polling
   * interval (at most 25 minutes), so the mailbox is due again when the hold ends. 0: no IDLE.
   */
  readonly holdMs?: number;
  /** Reconcile when the last reconciliation is a day old (default yes). */
  readonly reconcile?: boolean;
  /** Called after each cycle (the first and every one IDLE wakes). */
  readonly onCycle?: (mailbox: MailboxRow, result: CycleResult) => void;
}

export interface MailboxCycle {
  readonly result: CycleResult;
  readonly reconciliation: Reconciliation | null;
}

const add = (a: CycleResult, b: CycleResult): CycleResult => ({
  tracked: a.tracked + b.tracked, skipped: a.skipped + b.skipped, failed: a.failed + b.failed, undeliverable: a.undeliverable + b.undeliverable,
});

export function incomingConnector(ctx: AppContext, mailbox: MailboxRow, profile: ProfileRow, options: CheckOptions = {}): MailboxConnector {
  const config: ConnectorConfig = connectorConfig(ctx, mailbox, profile, ['incoming'], options.timeoutMs);
  return (options.connectorFactory ?? createConnector)(config);
}

/** While held, the Inbox wait is cut into slices this long, to see a "synchronize now" or "reconcile now" request. */
const REQUEST_CHECK_MS = 5_000;

/**
 * The holder's last cycle, kept on the mailbox, with the last one that answered a "synchronize
 * now": the request's own time (the caller's clock) and that cycle's counts. A request is matched
 * on its own timestamp, never on the holder's clock, so clocks that differ between machines can
 * neither hide an answer nor pass an older cycle off as one.
 */
export interface LastCycle {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly result: CycleResult;
  readonly answered: { readonly requestedAt: number; readonly result: CycleResult } | null;
}

export function parseLastCycle(stored: string | null | undefined): LastCycle | null {
  const last = stored ? (JSON.parse(stored) as Partial<LastCycle> & Pick<LastCycle, 'startedAt' | 'endedAt' | 'result'>) : null;
  return last ? { ...last, answered: last.answered ?? null } : null;
}

export async function readLastCycle(ctx: AppContext, mailboxId: string): Promise<LastCycle | null> {
  const row = await ctx.db.selectFrom('mailbox').select('last_cycle').where('id', '=', mailboxId).executeTakeFirst();
  return parseLastCycle(row?.last_cycle);
}

/** One cycle, kept on the mailbox; `answering`: the time of the "synchronize now" request read before it began. */
async function cycle(ctx: AppContext, connector: MailboxConnector, plan: IncomingPlan, answering: number | null, signal?: AbortSignal): Promise<CycleResult> {
  const startedAt = ctx.clock.now();
  const result = await syncMailboxFolders(ctx, connector, plan.mailbox, plan.settings, plan.folders, signal);
  const answered = answering === null ? ((await readLastCycle(ctx, plan.mailbox.id))?.answered ?? null) : { requestedAt: answering, result };
  const last: LastCycle = { startedAt, endedAt: ctx.clock.now(), result, answered };
  let update = ctx.db.updateTable('mailbox').set({ last_cycle: JSON.stringify(last) }).where('id', '=', plan.mailbox.id).where('claimed_by', '=', ctx.workerId);
  if (answering !== null) {
    // The request answered, and any made before it (a later one stays for the next cycle).
    update = update.set((eb) => ({ sync_requested_at: eb.case().when('sync_requested_at', '<=', answering).then(null).else(eb.ref('sync_requested_at')).end() }));
  }
  await update.execute();
  return result;
}

interface HolderRequests {
  /** The time of the cycle asked for ("synchronize now", the request it answers), or null. */
  readonly cycle: number | null;
  /** The time of the reconciliation asked for (the request it answers), or null. */
  readonly reconcile: number | null;
}

const timeOf = (value: number | null | undefined) => (value === null || value === undefined ? null : Number(value));

/** What the control plane asked of the worker that holds the mailbox. */
async function requests(ctx: AppContext, mailboxId: string): Promise<HolderRequests> {
  const row = await ctx.db.selectFrom('mailbox').select(['sync_requested_at', 'reconcile_requested_at']).where('id', '=', mailboxId).executeTakeFirst();
  return { cycle: timeOf(row?.sync_requested_at), reconcile: timeOf(row?.reconcile_requested_at) };
}

/** Reconciles on the held connection; a request it answers is kept with the result and cleared from the mailbox. */
async function reconcile(ctx: AppContext, connector: MailboxConnector, mailbox: MailboxRow, plan: IncomingPlan, requestedAt: number | null): Promise<Reconciliation> {
  const result = await reconcileMailbox(ctx, connector, mailbox, plan.folders.map((f) => f.folder), plan.mailbox.processFrom, requestedAt);
  if (requestedAt !== null) {
    await ctx.db.updateTable('mailbox').set({ reconcile_requested_at: null }).where('id', '=', plan.mailbox.id).where('reconcile_requested_at', '<=', requestedAt).execute();
  }
  return result;
}

/**
 * The plan as the control plane says now: a hold lasts up to a polling interval, and a tracking
 * option, folder rule or setting changed meanwhile applies from the next cycle, never after the hold.
 */
async function currentPlan(ctx: AppContext, mailboxId: string, profileId: string): Promise<IncomingPlan> {
  return incomingPlan(ctx, await findMailboxRow(ctx, mailboxId), await findProfileRow(ctx, profileId));
}

/** Waits on the Inbox with IDLE until the hold ends, running a cycle on every change. */
async function hold(ctx: AppContext, connector: MailboxConnector, mailbox: MailboxRow, profileId: string, plan: IncomingPlan, holdMs: number, signal: AbortSignal | undefined, onCycle: (r: CycleResult) => void): Promise<CycleResult> {
  let total = emptyCycle();
  const until = Date.now() + holdMs;
  while (connector.waitForChange && !signal?.aborted) {
    const left = until - Date.now();
    if (left <= 0) break;
    let changed: boolean;
    try {
      changed = await connector.waitForChange(INBOX, Math.min(left, REQUEST_CHECK_MS), signal);
    } catch (err) {
      // The wait lost its connection after the cycles succeeded: the hold ends, the next poll connects again.
      if (isMailroomError(err) && err.retryable) break;
      throw err;
    }
    if (signal?.aborted) break;
    const asked = await requests(ctx, plan.mailbox.id);
    if (!changed && asked.cycle === null && asked.reconcile === null) continue;
    const current = await currentPlan(ctx, plan.mailbox.id, profileId);
    if (changed || asked.cycle !== null) {
      const next = await cycle(ctx, connector, current, asked.cycle, signal);
      onCycle(next);
      total = add(total, next);
    }
    if (asked.reconcile !== null && !signal?.aborted) await reconcile(ctx, connector, mailbox, current, asked.reconcile);
  }
  return total;
}

/**
 * One mailbox, one cycle (then the IDLE hold when holdMs > 0): what `sync --once`, the API's
 * "synchronize now" and the scheduler's job run. Connection failures throw MAILBOX_* errors.
 */
export async function syncMailboxCycle(ctx: AppContext, mailbox: MailboxRow, profile: ProfileRow, options: IncomingJobOptions = {}, signal?: AbortSignal): Promise<MailboxCycle> {
  const plan = await incomingPlan(ctx, mailbox, profile);
  const connector = incomingConnector(ctx, mailbox, profile, options);
  try {
    // A cycle asked for while another worker held the mailbox (which let it go or died) is answered by this one.
    let result = await cycle(ctx, connector, plan, (await requests(ctx, mailbox.id)).cycle, signal);
    options.onCycle?.(mailbox, result);
    let reconciliation: Reconciliation | null = null;
    // A reconciliation asked for while another worker held the mailbox (which let it go or died) is answered here.
    const asked = signal?.aborted ? null : (await requests(ctx, mailbox.id)).reconcile;
    if (asked !== null || ((options.reconcile ?? true) && !signal?.aborted && (await reconciliationDue(ctx, mailbox.id)))) {
      reconciliation = await reconcile(ctx, connector, mailbox, plan, asked);
    }
    const holdMs = options.holdMs ?? Math.min(pollIntervalMs(profile), MAX_HOLD_MS);
    if (holdMs > 0 && connector.waitForChange) {
      result = add(result, await hold(ctx, connector, mailbox, profile.id, plan, holdMs, signal, (r) => options.onCycle?.(mailbox, r)));
    }
    return { result, reconciliation };
  } finally {
    await connector.close().catch(() => undefined);
  }
}

/** Reconciles one mailbox now, on a connection of its own (answering a request still open, if any). */
export async function reconcileMailboxNow(ctx: AppContext, mailbox: MailboxRow, profile: ProfileRow, options: CheckOptions = {}): Promise<Reconciliation> {
  const plan = await incomingPlan(ctx, mailbox, profile);
  const connector = incomingConnector(ctx, mailbox, profile, options);
  try {
    return await reconcile(ctx, connector, mailbox, plan, (await requests(ctx, mailbox.id)).reconcile);
  } finally {
    await connector.close().catch(() => undefined);
  }
}

/** The scheduler's job: the incoming cycle of the held mailbox, then its IDLE hold. */
export function incomingSyncJob(options: IncomingJobOptions = {}): MailboxJob {
  return async ({ ctx, mailbox, profile, signal }) => {
    // Each cycle of a hold is a success of the mailbox at once, not only when the hold ends.
    const onCycle = (m: MailboxRow, r: CycleResult) => {
      options.onCycle?.(m, r);
      void ctx.db.updateTable('mailbox').set({ last_success_at: ctx.clock.now() }).where('id', '=', m.id).where('claimed_by', '=', ctx.workerId).execute().catch(() => undefined);
    };
    await syncMailboxCycle(ctx, mailbox, profile, { ...options, onCycle }, signal);
  };
}
