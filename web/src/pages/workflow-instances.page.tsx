import { useState, type FormEvent } from 'react';
import { api, toApiError, type ApiError } from '../api/client.ts';
import type { Organization, WorkflowInstance } from '../api/schema.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { SelectField, TextField } from '../components/fields.tsx';
import { formatTime } from '../components/format.ts';
import { Page, Section } from '../components/page.tsx';
import { BusyButton, Progress } from '../components/progress.tsx';
import { useApiQuery } from '../lib/query.ts';
import { Link, useNavigate } from 'react-router';

/** Submit a document to workflow, and the workflows you submitted (administrators: all). */
export function WorkflowInstancesPage() {
  const instances = useApiQuery<WorkflowInstance[]>('/api/workflow/instances', { pollMs: 15_000 });
  const organizations = useApiQuery<Organization[]>('/api/organizations');
  const navigate = useNavigate();
  const [form, setForm] = useState({ documentType: '', title: '', ref: '', organization: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const started = await api<WorkflowInstance>('POST', '/api/workflow/submit', { ...form, organization: form.organization || null });
      navigate(`/workflow/instances/${encodeURIComponent(started.id)}`);
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Submitted workflows" intro="Submit a document to its workflow, then follow it in the workflow history.">
      <Section title="Submit a document">
        <form onSubmit={submit} aria-label="Submit a document" noValidate>
          <div className="grid-2">
            <div>
              <TextField label="Document type" value={form.documentType} onChange={set('documentType')} hint="e.g. purchase-requisition" autoComplete="off" />
              <TextField label="Title" value={form.title} onChange={set('title')} autoComplete="off" />
            </div>
            <div>
              <TextField label="Reference" value={form.ref} onChange={set('ref')} hint="The document's own number, e.g. PR-000123" autoComplete="off" />
              <SelectField label="Organization" value={form.organization} onChange={set('organization')}
                options={[{ value: '', label: '(none)' }, ...(organizations.data ?? []).map((o) => ({ value: o.id, label: `${o.code} ${o.name}` }))]} />
            </div>
          </div>
          <ErrorMessage error={error} />
          <div className="row"><BusyButton type="submit" busy={busy} busyLabel="Submitting…">Submit</BusyButton></div>
        </form>
      </Section>
      <ErrorMessage error={instances.error} />
      {instances.isLoading && !instances.data && <Progress label="Loading workflows…" />}
      {instances.data && (
        <Section title="Workflows">
          {instances.data.length === 0 ? <p className="empty">No workflow yet.</p> : (
            <table className="grid">
              <thead><tr><th scope="col">Document</th><th scope="col">Workflow</th><th scope="col">Status</th><th scope="col">Step</th><th scope="col">Submitted</th></tr></thead>
              <tbody>
                {instances.data.map((i) => (
                  <tr key={i.id}>
                    <td><Link to={`/workflow/instances/${encodeURIComponent(i.id)}`}>{i.title}</Link>{i.documentRef ? ` (${i.documentRef})` : ''}</td>
                    <td>{i.workflow.name}</td><td>{i.status}</td><td>{i.currentStepName}</td><td className="nowrap">{formatTime(i.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      )}
    </Page>
  );
}
