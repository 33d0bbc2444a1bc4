import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { isMailroomError } from '../errors.ts';
import { databaseFault } from '../store/database-errors.ts';
import { errorFields, type Logger } from './logger.ts';

export interface LoopHealth {
  readonly name: string;
  /** Running, and either in a pass or not later than its next pass was due. */
  readonly alive: boolean;
  readonly inPass: boolean;
  /** When the last pass ended (ISO time), and whether it failed. */
  readonly lastPassAt: string | null;
  /** The registry code of the last pass's failure (health is public: no message, no detail). */
  readonly lastError: { readonly code: string; readonly at: string } | null;
}

/** Grace after a loop's next pass was due before it counts as stuck. */
const LATE_MS = 30_000;

/** What a long-running loop (distributor, workflow sweep, scheduler) tells health about itself. */
export class LoopMonitor {
  readonly name: string;
  #running = false;
  #inPass = false;
  #lastPassAt: number | null = null;
  #expectedBy = Number.POSITIVE_INFINITY;
  #lastError: LoopHealth['lastError'] = null;
  readonly #now: () => number;

  constructor(name: string, now: () => number = Date.now) {
    this.name = name;
    this.#now = now;
  }

  started(firstPassInMs: number) { this.#running = true; this.#expectedBy = this.#now() + firstPassInMs + LATE_MS; }
  passStarted() { this.#inPass = true; }
  /** A pass ended; the next one is due within nextInMs. */
  passEnded(nextInMs: number, error?: unknown) {
    const now = this.#now();
    this.#inPass = false;
    this.#lastPassAt = now;
    this.#expectedBy = now + nextInMs + LATE_MS;
    this.#lastError = error === undefined ? null : { code: registryCode(error), at: new Date(now).toISOString() };
  }
  stopped() { this.#running = false; }

  snapshot(): LoopHealth {
    return {
      name: this.name,
      alive: this.#running && (this.#inPass || this.#now() <= this.#expectedBy),
      inPass: this.#inPass,
      lastPassAt: this.#lastPassAt === null ? null : new Date(this.#lastPassAt).toISOString(),
      lastError: this.#lastError,
    };
  }
  /** Seconds since the epoch of the last pass's end, for /metrics. */
  lastPassSeconds(): number | null { return this.#lastPassAt === null ? null : this.#lastPassAt / 1000; }
}

/**
 * Says once when the database goes away and once when it is back, however many loops and
 * requests notice it in between. Each report says when the work it stands for started
 * (watch.now()): work that began before the last change of state tells nothing new. A pass that
 * finished its queries before a cut, and ends after it, does not announce the database back; a
 * query that was already failing when the database came back does not announce a second outage.
 */
export class DatabaseWatch {
  #down: string | null = null;
  /** When the state last changed (performance.now()). */
  #changedAt = Number.NEGATIVE_INFINITY;
  readonly #logger: Logger;
  constructor(logger: Logger) { this.#logger = logger; }

  /** The clock reports are stamped with: monotonic, unlike the wall clock or a test's clock. */
  now(): number { return performance.now(); }

  /** An error from any loop: a database fault marks the database away. */
  failed(err: unknown, startedAt = this.now()) {
    const fault = databaseFault(err);
    if (!fault || this.#down || startedAt < this.#changedAt) return;
    this.#down = fault;
    this.#changedAt = this.now();
    this.#logger.warn({ kind: 'database', state: 'unavailable', fault, ...errorFields(err) }, 'database unavailable: retrying');
  }
  /** Work that started at startedAt reached the database. */
  reachable(startedAt: number) {
    if (!this.#down || startedAt < this.#changedAt) return;
    this.#down = null;
    this.#changedAt = this.now();
    this.#logger.info({ kind: 'database', state: 'reachable' }, 'database reachable again');
  }
  get down(): boolean { return this.#down !== null; }
}

export interface ReadyReport {
  readonly ready: boolean;
  readonly stopping: boolean;
  readonly database: { readonly reachable: boolean; readonly dialect: string; readonly code?: string };
  readonly loops: readonly LoopHealth[];
}

const PROBE_TIMEOUT_MS = 2_000;

/** One query to the database, answered within two seconds either way. */
export async function probeDatabase(ctx: AppContext, watch?: DatabaseWatch): Promise<ReadyReport['database']> {
  let timer: NodeJS.Timeout | undefined;
  const startedAt = watch?.now() ?? 0;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('the database did not answer within 2 seconds'), { code: 'ETIMEDOUT' })), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([sql`select 1`.execute(ctx.db), timeout]);
    watch?.reachable(startedAt);
    return { reachable: true, dialect: ctx.dialect };
  } catch (err) {
    watch?.failed(err, startedAt);
    return { reachable: false, dialect: ctx.dialect, code: databaseFault(err) ?? 'DATABASE_UNAVAILABLE' };
  } finally {
    clearTimeout(timer);
  }
}

/** The registry code an error stands for: a database fault, its own code, or INTERNAL. */
export const registryCode = (err: unknown): string => databaseFault(err) ?? (isMailroomError(err) ? err.code : 'INTERNAL');
