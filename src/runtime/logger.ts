import pino from 'pino';
import type { EmailChange, MailboxAlertEvent } from '../app-context.ts';
import type { Config } from '../config/config.schema.ts';

/** The part of pino Mailroom logs through: one JSON object per line on standard output. */
export type Logger = Pick<pino.Logger, 'info' | 'warn' | 'error' | 'debug'>;

export function createLogger(config: Pick<Config, 'logLevel' | 'workerId'>): Logger {
  return pino({ level: config.logLevel, base: { worker: config.workerId } });
}

/**
 * The line for one email state change, at the default level. It names the email by its ID and
 * says what happened; never an address, a subject, a body or a credential.
 */
export function logEmailChange(logger: Logger, change: EmailChange): void {
  const { id, event, status, provider, attempts, code, nextAttemptAt, latencyMs, actor } = change;
  logger.info({
    kind: 'email', email: id, event, status, provider,
    ...(attempts !== undefined ? { attempts } : {}),
    ...(code !== undefined ? { code } : {}),
    ...(nextAttemptAt !== undefined ? { nextAttemptAt: new Date(nextAttemptAt).toISOString() } : {}),
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(actor !== undefined ? { actor } : {}),
  }, `email ${event}`);
}

/** The line for one mailbox alert: warnings and errors at warn, information at info; ids and the code only. */
export function logMailboxAlert(logger: Logger, alert: MailboxAlertEvent): void {
  const line = { kind: 'mailbox-alert', mailbox: alert.mailboxId, profile: alert.profileId, level: alert.level, code: alert.code, channel: alert.channel };
  if (alert.level === 'information') logger.info(line, 'mailbox alert');
  else logger.warn(line, `mailbox ${alert.level}`);
}

/** What a logged error may show: its code and message, never its cause chain's objects. */
export function errorFields(err: unknown): { code?: string; error: string } {
  const e = err as { code?: unknown; message?: unknown };
  return { ...(typeof e.code === 'string' ? { code: e.code } : {}), error: typeof e.message === 'string' ? e.message : String(err) };
}
