import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client.ts';
import type { Lead } from '../../api/schema.ts';
import { ErrorMessage } from '../../components/error-message.tsx';
import { TextField } from '../../components/fields.tsx';
import { Page } from '../../components/page.tsx';
import { Progress } from '../../components/progress.tsx';
import { useApiMutation, useApiQuery } from '../../lib/query.ts';
import { cleanEmails, DetailsForm, EmailFields, fieldErrors, NewRecordForm, Pager, RegardingActivities, SearchForm, StateField, useRecordList } from './record-parts.tsx';

/** Leads: search, page, and add one. */
export function LeadsPage() {
  const { list, values, search, nextPage, firstPage, paged } = useRecordList<Lead>('/api/leads');
  const navigate = useNavigate();
  const [form, setForm] = useState({ name: '', companyName: '', email: '' });
  const add = useApiMutation(() => api<Lead>('POST', '/api/leads', { name: form.name, companyName: form.companyName || null, emails: cleanEmails([form.email]) }), { invalidates: ['/api/leads'] });
  const errors = fieldErrors(add.error);
  const create = () => add.mutate(undefined, { onSuccess: (l) => navigate(`/leads/${encodeURIComponent(l.id)}`) });
  return (
    <Page title="Leads" intro="Prospects not yet qualified into an account.">
      <SearchForm label="Search leads" values={values} onSearch={search} />
      <ErrorMessage error={list.error} />
      {list.isLoading && <Progress label="Loading leads…" />}
      {list.data && (list.data.items.length === 0 ? <p className="empty">No lead found.</p> : (
        <table className="grid">
          <thead><tr><th scope="col">Name</th><th scope="col">Company</th><th scope="col">Primary email</th><th scope="col">State</th></tr></thead>
          <tbody>
            {list.data.items.map((l) => (
              <tr key={l.id}><td><Link to={`/leads/${encodeURIComponent(l.id)}`}>{l.name}</Link></td><td>{l.companyName ?? ''}</td><td>{l.emails[0] ?? ''}</td><td>{l.state === 'active' ? 'Active' : 'Inactive'}</td></tr>
            ))}
          </tbody>
        </table>
      ))}
      <Pager hasNext={!!list.data?.nextCursor} paged={paged} onNext={nextPage} onFirst={firstPage} />
      <NewRecordForm title="New lead" button="Add lead" busy={add.isPending} error={add.error} onSubmit={create}>
        <TextField label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errors.name} autoComplete="off" />
        <TextField label="Company" value={form.companyName} onChange={(e) => setForm({ ...form, companyName: e.target.value })} error={errors.companyName} autoComplete="off" />
        <TextField label="Primary email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} error={errors.emails} autoComplete="off" />
      </NewRecordForm>
    </Page>
  );
}

/** One lead, editable by its owner or an administrator, with the email regarding it. */
export function LeadPage() {
  const id = useParams().id ?? '';
  const lead = useApiQuery<Lead>(`/api/leads/${encodeURIComponent(id)}`);
  const l = lead.data;
  return (
    <Page title={l?.name ?? 'Lead'} intro={<Link to="/leads">All leads</Link>}>
      <ErrorMessage error={lead.error} />
      {lead.isLoading && <Progress label="Loading the lead…" />}
      {l && (
        <>
          <LeadEditor key={l.id} lead={l} />
          <RegardingActivities type="lead" id={l.id} compose={{ to: l.emails.slice(0, 1) }} />
        </>
      )}
    </Page>
  );
}

function LeadEditor({ lead }: { lead: Lead }) {
  const [form, setForm] = useState({ name: lead.name, companyName: lead.companyName ?? '', topic: lead.topic ?? '', state: lead.state, emails: [...lead.emails] });
  const save = useApiMutation(() => api<Lead>('PATCH', `/api/leads/${encodeURIComponent(lead.id)}`, {
    ...form, companyName: form.companyName || null, topic: form.topic || null, emails: cleanEmails(form.emails),
  }), { invalidates: ['/api/leads'] });
  const errors = fieldErrors(save.error);
  return (
    <DetailsForm label="Lead details" save={save}>
      <TextField label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errors.name} autoComplete="off" />
      <TextField label="Company" value={form.companyName} onChange={(e) => setForm({ ...form, companyName: e.target.value })} error={errors.companyName} autoComplete="off" />
      <TextField label="Topic" value={form.topic} onChange={(e) => setForm({ ...form, topic: e.target.value })} error={errors.topic} autoComplete="off" />
      <EmailFields emails={form.emails} onChange={(emails) => setForm({ ...form, emails })} error={errors.emails} />
      <StateField value={form.state} onChange={(state) => setForm({ ...form, state })} />
    </DetailsForm>
  );
}
