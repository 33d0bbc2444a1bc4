import { useCallback, useState } from 'react';
import { toApiError, type ApiError } from '../api/client.ts';

export interface Action<A extends unknown[], R> {
  run(...args: A): Promise<R | undefined>;
  readonly busy: boolean;
  readonly error: ApiError | null;
  readonly result: R | undefined;
  reset(): void;
}

/** A button's work: busy while it runs, the server's error when it fails, the result when it ends. */
export function useAction<A extends unknown[], R>(work: (...args: A) => Promise<R>): Action<A, R> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<R | undefined>(undefined);
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      const r = await work(...args);
      setResult(r);
      return r;
    } catch (err) {
      setError(toApiError(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, [work]);
  const reset = useCallback(() => { setError(null); setResult(undefined); }, []);
  return { run, busy, error, result, reset };
}
