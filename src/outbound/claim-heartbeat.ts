import type { AppContext } from '../app-context.ts';
import { renewClaims } from './email.repository.ts';

export interface ClaimHeartbeatConfig {
  /** How often the claims are renewed; a third of the lease by default, so two beats can fail. */
  readonly intervalMs?: number;
  /** Told when a beat failed (the database is away); the next beat tries again. */
  readonly onError?: (err: unknown) => void;
  /** Told after every beat that reached the database, with when it started (performance.now()). */
  readonly onBeat?: (startedAt: number) => void;
  /** Told when a beat failed, with when it started (performance.now()). */
  readonly onBeatError?: (err: unknown, startedAt: number) => void;
}

export interface ClaimHeartbeat {
  /**
   * Until when every email this worker held at the last successful beat is certainly still its
   * own: the beat's start plus the lease. -Infinity before the first one.
   */
  heldUntil(): number;
  /** Renews now (the timer does it on its own). */
  beat(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The live worker's heartbeat: every few seconds it starts the lease of every email the worker
 * holds afresh, so claims stay short (a dead worker's emails are free once its lease runs out)
 * while a live worker keeps each email as long as its send takes, however slow the server.
 */
export function startClaimHeartbeat(ctx: AppContext, config: ClaimHeartbeatConfig = {}): ClaimHeartbeat {
  const intervalMs = config.intervalMs ?? Math.max(100, Math.floor(ctx.leaseMs / 3));
  let heldUntil = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | undefined;

  const beat = () => {
    running ??= (async () => {
      const startedAt = ctx.clock.now();
      const began = performance.now();
      try {
        await renewClaims(ctx.db, ctx.dialect, { worker: ctx.workerId, now: startedAt, leaseMs: ctx.leaseMs });
        heldUntil = Math.max(heldUntil, startedAt + ctx.leaseMs);
        config.onBeat?.(began);
      } catch (err) {
        config.onError?.(err);
        config.onBeatError?.(err, began);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void beat(), intervalMs);
  timer.unref();
  return {
    heldUntil: () => heldUntil,
    beat,
    async stop() { clearInterval(timer); await running; },
  };
}
