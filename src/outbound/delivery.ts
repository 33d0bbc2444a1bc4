import type { AppContext, EmailChange } from '../app-context.ts';
import { isMailroomError, MailroomError } from '../errors.ts';
import type { EmailProvider, OutgoingMessage } from '../providers/provider.ts';
import { databaseFault } from '../store/database-errors.ts';
import type { StoredParameters } from './email-parameters.ts';
import { recordOutcome, type EmailRow, type Outcome } from './email.repository.ts';
import type { OutcomeRecorder } from './outcome-recorder.ts';
import type { ProviderRegistry, Route } from './provider-registry.ts';
import { MAX_DEFERRALS, minuteOf, retryDelayMs } from './retry-policy.ts';
import { takeSendSlot } from './throttle.ts';

export interface DeliveryOptions {
  /** Interactive test sends fail at once instead of being retried. */
  readonly retry?: boolean;
  /** Interactive sends are not held back by the per-minute limit (it is for batch providers). */
  readonly throttle?: boolean;
  /**
   * Writes the outcome in one transaction with other emails' (the distributor's lanes). Without
   * it the outcome is written at once, in a transaction of its own (interactive sends).
   */
  readonly recorder?: OutcomeRecorder;
  /**
   * Lets the send start: resolves with a function to call once the provider has answered, or
   * null when the worker is stopping and the email must not be started (the distributor gives
   * its claim back). Without it every send starts at once.
   */
  readonly gate?: (provider: EmailProvider, row: EmailRow) => Promise<(() => void) | null>;
}

export type DeliveryResult = Outcome['kind'] | 'lost-lease' | 'not-started';

/**
 * Sends one claimed email and records what became of it; resolves once that is committed. Never
 * throws for a send failure.
 */
export async function deliver(
  ctx: AppContext, providers: ProviderRegistry, params: StoredParameters,
  row: EmailRow, raw: Buffer, options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const startedAt = ctx.clock.now();
  const outcome = await attempt(ctx, providers, params, row, raw, options);
  if (outcome === null) return 'not-started';
  const report = { row, startedAt, now: ctx.clock.now(), outcome };
  const recorded = options.recorder
    ? await options.recorder.record(report)
    : await recordOutcome(ctx.db, { ...report, worker: ctx.workerId });
  if (!recorded) return 'lost-lease';
  ctx.events.emit('email:changed', changeOf(ctx, row, report.now, outcome));
  if (outcome.kind === 'sent') ctx.events.emit('email:sent', row.id);
  if (outcome.kind === 'failed') ctx.events.emit('email:failed', row.id, outcome.code);
  await providers.recorded(row, raw, outcome);
  return outcome.kind;
}

const STATUS_AFTER = { sent: 'sent', failed: 'failed', retry: 'waiting', expired: 'expired', deferred: 'deferred', held: 'waiting' } as const;

function changeOf(ctx: AppContext, row: EmailRow, now: number, outcome: Outcome): EmailChange {
  const base = { id: row.id, event: outcome.kind, status: STATUS_AFTER[outcome.kind], provider: row.provider, worker: ctx.workerId, attempts: row.attempts };
  if (outcome.kind === 'sent') return { ...base, latencyMs: now - row.created_at };
  if (outcome.kind === 'deferred') return { ...base, attempts: row.attempts - 1, nextAttemptAt: outcome.nextAttemptAt };
  if (outcome.kind === 'held') return { ...base, attempts: row.attempts - 1, code: outcome.code, nextAttemptAt: outcome.nextAttemptAt };
  return { ...base, code: outcome.kind === 'expired' ? 'EXPIRED' : outcome.code, nextAttemptAt: outcome.nextAttemptAt };
}

async function attempt(
  ctx: AppContext, providers: ProviderRegistry, params: StoredParameters,
  row: EmailRow, raw: Buffer, { retry = true, throttle = true, gate }: DeliveryOptions,
): Promise<Outcome | null> {
  let route: Route;
  try {
    route = await providers.route(row, params);
  } catch (err) {
    if (databaseFault(err)) throw err;
    return failureOutcome(ctx, row, err, retry);
  }
  if (route.kind === 'wait') return { kind: 'held', code: route.code, response: route.message, nextAttemptAt: ctx.clock.now() + route.recheckMs };
  const { provider } = route;
  const leave = gate ? await gate(provider, row) : () => {};
  if (!leave) return null;
  try {
    const now = ctx.clock.now();
    // A database failure here is not the email's: it ends the pass, and the email, still
    // claimed, goes out once the database is back.
    if (throttle) {
      const force = row.deferrals >= MAX_DEFERRALS;
      const slot = await takeSendSlot(ctx.db, { provider: route.throttle.key, minute: minuteOf(now), limit: route.throttle.limit, force });
      if (!slot) return { kind: 'deferred', nextAttemptAt: (minuteOf(now) + 1) * 60_000 };
    }
    try {
      const receipt = await provider.send(toMessage(row, raw));
      return { kind: 'sent', recipientResults: JSON.stringify(receipt.recipients), response: receipt.response };
    } catch (err) {
      return failureOutcome(ctx, row, err, retry);
    }
  } finally {
    leave();
  }
}

function failureOutcome(ctx: AppContext, row: EmailRow, err: unknown, retry: boolean): Outcome {
  const e = isMailroomError(err) ? err : new MailroomError('INTERNAL', { message: (err as Error).message, cause: err });
  const failure = { code: e.code, response: e.response ?? e.message, command: e.command ?? null };
  if (!e.retryable || !retry) return { kind: 'failed', ...failure };
  // The service's own hint (Retry-After, BackOffMilliseconds) is the earliest next try.
  const nextAttemptAt = ctx.clock.now() + Math.max(retryDelayMs(row.attempts), e.retryAfterMs ?? 0);
  if (nextAttemptAt >= row.expires_at) return { kind: 'expired', ...failure };
  return { kind: 'retry', ...failure, nextAttemptAt };
}

export function toMessage(row: EmailRow, raw: Buffer): OutgoingMessage {
  const bcc = (JSON.parse(row.bcc_addrs) as { address: string }[]).map((m) => m.address);
  const to = [...JSON.parse(row.to_addrs), ...JSON.parse(row.cc_addrs)] as { address: string }[];
  return { id: row.id, messageId: row.message_id, envelope: { from: row.sender, to: [...to.map((m) => m.address), ...bcc], bcc }, raw, mode: row.mode };
}
