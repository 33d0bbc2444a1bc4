import { useState, type FormEvent } from 'react';
import { api, toApiError, type ApiError } from '../api/client.ts';
import type { Organization } from '../api/schema.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { TextField } from '../components/fields.tsx';
import { Page, Section } from '../components/page.tsx';
import { BusyButton, Progress } from '../components/progress.tsx';
import { useApiQuery } from '../lib/query.ts';

/** Organizations (legal entities): each has its own email templates, workflows and customers. */
export function OrganizationsPage() {
  const list = useApiQuery<Organization[]>('/api/organizations');
  const [form, setForm] = useState({ code: '', name: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/organizations', form);
      setForm({ code: '', name: '' });
      await list.refetch();
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Organizations" intro="Each organization has its own email templates, workflows and customers.">
      <ErrorMessage error={list.error} />
      {list.isLoading && !list.data && <Progress label="Loading organizations…" />}
      {list.data && (
        <Section title="All organizations">
          {list.data.length === 0 ? <p className="empty">No organization yet.</p> : (
            <table className="grid">
              <thead><tr><th scope="col">Code</th><th scope="col">Name</th></tr></thead>
              <tbody>{list.data.map((o) => <tr key={o.id}><td>{o.code}</td><td>{o.name}</td></tr>)}</tbody>
            </table>
          )}
        </Section>
      )}
      <Section title="New organization">
        <form onSubmit={add} className="row" aria-label="New organization" noValidate>
          <TextField label="Code" value={form.code} onChange={(e) => setForm({ ...form, code: e.target.value })} hint="e.g. USMF" autoComplete="off" />
          <TextField label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} autoComplete="off" />
          <BusyButton type="submit" busy={busy} busyLabel="Adding…">Add</BusyButton>
        </form>
        <ErrorMessage error={error} />
      </Section>
    </Page>
  );
}
