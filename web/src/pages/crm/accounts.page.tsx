import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client.ts';
import type { Account, AccountDetail } from '../../api/schema.ts';
import { ErrorMessage } from '../../components/error-message.tsx';
import { TextField } from '../../components/fields.tsx';
import { Page, Section } from '../../components/page.tsx';
import { Progress } from '../../components/progress.tsx';
import { useApiMutation, useApiQuery } from '../../lib/query.ts';
import { cleanEmails, DetailsForm, EmailFields, fieldErrors, NewRecordForm, Pager, RegardingActivities, SearchForm, StateField, useRecordList } from './record-parts.tsx';

const money = (minor: number) => (minor / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const accountPath = (a: Account) => `/accounts/${encodeURIComponent(a.accountNumber ?? a.id)}`;

/** Accounts: search, page, and add one. */
export function AccountsPage() {
  const { list, values, search, nextPage, firstPage, paged } = useRecordList<Account>('/api/accounts');
  const navigate = useNavigate();
  const [form, setForm] = useState({ name: '', accountNumber: '', email: '' });
  const add = useApiMutation(() => api<Account>('POST', '/api/accounts', { name: form.name, accountNumber: form.accountNumber || null, emails: cleanEmails([form.email]) }), { invalidates: ['/api/accounts'] });
  const errors = fieldErrors(add.error);
  const create = () => add.mutate(undefined, { onSuccess: (a) => navigate(accountPath(a)) });
  return (
    <Page title="Accounts" intro="The companies you deal with. Email synchronization links incoming mail to them by their addresses.">
      <SearchForm label="Search accounts" values={values} onSearch={search} />
      <ErrorMessage error={list.error} />
      {list.isLoading && <Progress label="Loading accounts…" />}
      {list.data && (list.data.items.length === 0 ? <p className="empty">No account found.</p> : (
        <table className="grid">
          <thead><tr><th scope="col">Account</th><th scope="col">Name</th><th scope="col">Primary email</th><th scope="col">State</th></tr></thead>
          <tbody>
            {list.data.items.map((a) => (
              <tr key={a.id}><td><Link to={accountPath(a)}>{a.accountNumber ?? a.name}</Link></td><td>{a.name}</td><td>{a.emails[0] ?? ''}</td><td>{a.state === 'active' ? 'Active' : 'Inactive'}</td></tr>
            ))}
          </tbody>
        </table>
      ))}
      <Pager hasNext={!!list.data?.nextCursor} paged={paged} onNext={nextPage} onFirst={firstPage} />
      <NewRecordForm title="New account" button="Add account" busy={add.isPending} error={add.error} onSubmit={create}>
        <TextField label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errors.name} autoComplete="off" />
        <TextField label="Account number" value={form.accountNumber} onChange={(e) => setForm({ ...form, accountNumber: e.target.value })} error={errors.accountNumber} hint="e.g. US-008; optional" autoComplete="off" />
        <TextField label="Primary email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} error={errors.emails} autoComplete="off" />
      </NewRecordForm>
    </Page>
  );
}

/** Where email to an account goes by default: its own address, else its first active contact's. */
const accountAddress = (a: AccountDetail): string[] => {
  const address = a.emails[0] ?? a.contacts.find((k) => k.state === 'active' && k.emails.length > 0)?.emails[0];
  return address ? [address] : [];
};

/** One account: its fields (editable by its owner or an administrator), contacts, open invoices and email. */
export function AccountPage() {
  const ref = useParams().id ?? '';
  const account = useApiQuery<AccountDetail>(`/api/accounts/${encodeURIComponent(ref)}`);
  const a = account.data;
  return (
    <Page title={a ? `${a.accountNumber ? `${a.accountNumber} ` : ''}${a.name}` : 'Account'} intro={<Link to="/accounts">All accounts</Link>}
      actions={a && <Link className="button primary" to={`/accounts/${encodeURIComponent(a.accountNumber ?? a.id)}/statement`}>Statements to contact</Link>}>
      <ErrorMessage error={account.error} />
      {account.isLoading && <Progress label="Loading the account…" />}
      {a && (
        <>
          <AccountEditor key={a.id} account={a} />
          <Section title="Contacts">
            {a.contacts.length === 0 ? <p className="empty">No contacts.</p> : (
              <table className="grid">
                <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Purpose</th><th scope="col">State</th></tr></thead>
                <tbody>{a.contacts.map((k) => <tr key={k.id}><td><Link to={`/contacts/${encodeURIComponent(k.id)}`}>{k.name}</Link></td><td>{k.emails.join(', ')}</td><td>{k.purpose ?? ''}</td><td>{k.state === 'active' ? 'Active' : 'Inactive'}</td></tr>)}</tbody>
              </table>
            )}
          </Section>
          <Section title="Open invoices">
            {a.openInvoices.length === 0 ? <p className="empty">Nothing is open.</p> : (
              <table className="grid">
                <thead><tr><th scope="col">Invoice</th><th scope="col">Date</th><th scope="col">Due</th><th scope="col">Amount</th><th scope="col">Open</th></tr></thead>
                <tbody>{a.openInvoices.map((i) => <tr key={i.id}><td>{i.number}</td><td>{i.invoiceDate}</td><td>{i.dueDate}</td><td>{money(i.amountMinor)} {a.currency}</td><td>{money(i.openMinor)} {a.currency}</td></tr>)}</tbody>
              </table>
            )}
          </Section>
          <RegardingActivities type="account" id={a.id} compose={{ to: accountAddress(a) }} />
        </>
      )}
    </Page>
  );
}

function AccountEditor({ account }: { account: AccountDetail }) {
  const [form, setForm] = useState({ name: account.name, accountNumber: account.accountNumber ?? '', currency: account.currency, state: account.state, emails: [...account.emails] });
  const save = useApiMutation(() => api<Account>('PATCH', `/api/accounts/${encodeURIComponent(account.id)}`, {
    ...form, accountNumber: form.accountNumber || null, emails: cleanEmails(form.emails),
  }), { invalidates: ['/api/accounts'] });
  const errors = fieldErrors(save.error);
  return (
    <DetailsForm label="Account details" save={save}>
      <TextField label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errors.name} autoComplete="off" />
      <TextField label="Account number" value={form.accountNumber} onChange={(e) => setForm({ ...form, accountNumber: e.target.value })} error={errors.accountNumber} autoComplete="off" />
      <EmailFields emails={form.emails} onChange={(emails) => setForm({ ...form, emails })} error={errors.emails} />
      <TextField label="Currency" value={form.currency} onChange={(e) => setForm({ ...form, currency: e.target.value })} error={errors.currency} autoComplete="off" />
      <StateField value={form.state} onChange={(state) => setForm({ ...form, state })} />
    </DetailsForm>
  );
}
