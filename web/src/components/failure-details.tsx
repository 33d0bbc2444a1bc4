import type { FailureDetails } from '../api/schema.ts';
import { describeSmtpCommand } from './format.ts';

/** The Failure details of an email: the server's own reply, what it means, and what to do. */
export function FailureDetailsView({ failure, retried = true }: { failure: FailureDetails | null; retried?: boolean }) {
  if (!failure) return <p className="muted">This email has no failure recorded.</p>;
  return (
    <dl className="details failure" data-failure-code={failure.code}>
      <dt>Error code</dt>
      <dd><code data-testid="failure-code">{failure.code}</code>{!failure.retryable ? ' (permanent)' : retried ? ' (temporary: Mailroom tries again)' : ' (temporary: a test email is not retried; send it again once the server is reachable)'}</dd>
      <dt>What happened</dt>
      <dd>{failure.message}</dd>
      <dt>Server reply</dt>
      <dd>{failure.response ? <code className="server-reply" data-testid="failure-response">{failure.response}</code> : <span className="muted">None: the failure happened before the server answered.</span>}</dd>
      {failure.command && <><dt>Step that failed</dt><dd data-testid="failure-step">{describeSmtpCommand(failure.command)}</dd></>}
      {failure.explanation && <><dt>Explanation</dt><dd data-testid="failure-explanation">{failure.explanation}</dd></>}
      {failure.fix && <><dt>Fix</dt><dd data-testid="failure-fix">{failure.fix}</dd></>}
    </dl>
  );
}
