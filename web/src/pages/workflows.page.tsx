import { useMemo, useState } from 'react';
import type { Organization, User, WorkflowDefinition, WorkflowEvents } from '../api/schema.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { Page, Section } from '../components/page.tsx';
import { Progress } from '../components/progress.tsx';
import { useApiQuery } from '../lib/query.ts';
import { WorkflowEditor } from './workflows/workflow-editor.tsx';

/** Workflows: definitions at system or organization level, their notification settings and approval steps. */
export function WorkflowsPage() {
  const definitions = useApiQuery<WorkflowDefinition[]>('/api/workflows');
  const events = useApiQuery<WorkflowEvents>('/api/workflow-events');
  const organizations = useApiQuery<Organization[]>('/api/organizations');
  const users = useApiQuery<User[]>('/api/users');
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const names = useMemo(() => new Map((users.data ?? []).map((u) => [u.id, u.username])), [users.data]);
  const orgCode = (id: string | null) => organizations.data?.find((o) => o.id === id)?.code ?? '';
  const selected = editing === 'new' ? null : definitions.data?.find((d) => d.id === editing) ?? null;
  const ready = events.data && organizations.data && users.data;

  return (
    <Page title="Workflows" actions={<button type="button" className="button primary" onClick={() => setEditing('new')}>New workflow</button>}
      intro="Submitted documents start the workflow of their type; each approval step assigns work items, and each event can email the people you choose.">
      <ErrorMessage error={definitions.error ?? events.error ?? organizations.error ?? users.error} />
      {definitions.isLoading && !definitions.data && <Progress label="Loading workflows…" />}
      {definitions.data && (
        <Section title="Workflow definitions">
          {definitions.data.length === 0 ? <p className="empty">No workflow yet.</p> : (
            <table className="grid">
              <thead><tr><th scope="col">Code</th><th scope="col">Name</th><th scope="col">Document type</th><th scope="col">Level</th><th scope="col">Email template</th><th scope="col">Steps</th><th scope="col">Version</th><th scope="col">Enabled</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {definitions.data.map((d) => (
                  <tr key={d.id} className={d.id === editing ? 'selected' : undefined}>
                    <td>{d.code}</td><td>{d.name}</td><td>{d.documentType}</td>
                    <td>{d.scope === 'system' ? 'System' : `Organization ${orgCode(d.organizationId)}`}</td>
                    <td>{d.templateEmailId}</td><td>{d.steps.length}</td><td>{d.version}</td><td>{d.enabled ? 'Yes' : 'No'}</td>
                    <td><button type="button" className="button small" aria-label={`Edit ${d.code}`} onClick={() => setEditing(d.id)}>Edit</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      )}
      {editing && ready && (
        <WorkflowEditor key={editing} definition={selected} events={events.data} organizations={organizations.data} names={names}
          onSaved={(d) => { setEditing(d.id); void definitions.refetch(); }} onClose={() => setEditing(null)} />
      )}
    </Page>
  );
}
