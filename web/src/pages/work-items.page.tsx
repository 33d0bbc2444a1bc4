import { useState } from 'react';
import { api, toApiError, type ApiError } from '../api/client.ts';
import type { WorkItem, WorkItemAction } from '../api/schema.ts';
import { ErrorMessage, Notice } from '../components/error-message.tsx';
import { CheckboxField, TextField } from '../components/fields.tsx';
import { formatTime } from '../components/format.ts';
import { Page, Section } from '../components/page.tsx';
import { BusyButton, Progress } from '../components/progress.tsx';
import { useApiQuery } from '../lib/query.ts';
import { Link } from 'react-router';

const ACTION_LABELS: Record<WorkItemAction, string> = {
  approve: 'Approve', reject: 'Reject', 'request-change': 'Request change', delegate: 'Delegate', resubmit: 'Resubmit',
};

/** Work items assigned to you: approve, reject, request a change, delegate; resubmit what came back to you. */
export function WorkItemsPage() {
  const [all, setAll] = useState(false);
  const items = useApiQuery<WorkItem[]>(`/api/work-items${all ? '?all=true' : ''}`, { pollMs: 15_000 });
  const [done, setDone] = useState('');
  return (
    <Page title="Work items" intro="Work items assigned to you by workflows.">
      <CheckboxField label="Show completed work items too" checked={all} onChange={(e) => setAll(e.target.checked)} />
      {done && <Notice kind="success">{done}</Notice>}
      <ErrorMessage error={items.error} />
      {items.isLoading && !items.data && <Progress label="Loading work items…" />}
      {items.data && items.data.length === 0 && <p className="empty">Nothing is waiting for you.</p>}
      {items.data?.map((item) => <WorkItemCard key={item.id} item={item} onDone={(message) => { setDone(message); void items.refetch(); }} />)}
    </Page>
  );
}

function WorkItemCard({ item, onDone }: { item: WorkItem; onDone(message: string): void }) {
  const [comment, setComment] = useState('');
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState<WorkItemAction | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const act = async (action: WorkItemAction) => {
    setBusy(action);
    setError(null);
    try {
      const result = await api<WorkItem>('POST', `/api/work-items/${encodeURIComponent(item.id)}/${action}`, { comment, ...(action === 'delegate' ? { to } : {}) });
      onDone(`${ACTION_LABELS[action]}: the work item is now ${result.status}.`);
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Section title={item.subject}>
      <dl className="details">
        <dt>Document</dt><dd>{item.document.title}{item.document.ref ? ` (${item.document.ref})` : ''}</dd>
        <dt>Workflow</dt><dd>{item.workflow}, step {item.stepName}</dd>
        <dt>Status</dt><dd>{item.status}{item.kind === 'change-request' ? ' (a change was requested)' : ''}</dd>
        <dt>Assigned</dt><dd>{formatTime(item.createdAt)}{item.dueAt ? `, due ${formatTime(item.dueAt)}` : ''}</dd>
        {item.instructions && <><dt>Instructions</dt><dd>{item.instructions}</dd></>}
      </dl>
      <p><Link to={`/workflow/instances/${encodeURIComponent(item.instanceId)}`}>Workflow history</Link></p>
      {item.actions.length > 0 && (
        <div aria-label="Actions">
          <TextField label="Comment" value={comment} onChange={(e) => setComment(e.target.value)} autoComplete="off" />
          {item.actions.includes('delegate') && <TextField label="Delegate to (user name)" value={to} onChange={(e) => setTo(e.target.value)} autoComplete="off" />}
          <div className="row">
            {item.actions.map((a) => (
              <BusyButton key={a} type="button" className={a === 'approve' || a === 'resubmit' ? 'button primary' : 'button'} busy={busy === a}
                busyLabel={`${ACTION_LABELS[a]}…`} disabled={busy !== null && busy !== a} onClick={() => void act(a)}>{ACTION_LABELS[a]}</BusyButton>
            ))}
          </div>
        </div>
      )}
      <ErrorMessage error={error} />
    </Section>
  );
}
