import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import type { EmailView } from '../../api/schema.ts';
import { ErrorMessage, Notice } from '../../components/error-message.tsx';
import { FailureDetailsView } from '../../components/failure-details.tsx';
import { SelectField, TextField } from '../../components/fields.tsx';
import { BusyButton } from '../../components/progress.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { useApiMutation } from '../../lib/query.ts';
import { Link } from 'react-router';
import { useSession } from '../../session.tsx';

const TEST_PROVIDERS = [
  { value: 'smtp', label: 'SMTP settings' },
  { value: 'graph', label: 'Microsoft Graph settings' },
  { value: 'exchange', label: 'Exchange settings' },
];

/** Test email: sends one message with the saved settings of a provider and shows what happened, here. */
export function TestEmailPanel({ id, onClose }: { id: string; onClose(): void }) {
  const { me } = useSession();
  const [to, setTo] = useState(me.user.email);
  const [provider, setProvider] = useState('smtp');
  const send = useApiMutation((address: string) => api<EmailView>('POST', '/api/parameters/test-email', { to: address, provider }), { invalidates: ['/api/emails'] });
  const result = send.data;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate(to.trim());
  };

  return (
    <section className="card test-email" id={id} aria-labelledby={`${id}-title`}>
      <div className="card-head">
        <h2 id={`${id}-title`}>Test email</h2>
        <button type="button" className="button small" onClick={onClose}>Close</button>
      </div>
      <p className="hint">Sends a short message now with the saved settings of the chosen provider, without retrying, and shows the outcome.
        Microsoft Graph and Exchange send it from your own mailbox.</p>
      <form onSubmit={submit} noValidate className="row">
        <SelectField label="Send it through" value={provider} options={TEST_PROVIDERS} onChange={(e) => setProvider(e.target.value)} />
        <TextField label="Send the test email to" name="test-to" type="email" value={to} onChange={(e) => setTo(e.target.value)} />
        <BusyButton type="submit" busy={send.isPending} busyLabel="Sending the test email…">Send test email</BusyButton>
      </form>
      <ErrorMessage error={send.error} title="The test email could not be sent." />
      {result && (
        <div className="test-result" data-test-status={result.status}>
          {result.status === 'sent'
            ? <Notice kind="success">The server accepted the test email. <StatusBadge status={result.status} /></Notice>
            : <div className="notice notice-error" role="alert"><p className="notice-title">The test email was not sent. <StatusBadge status={result.status} /></p></div>}
          {result.failure && <FailureDetailsView failure={result.failure} retried={false} />}
          <p><Link to={`/history/${encodeURIComponent(result.id)}`}>Open it in the Email history</Link></p>
        </div>
      )}
    </section>
  );
}
