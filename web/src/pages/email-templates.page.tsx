import { useState } from 'react';
import type { EmailTemplate, TemplateKindSpec, Organization } from '../api/schema.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { SelectField } from '../components/fields.tsx';
import { Page, Section } from '../components/page.tsx';
import { Progress } from '../components/progress.tsx';
import { useApiQuery } from '../lib/query.ts';
import { TemplateEditor } from './templates/template-editor.tsx';

/** System email templates: system-wide, used by system-level workflows. */
export function SystemTemplatesPage() {
  return <TemplatesPage scope="system" />;
}

/** Organization email templates: per organization, used by that organization's workflows and statements. */
export function OrganizationTemplatesPage() {
  return <TemplatesPage scope="organization" />;
}

function TemplatesPage({ scope }: { scope: 'system' | 'organization' }) {
  const organizations = useApiQuery<Organization[]>(scope === 'organization' ? '/api/organizations' : null);
  const [organizationId, setOrganizationId] = useState('');
  const orgId = organizationId || organizations.data?.[0]?.id || '';
  const path = scope === 'system' ? '/api/templates?scope=system' : orgId ? `/api/templates?organization=${encodeURIComponent(orgId)}` : null;
  const templates = useApiQuery<EmailTemplate[]>(path);
  const kinds = useApiQuery<TemplateKindSpec[]>('/api/template-kinds');
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const selected = editing === 'new' ? null : templates.data?.find((t) => t.id === editing) ?? null;
  const title = scope === 'system' ? 'System email templates' : 'Organization email templates';

  return (
    <Page title={title} actions={<button type="button" className="button primary" disabled={scope === 'organization' && !orgId} onClick={() => setEditing('new')}>New template</button>}
      intro={scope === 'system'
        ? 'System-wide templates. System-level workflows take their notification template from here, and statements whose organization has no statement template of its own take theirs.'
        : 'Templates of one organization. Its organization-level workflows and its customer statements take their templates from here.'}>
      {scope === 'organization' && organizations.data && (
        organizations.data.length === 0
          ? <p className="empty">There is no organization yet. Add one on the Organizations page.</p>
          : <SelectField label="Organization" value={orgId} onChange={(e) => { setOrganizationId(e.target.value); setEditing(null); }}
            options={organizations.data.map((o) => ({ value: o.id, label: `${o.code} ${o.name}` }))} />
      )}
      <ErrorMessage error={templates.error ?? kinds.error ?? organizations.error} />
      {templates.isLoading && !templates.data && <Progress label="Loading templates…" />}
      {templates.data && (
        <Section title="Templates">
          {templates.data.length === 0 ? <p className="empty">No templates here yet.</p> : (
            <table className="grid">
              <thead><tr><th scope="col">Email ID</th><th scope="col">Kind</th><th scope="col">Description</th><th scope="col">Sender email</th><th scope="col">Languages</th><th scope="col">Priority</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {templates.data.map((t) => (
                  <tr key={t.id} className={t.id === editing ? 'selected' : undefined}>
                    <td>{t.emailId}</td><td>{t.kind}</td><td>{t.description}</td><td>{t.senderEmail || '—'}</td>
                    <td>{t.messages.map((m) => (m.language === t.defaultLanguage ? `${m.language}*` : m.language)).join(', ')}</td><td>{t.priority}</td>
                    <td><button type="button" className="button small" aria-label={`Edit ${t.emailId}`} onClick={() => setEditing(t.id)}>Edit</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      )}
      {editing && kinds.data && (
        <TemplateEditor key={editing} template={selected} organizationId={scope === 'organization' ? orgId : null} kinds={kinds.data}
          onSaved={(t) => { setEditing(t.id); void templates.refetch(); }} onClose={() => setEditing(null)} />
      )}
    </Page>
  );
}
