import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import type { ConnectionReport } from '../../api/schema.ts';
import { ErrorMessage, Notice } from '../../components/error-message.tsx';
import { TextField } from '../../components/fields.tsx';
import { BusyButton } from '../../components/progress.tsx';
import { useApiMutation } from '../../lib/query.ts';

/** Test connection: signs in and looks a mailbox up with the saved settings, without sending. */
export function ConnectionTest({ provider, mailbox: initial }: { provider: 'graph' | 'exchange'; mailbox: string }) {
  const [mailbox, setMailbox] = useState(initial);
  const test = useApiMutation((address: string) =>
    api<ConnectionReport>('POST', '/api/parameters/test-connection', { provider, ...(address ? { mailbox: address } : {}) }));
  const steps = test.data?.steps ?? (test.error?.details as { steps?: ConnectionReport['steps'] } | undefined)?.steps ?? [];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    test.mutate(mailbox.trim());
  };

  return (
    <section className="card" aria-label="Test connection">
      <h3>Test connection</h3>
      <p className="hint">Signs in with the saved settings and looks the mailbox up. Nothing is sent.</p>
      <form onSubmit={submit} noValidate className="row">
        <TextField label="Mailbox to look up" name={`${provider}-test-mailbox`} type="email" value={mailbox} onChange={(e) => setMailbox(e.target.value)} />
        <BusyButton type="submit" busy={test.isPending} busyLabel="Testing…">Test connection</BusyButton>
      </form>
      <ErrorMessage error={test.error} title="The connection test failed." />
      {test.data && <Notice kind="success">The connection works.</Notice>}
      {steps.length > 0 && (
        <ol className="steps" data-connection-steps>
          {steps.map((s) => <li key={s.step} data-step-ok={s.ok}><strong>{s.ok ? 'OK' : 'Failed'}</strong> {s.step}: {s.detail}</li>)}
        </ol>
      )}
    </section>
  );
}
