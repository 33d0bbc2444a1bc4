import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client.ts';
import type { Account, Contact } from '../../api/schema.ts';
import { ErrorMessage } from '../../components/error-message.tsx';
import { TextField } from '../../components/fields.tsx';
import { Page } from '../../components/page.tsx';
import { Progress } from '../../components/progress.tsx';
import { useApiMutation, useApiQuery } from '../../lib/query.ts';
import { cleanEmails, DetailsForm, EmailFields, fieldErrors, NewRecordForm, Pager, RegardingActivities, SearchForm, StateField, useRecordList } from './record-parts.tsx';

/** Contacts: search, page, and add one. */
export function ContactsPage() {
  const { list, values, search, nextPage, firstPage, paged } = useRecordList<Contact>('/api/contacts');
  const navigate = useNavigate();
  const [form, setForm] = useState({ name: '', email: '', account: '' });
  const add = useApiMutation(() => api<Contact>('POST', '/api/contacts', { name: form.name, emails: cleanEmails([form.email]), account: form.account || null }), { invalidates: ['/api/contacts'] });
  const errors = fieldErrors(add.error);
  const create = () => add.mutate(undefined, { onSuccess: (k) => navigate(`/contacts/${encodeURIComponent(k.id)}`) });
  return (
    <Page title="Contacts" intro="People you deal with, usually at an account.">
      <SearchForm label="Search contacts" values={values} onSearch={search} />
      <ErrorMessage error={list.error} />
      {list.isLoading && <Progress label="Loading contacts…" />}
      {list.data && (list.data.items.length === 0 ? <p className="empty">No contact found.</p> : (
        <table className="grid">
          <thead><tr><th scope="col">Name</th><th scope="col">Primary email</th><th scope="col">Purpose</th><th scope="col">State</th></tr></thead>
          <tbody>
            {list.data.items.map((k) => (
              <tr key={k.id}><td><Link to={`/contacts/${encodeURIComponent(k.id)}`}>{k.name}</Link></td><td>{k.emails[0] ?? ''}</td><td>{k.purpose ?? ''}</td><td>{k.state === 'active' ? 'Active' : 'Inactive'}</td></tr>
            ))}
          </tbody>
        </table>
      ))}
      <Pager hasNext={!!list.data?.nextCursor} paged={paged} onNext={nextPage} onFirst={firstPage} />
      <NewRecordForm title="New contact" button="Add contact" busy={add.isPending} error={add.error} onSubmit={create}>
        <TextField label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errors.name} autoComplete="off" />
        <TextField label="Primary email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} error={errors.emails} autoComplete="off" />
        <TextField label="Account" value={form.account} onChange={(e) => setForm({ ...form, account: e.target.value })} error={errors.account} hint="Account number or id; optional" autoComplete="off" />
      </NewRecordForm>
    </Page>
  );
}

/** One contact, editable by its owner or an administrator, with the email regarding it. */
export function ContactPage() {
  const id = useParams().id ?? '';
  const contact = useApiQuery<Contact>(`/api/contacts/${encodeURIComponent(id)}`);
  const k = contact.data;
  const account = useApiQuery<Account>(k?.accountId ? `/api/accounts/${encodeURIComponent(k.accountId)}` : null);
  return (
    <Page title={k?.name ?? 'Contact'} intro={<Link to="/contacts">All contacts</Link>}>
      <ErrorMessage error={contact.error} />
      {contact.isLoading && <Progress label="Loading the contact…" />}
      {k && (
        <>
          {account.data && <p>Works for <Link to={`/accounts/${encodeURIComponent(account.data.accountNumber ?? account.data.id)}`}>{account.data.name}</Link>.</p>}
          <ContactEditor key={k.id} contact={k} accountRef={account.data?.accountNumber ?? k.accountId ?? ''} />
          <RegardingActivities type="contact" id={k.id} compose={{ to: k.emails.slice(0, 1) }} />
        </>
      )}
    </Page>
  );
}

function ContactEditor({ contact, accountRef }: { contact: Contact; accountRef: string }) {
  const [form, setForm] = useState({ name: contact.name, account: accountRef, purpose: contact.purpose ?? '', language: contact.language ?? '', state: contact.state, emails: [...contact.emails] });
  const save = useApiMutation(() => api<Contact>('PATCH', `/api/contacts/${encodeURIComponent(contact.id)}`, {
    ...form, account: form.account || null, purpose: form.purpose || null, language: form.language || null, emails: cleanEmails(form.emails),
  }), { invalidates: ['/api/contacts', '/api/accounts'] });
  const errors = fieldErrors(save.error);
  return (
    <DetailsForm label="Contact details" save={save}>
      <TextField label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errors.name} autoComplete="off" />
      <EmailFields emails={form.emails} onChange={(emails) => setForm({ ...form, emails })} error={errors.emails} />
      <TextField label="Account" value={form.account} onChange={(e) => setForm({ ...form, account: e.target.value })} error={errors.account} hint="Account number or id; empty for none" autoComplete="off" />
      <TextField label="Purpose" value={form.purpose} onChange={(e) => setForm({ ...form, purpose: e.target.value })} error={errors.purpose} hint="Statements makes this the contact statements go to" autoComplete="off" />
      <TextField label="Language" value={form.language} onChange={(e) => setForm({ ...form, language: e.target.value })} error={errors.language} hint="e.g. en-us" autoComplete="off" />
      <StateField value={form.state} onChange={(state) => setForm({ ...form, state })} />
    </DetailsForm>
  );
}
