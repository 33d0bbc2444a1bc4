// Data from the API, through TanStack Query: one cache for the whole console, keyed by API path,
// so two pages that show the same thing share one request, and a change refreshes what it touched.
import { QueryClient, useMutation, useQuery, useQueryClient, type UseMutationResult, type UseQueryResult } from '@tanstack/react-query';
import { get, toApiError, type ApiError } from '../api/client.ts';

declare module '@tanstack/react-query' {
  interface Register {
    defaultError: ApiError;
  }
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // A refused request (4xx) is an answer, not a hiccup: show it at once. The network gets one more try.
      queries: { retry: (count, error) => error.status === 0 && count < 1, refetchOnWindowFocus: false, staleTime: 0 },
      mutations: { retry: false },
    },
  });
}

/** The cache key of an API path: its segments, so a change under /api/users refreshes /api/users/u1 too. */
export const apiKey = (path: string) => ['api', ...path.split('?')[0]!.split('/').filter(Boolean).slice(1), path.includes('?') ? path.slice(path.indexOf('?')) : ''];

/**
 * GETs an API path, and again every `pollMs` while the tab is visible (a function of the last answer
 * polls only while it returns a number). A null path loads nothing.
 * Returns TanStack's query result: `data`, `error` (an ApiError), `isPending`, `refetch()`, `dataUpdatedAt`.
 */
export function useApiQuery<T>(path: string | null, options: { pollMs?: number | ((data: T | undefined) => number | undefined) } = {}): UseQueryResult<T, ApiError> {
  const { pollMs } = options;
  return useQuery<T, ApiError>({
    queryKey: path === null ? ['none'] : apiKey(path),
    queryFn: async () => {
      try { return await get<T>(path!); } catch (err) { throw toApiError(err); }
    },
    enabled: path !== null,
    refetchInterval: typeof pollMs === 'function' ? (query) => pollMs(query.state.data) ?? false : pollMs,
    refetchIntervalInBackground: false,
  });
}

/**
 * A change made through the API: `mutate(variables)`, `isPending` while it runs, `error` (an
 * ApiError), `data` (the answer) and `reset()`. When it succeeds, the cached answers under each of
 * `invalidates` (API paths, e.g. '/api/users') are fetched again.
 */
export function useApiMutation<V = void, R = unknown>(work: (variables: V) => Promise<R>, options: { invalidates?: readonly string[] } = {}): UseMutationResult<R, ApiError, V> {
  const client = useQueryClient();
  return useMutation<R, ApiError, V>({
    mutationFn: async (variables) => {
      try { return await work(variables); } catch (err) { throw toApiError(err); }
    },
    onSuccess: async () => {
      await Promise.all((options.invalidates ?? []).map((p) => client.invalidateQueries({ queryKey: apiKey(p).slice(0, -1) })));
    },
  });
}
