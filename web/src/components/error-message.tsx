import type { ApiError } from '../api/client.ts';

/**
 * A failure as a person reads it: what went wrong, why, and what to do, from the server's error
 * body. Field-level reasons are shown beside their fields; this box carries the rest.
 */
export function ErrorMessage({ error, title }: { error: ApiError | null; title?: string }) {
  if (!error) return null;
  return (
    <div className="notice notice-error" role="alert" data-error-code={error.code}>
      <p className="notice-title">{title ?? error.message}</p>
      {title && <p>{error.message}</p>}
      {error.explanation && <p>{error.explanation}</p>}
      {error.fix && <p><strong>What to do: </strong>{error.fix}</p>}
      {error.response && <p>Server reply: <code>{error.response}</code></p>}
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'success' | 'warning'; children: React.ReactNode }) {
  return <div className={`notice notice-${kind}`} role="status">{children}</div>;
}
