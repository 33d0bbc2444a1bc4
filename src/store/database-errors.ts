// Which database failures mean "the database is away for now" (a restart, a failover, a dropped
// connection, a locked or full SQLite file): they are retried, and the API answers 503 for them.
// Anything else (a constraint, a syntax error) is a bug or bad input and is never retried here.
import { setTimeout as sleep } from 'node:timers/promises';
import { MailroomError, type ErrorCode } from '../errors.ts';

export type DatabaseFault = 'DATABASE_UNAVAILABLE' | 'DATABASE_BUSY' | 'DATABASE_FULL';

// Socket-level failures between Mailroom and PostgreSQL.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// SQLSTATEs of a server going away or refusing for now: class 08 (connection exception),
// 57P01–57P03 (admin/crash shutdown, cannot connect now), 53300 (too many connections).
const PG_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;
// A deadlock or a serialization failure: the transaction did nothing and can run again.
const PG_RETRY_TRANSACTION = new Set(['40P01', '40001']);
// What pg and pg-pool say, without a code, when a connection ends under a query or cannot be made.
const PG_MESSAGES = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed and is not queryable|Connection ended/i;
// SQLite primary result codes (extended codes carry them in the low byte).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_FULL = 13;
const SQLITE_IOERR = 10;

/** The fault an error (or any error in its cause chain) stands for, or null for any other error. */
export function databaseFault(err: unknown): DatabaseFault | null {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    // A registry error already says what it is: a refused SMTP connection carries ECONNREFUSED
    // as its cause, and is no database fault. Only INTERNAL hides what went wrong.
    if (e instanceof MailroomError) {
      if (isFaultCode(e.code)) return e.code;
      if (e.code !== 'INTERNAL') return null;
      continue;
    }
    const fault = ownFault(e as Record<string, unknown>);
    if (fault) return fault;
  }
  return null;
}

function ownFault(e: Record<string, unknown>): DatabaseFault | null {
  const code = typeof e.code === 'string' ? e.code : '';
  if (code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number') {
    const primary = e.errcode & 0xff;
    if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) return 'DATABASE_BUSY';
    if (primary === SQLITE_FULL) return 'DATABASE_FULL';
    if (primary === SQLITE_IOERR) return 'DATABASE_UNAVAILABLE';
    return null;
  }
  if (NETWORK_CODES.has(code) || PG_UNAVAILABLE.test(code)) return 'DATABASE_UNAVAILABLE';
  if (PG_RETRY_TRANSACTION.has(code)) return 'DATABASE_BUSY';
  if (typeof e.message === 'string' && PG_MESSAGES.test(e.message)) return 'DATABASE_UNAVAILABLE';
  return null;
}

const isFaultCode = (code: ErrorCode): code is DatabaseFault =>
  code === 'DATABASE_UNAVAILABLE' || code === 'DATABASE_BUSY' || code === 'DATABASE_FULL';

/** The registry error for a database fault, keeping the driver's own words; null for other errors. */
export function toDatabaseError(err: unknown): MailroomError | null {
  const fault = databaseFault(err);
  if (!fault) return null;
  if (err instanceof MailroomError && err.code === fault) return err;
  return new MailroomError(fault, { cause: err });
}

/** Seconds a client should wait before trying again while the database is away. */
export const RETRY_AFTER_SECONDS = 5;

export interface RetryOptions {
  /** Give up (throw the last error) once this signal aborts. */
  readonly signal?: AbortSignal;
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Told about each failure that will be retried. */
  readonly onRetry?: (err: unknown, delayMs: number) => void;
}

/**
 * Runs `fn` until it succeeds, waiting (doubling, up to maxDelayMs) after each failure that is a
 * database fault; any other error, or one after the signal aborted, is thrown as it is.
 */
export async function withDatabaseRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { signal, firstDelayMs = 250, maxDelayMs = 5_000, onRetry } = options;
  for (let delay = firstDelayMs; ; delay = Math.min(delay * 2, maxDelayMs)) {
    try {
      return await fn();
    } catch (err) {
      if (!databaseFault(err) || signal?.aborted) throw err;
      onRetry?.(err, delay);
      await sleep(delay, undefined, { signal }).catch(() => { throw err; });
    }
  }
}

/** The next wait of a loop that keeps failing on the database: 1 s, 2 s, 4 s … up to 10 s. */
export const backoffMs = (failures: number) => Math.min(1_000 * 2 ** Math.max(0, failures - 1), 10_000);
