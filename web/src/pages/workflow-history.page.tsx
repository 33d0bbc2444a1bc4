import { useState } from 'react';
import { api, toApiError, type ApiError } from '../api/client.ts';
import type { WorkflowHistory } from '../api/schema.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { formatTime, STATUS_LABELS } from '../components/format.ts';
import { Page, Section } from '../components/page.tsx';
import { BusyButton, Progress } from '../components/progress.tsx';
import { useApiQuery } from '../lib/query.ts';
import { Link, useParams } from 'react-router';
import { useSession } from '../session.tsx';

const FINAL = ['completed', 'stopped', 'terminated'];

type Notification = WorkflowHistory['events'][number]['notifications'][number];

/** What became of a notification: skipped or failed with the reason, or its email as it stands now, linked for those who may open it. */
function NotificationState({ n }: { n: Notification }) {
  if (n.status === 'skipped') return <>not sent ({n.reason === 'option-off' ? 'Send notifications in email is off' : n.reason})</>;
  if (n.status === 'failed') return <>not queued ({n.reason ?? 'failed'})</>;
  if (!n.emailId) return <>queued</>;
  if (!n.emailStatus) return <span className="muted">email no longer in the history</span>;
  const status = `email ${STATUS_LABELS[n.emailStatus].toLowerCase()}`;
  return n.emailVisible
    ? <Link to={`/history/${encodeURIComponent(n.emailId)}`} data-email-status={n.emailStatus}>{status}</Link>
    : <span data-email-status={n.emailStatus}>{status}</span>;
}

/** Workflow history: every event and assignment, and for each notification whom it went to and how it fared. */
export function WorkflowHistoryPage() {
  const params = useParams();
  const { me, isAdmin } = useSession();
  const path = `/api/workflow/instances/${encodeURIComponent(params.id ?? '')}/history`;
  const history = useApiQuery<WorkflowHistory>(path, { pollMs: 15_000 });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const instance = history.data?.instance;
  const mayCancel = instance && !FINAL.includes(instance.status) && (isAdmin || instance.originatorId === me.user.id);

  const cancel = async () => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/api/workflow/instances/${encodeURIComponent(params.id ?? '')}/cancel`, {});
      await history.refetch();
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={instance ? `Workflow history: ${instance.title}` : 'Workflow history'}
      actions={mayCancel ? <BusyButton type="button" className="button" busy={busy} busyLabel="Cancelling…" onClick={() => void cancel()}>Cancel workflow</BusyButton> : undefined}
      intro={<Link to="/workflow/instances">All workflows</Link>}>
      <ErrorMessage error={history.error ?? error} />
      {history.isLoading && !history.data && <Progress label="Loading the history…" />}
      {instance && history.data && (
        <>
          <dl className="details">
            <dt>Workflow</dt><dd>{instance.workflow.name} ({instance.workflow.scope}-level, template {instance.workflow.templateEmailId})</dd>
            <dt>Document</dt><dd>{instance.title}{instance.documentRef ? ` (${instance.documentRef})` : ''}, {instance.documentType}</dd>
            <dt>Status</dt><dd data-testid="workflow-status">{instance.status}, step {instance.currentStepName}</dd>
          </dl>
          <Section title="Events">
            <table className="grid">
              <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Event</th><th scope="col">Step</th><th scope="col">By</th><th scope="col">Assigned to</th><th scope="col">Comment</th><th scope="col">Email notifications</th></tr></thead>
              <tbody>
                {history.data.events.map((e) => (
                  <tr key={e.seq} data-event={e.event}>
                    <td>{e.seq}</td><td className="nowrap">{formatTime(e.at)}</td><td>{e.label}</td><td>{e.stepName ?? ''}</td>
                    <td>{e.actor?.name ?? ''}</td><td>{e.assignee?.name ?? ''}</td><td>{e.comment ?? ''}</td>
                    <td>
                      {e.notifications.length === 0 ? <span className="muted">—</span> : (
                        <ul>
                          {e.notifications.map((n, i) => (
                            <li key={i} data-notification={n.userName}>
                              {n.userName}: <NotificationState n={n} />
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        </>
      )}
    </Page>
  );
}
