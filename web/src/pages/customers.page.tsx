import type { Customer, CustomerDetail } from '../api/workflow-types.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { Page, Section } from '../components/page.tsx';
import { Progress } from '../components/progress.tsx';
import { useApiQuery } from '../lib/query.ts';
import { Link, useParams } from 'react-router';

const money = (minor: number) => (minor / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** All customers. */
export function CustomersPage() {
  const customers = useApiQuery<{ items: Customer[] }>('/api/accounts?limit=500');
  return (
    <Page title="All customers">
      <ErrorMessage error={customers.error} />
      {customers.isLoading && !customers.data && <Progress label="Loading customers…" />}
      {customers.data && (customers.data.items.length === 0 ? <p className="empty">No customer yet.</p> : (
        <table className="grid">
          <thead><tr><th scope="col">Account</th><th scope="col">Name</th><th scope="col">Currency</th></tr></thead>
          <tbody>
            {customers.data.items.map((c) => (
              <tr key={c.id}><td><Link to={`/customers/${encodeURIComponent(c.accountNumber ?? c.id)}`}>{c.accountNumber ?? c.name}</Link></td><td>{c.name}</td><td>{c.currency}</td></tr>
            ))}
          </tbody>
        </table>
      ))}
    </Page>
  );
}

/** One customer: contacts, open invoices, and Communicate › Email › Statements to contact. */
export function CustomerPage() {
  const params = useParams();
  const account = params.id ?? '';
  const customer = useApiQuery<CustomerDetail>(`/api/accounts/${encodeURIComponent(account)}`);
  const c = customer.data;
  return (
    <Page title={c ? `${c.accountNumber ?? ''} ${c.name}`.trim() : 'Customer'} intro={<Link to="/customers">All customers</Link>}
      actions={c && <Link className="button primary" to={`/customers/${encodeURIComponent(c.accountNumber ?? c.id)}/statement`}>Statements to contact</Link>}>
      <ErrorMessage error={customer.error} />
      {customer.isLoading && !c && <Progress label="Loading the customer…" />}
      {c && (
        <>
          <Section title="Contacts">
            {c.contacts.length === 0 ? <p className="empty">No contacts.</p> : (
              <table className="grid">
                <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Purpose</th><th scope="col">Language</th></tr></thead>
                <tbody>{c.contacts.map((k) => <tr key={k.id}><td>{k.name}</td><td>{k.emails.join(', ')}</td><td>{k.purpose ?? ''}</td><td>{k.language ?? ''}</td></tr>)}</tbody>
              </table>
            )}
          </Section>
          <Section title="Open invoices">
            {c.openInvoices.length === 0 ? <p className="empty">Nothing is open.</p> : (
              <table className="grid">
                <thead><tr><th scope="col">Invoice</th><th scope="col">Date</th><th scope="col">Due</th><th scope="col">Amount</th><th scope="col">Open</th></tr></thead>
                <tbody>
                  {c.openInvoices.map((i) => (
                    <tr key={i.id}><td>{i.number}</td><td>{i.invoiceDate}</td><td>{i.dueDate}</td><td>{money(i.amountMinor)} {c.currency}</td><td>{money(i.openMinor)} {c.currency}</td></tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
        </>
      )}
    </Page>
  );
}
