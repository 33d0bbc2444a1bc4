import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.ts';
import { withDatabaseRetry } from '../store/database-errors.ts';
import { recordOutcomes, type OutcomeReport } from './email.repository.ts';

export interface OutcomeRecorderConfig {
  /** The worker whose claims the outcomes are for. */
  readonly worker: string;
  /** Write at once when this many outcomes wait: the distributor gives its lanes, all waiting. */
  readonly maxBatch?: number;
  /**
   * How long the first outcome of a batch waits for others; 0 waits for the next event-loop turn.
   * At 4 ms a batch holds about 20 emails at the rates bench/outbound measures; 1–2 ms gave
   * batches of 5–10 and less of the gain, 8 ms no more.
   */
  readonly delayMs?: number;
  /** Told each time a write failed because the database is away, before it is tried again. */
  readonly onRetry?: (err: unknown) => void;
}

export interface OutcomeRecorder {
  /**
   * Writes one claimed email's outcome together with others. Resolves once the transaction that
   * holds it has committed: true, or false when the worker no longer held the claim and nothing
   * was written for that email. Rejects, as every outcome of that transaction does, if it failed.
   */
  record(report: OutcomeReport): Promise<boolean>;
}

interface Waiting {
  readonly report: OutcomeReport;
  resolve(recorded: boolean): void;
  reject(err: unknown): void;
}

/**
 * Group commit of delivery outcomes: a transaction per email costs SQLite a quarter of the
 * delivery CPU and PostgreSQL an fsync each, so outcomes that wait at the same time are written
 * in one. Nothing is held back from the database that a crash could lose: an email's outcome is
 * only reported (and its events emitted) once committed, and until then the email stays claimed,
 * to be taken over after its lease like any other that a dead worker left.
 */
export function createOutcomeRecorder(db: Kysely<Database>, config: OutcomeRecorderConfig): OutcomeRecorder {
  const { worker, maxBatch = 32, delayMs = 4, onRetry } = config;
  const pending: Waiting[] = [];
  let writing = false;
  let cancelTimer: (() => void) | undefined;

  const startTimer = () => {
    if (delayMs > 0) {
      const timeout = setTimeout(writeAll, delayMs);
      cancelTimer = () => clearTimeout(timeout);
    } else {
      const immediate = setImmediate(writeAll);
      cancelTimer = () => clearImmediate(immediate);
    }
  };
  const writeAll = async () => {
    cancelTimer?.();
    cancelTimer = undefined;
    writing = true;
    // Outcomes that came in during a commit have waited for a whole transaction: the next starts
    // at once. One transaction at a time, so each takes in everything that waited for it.
    while (pending.length > 0) {
      const batch = pending.splice(0, maxBatch);
      try {
        // While the database is away (a restart, a failover, a locked file) the outcomes wait and
        // are written once it is back: the emails were sent, and writing that now is what keeps
        // them from being sent again. Had the commit gone through before the connection dropped,
        // the retry finds the claims already given up and changes nothing.
        const reports = batch.map((w) => w.report);
        const recorded = await withDatabaseRetry(() => recordOutcomes(db, worker, reports), { onRetry });
        batch.forEach((w, i) => w.resolve(recorded[i]!));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    writing = false;
  };

  return {
    record(report) {
      return new Promise<boolean>((resolve, reject) => {
        pending.push({ report, resolve, reject });
        if (writing) return;
        if (pending.length >= maxBatch) void writeAll();
        else if (!cancelTimer) startTimer();
      });
    },
  };
}
