// How long a transient failure waits before the next try: a pure function of the attempt count.
// Growing gaps (1, 2, 5, 10, 30 minutes, then hourly) until the email expires.
const DELAYS_MIN = [1, 2, 5, 10, 30, 60] as const;

export function retryDelayMs(attempt: number): number {
  const index = Math.min(Math.max(attempt, 1), DELAYS_MIN.length) - 1;
  return DELAYS_MIN[index]! * 60_000;
}

/** After this many deferrals by the per-minute limit, an email is sent regardless. */
export const MAX_DEFERRALS = 10;

export const minuteOf = (ms: number) => Math.floor(ms / 60_000);
