import { api } from '../api/client.ts';
import type { EmailView } from '../api/schema.ts';
import { ErrorMessage, Notice } from '../components/error-message.tsx';
import { formatMailboxes, formatTime, formatTimeOfDay, relativeTime } from '../components/format.ts';
import { Page } from '../components/page.tsx';
import { Progress } from '../components/progress.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { useApiMutation, useApiQuery } from '../lib/query.ts';
import { Link } from 'react-router';
import { useSession } from '../session.tsx';

const POLL_MS = 2_000;

/** Batch email sending status: the queue, live. Waiting emails can be cancelled here. */
export function SendingStatusPage() {
  const { isAdmin } = useSession();
  const queue = useApiQuery<EmailView[]>('/api/queue', { pollMs: POLL_MS });
  const cancel = useApiMutation((id: string) => api<EmailView>('POST', `/api/emails/${encodeURIComponent(id)}/cancel`), { invalidates: ['/api/queue', '/api/emails'] });

  const onCancel = (email: EmailView) => cancel.mutate(email.id);
  const retry = useApiMutation((id: string) => api<EmailView>('POST', `/api/emails/${encodeURIComponent(id)}/retry-now`), { invalidates: ['/api/queue', '/api/emails'] });

  return (
    <Page title="Batch email sending status" intro={
      <>Emails waiting to be sent, being sent, or deferred by throttling. {isAdmin ? 'Everyone’s emails are shown.' : 'Your emails are shown.'}
        {' '}{isAdmin && <Link to="/distributor">Email distributor batch</Link>}</>}>
      <p className="live-line" aria-live="off">
        <span className="live-dot" aria-hidden="true" /> Live: refreshes every {POLL_MS / 1000} seconds.
        {queue.dataUpdatedAt > 0 && <> Last update {formatTimeOfDay(queue.dataUpdatedAt)}.</>}
      </p>
      <ErrorMessage error={queue.error ?? cancel.error ?? retry.error} />
      {cancel.data && <Notice kind="success">“{cancel.data.subject || '(no subject)'}” was cancelled.</Notice>}
      {!queue.data && !queue.error && <Progress label="Loading the queue…" />}
      {queue.data && queue.data.length === 0 && <p className="empty" data-testid="queue-empty">The queue is empty: nothing waits to be sent.</p>}
      {queue.data && queue.data.length > 0 && (
        <table className="grid" aria-label="Queue">
          <thead>
            <tr>
              <th scope="col">Subject</th><th scope="col">Email sender</th><th scope="col">To</th><th scope="col">Status</th>
              <th scope="col">Attempts</th><th scope="col">Deferrals</th><th scope="col">Next try</th><th scope="col">Last error</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {queue.data.map((e) => (
              <tr key={e.id} data-email-id={e.id} data-status={e.status}>
                <td><Link to={`/history/${encodeURIComponent(e.id)}`}>{e.subject || '(no subject)'}</Link></td>
                <td>{e.sender}</td>
                <td>{formatMailboxes(e.to)}</td>
                <td><StatusBadge status={e.status} /></td>
                <td>{e.attempts}</td>
                <td>{e.deferrals}</td>
                <td title={formatTime(e.nextAttemptAt)}>{e.status === 'sending' ? 'sending now' : e.nextAttemptAt && e.nextAttemptAt > Date.now() ? relativeTime(e.nextAttemptAt) : 'due now'}</td>
                <td>{e.failure ? <code>{e.failure.code}</code> : '—'}</td>
                <td><div className="actions">
                  {isAdmin && (e.status === 'waiting' || e.status === 'deferred') && (
                    <button type="button" className="button small" disabled={retry.isPending} aria-label={`Retry now ${e.subject || 'email'}`}
                      onClick={() => retry.mutate(e.id)}>Retry now</button>
                  )}
                  {(e.status === 'waiting' || e.status === 'deferred') && (
                    <button type="button" className="button small danger" disabled={cancel.isPending} aria-label={`Cancel ${e.subject || 'email'}`}
                      onClick={() => onCancel(e)}>Cancel</button>
                  )}
                </div></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
