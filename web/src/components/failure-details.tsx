import type { FailureDetails } from '../api/types.ts';

/** The Failure details of an email: the server's own reply, what it means, and what to do. */
export function FailureDetailsView({ failure }: { failure: FailureDetails | null }) {
  if (!failure) return <p className="muted">This email has no failure recorded.</p>;
  return (
    <dl className="details failure" data-failure-code={failure.code}>
      <dt>Error code</dt>
      <dd><code data-testid="failure-code">{failure.code}</code>{failure.retryable ? ' (temporary: Mailroom tries again)' : ' (permanent)'}</dd>
      <dt>What happened</dt>
      <dd>{failure.message}</dd>
      <dt>Server reply</dt>
      <dd>{failure.response ? <code className="server-reply" data-testid="failure-response">{failure.response}</code> : <span className="muted">None: the failure happened before the server answered.</span>}</dd>
      {failure.command && <><dt>Command that failed</dt><dd><code>{failure.command}</code></dd></>}
      {failure.explanation && <><dt>Explanation</dt><dd data-testid="failure-explanation">{failure.explanation}</dd></>}
      {failure.fix && <><dt>Fix</dt><dd data-testid="failure-fix">{failure.fix}</dd></>}
    </dl>
  );
}
