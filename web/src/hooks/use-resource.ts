import { useCallback, useEffect, useRef, useState } from 'react';
import { get, toApiError, type ApiError } from '../api/client.ts';

export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: ApiError | null;
  /** True while the first load (or a load after the path changed) is under way. */
  readonly loading: boolean;
  /** When the data last arrived, for "updated at" lines on live pages. */
  readonly updatedAt: number | null;
  reload(): Promise<void>;
}

/**
 * GETs an API path, and again every `pollMs` when given (live pages refresh without a reload).
 * A null path loads nothing. Answers to an older request never overwrite a newer one.
 */
export function useResource<T>(path: string | null, options: { pollMs?: number } = {}): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const latest = useRef(0);

  const load = useCallback(async (quiet: boolean) => {
    if (path === null) return;
    const ticket = ++latest.current;
    if (!quiet) setLoading(true);
    try {
      const result = await get<T>(path);
      if (ticket !== latest.current) return;
      setData(result);
      setError(null);
      setUpdatedAt(Date.now());
    } catch (err) {
      if (ticket === latest.current) setError(toApiError(err));
    } finally {
      if (ticket === latest.current) setLoading(false);
    }
  }, [path]);

  useEffect(() => {
    setData(undefined);
    void load(false);
  }, [load]);

  useEffect(() => {
    if (!options.pollMs) return;
    const timer = setInterval(() => { if (!document.hidden) void load(true); }, options.pollMs);
    return () => clearInterval(timer);
  }, [load, options.pollMs]);

  const reload = useCallback(() => load(true), [load]);
  return { data, error, loading, updatedAt, reload };
}
