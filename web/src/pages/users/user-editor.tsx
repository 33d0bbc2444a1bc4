import { useState, type FormEvent } from 'react';
import { api, toApiError, type ApiError } from '../../api/client.ts';
import type { Role, SendAsList, User } from '../../api/schema.ts';
import { ErrorMessage, Notice } from '../../components/error-message.tsx';
import { SelectField, TextField } from '../../components/fields.tsx';
import { FormError } from '../../components/form-error.tsx';
import { Section } from '../../components/page.tsx';
import { BusyButton, Progress } from '../../components/progress.tsx';
import { useApiMutation, useApiQuery } from '../../lib/query.ts';

/** Edit one user: the Email field (their default From), name, role; and their Send-As grants. */
export function UserEditor({ user, onSaved, onClose }: { user: User; onSaved(): void; onClose(): void }) {
  const [form, setForm] = useState({ email: user.email, name: user.name, role: user.role });
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await api<User>('PATCH', `/api/users/${encodeURIComponent(user.id)}`, { email: form.email.trim(), name: form.name, role: form.role });
      setFields({});
      setSaved(true);
      onSaved();
    } catch (err) {
      const apiError = toApiError(err);
      setError(apiError);
      setFields(apiError.fieldErrors());
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title={`Edit ${user.username}`} actions={<button type="button" className="button small" onClick={onClose}>Close</button>}>
      <form onSubmit={submit} noValidate>
        <div className="grid-2">
          <TextField label="Email" name="email" type="email" value={form.email} error={fields.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })} hint="The default From address of this user's email." />
          <TextField label="Name" name="name" value={form.name} error={fields.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          <SelectField label="Role" value={form.role} error={fields.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}
            options={[{ value: 'user', label: 'User' }, { value: 'admin', label: 'Administrator' }]} />
        </div>
        <FormError error={error} fields={fields} />
        {saved && <Notice kind="success">{user.username} was saved.</Notice>}
        <BusyButton type="submit" busy={busy} busyLabel="Saving…">Save</BusyButton>
      </form>
      <SendAsGrants user={user} />
    </Section>
  );
}

function SendAsGrants({ user }: { user: User }) {
  const detail = useApiQuery<User & { sendAs: string[] }>(`/api/users/${encodeURIComponent(user.id)}`);
  const [address, setAddress] = useState('');
  const [grants, setGrants] = useState<readonly string[] | null>(null);
  const list = grants ?? detail.data?.sendAs;
  const base = `/api/users/${encodeURIComponent(user.id)}/send-as`;
  const changes = { invalidates: [`/api/users/${encodeURIComponent(user.id)}`] };
  const grant = useApiMutation((a: string) => api<SendAsList>('POST', base, { address: a }), changes);
  const revoke = useApiMutation((a: string) => api<SendAsList>('DELETE', `${base}/${encodeURIComponent(a)}`), changes);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    grant.mutate(address.trim(), { onSuccess: (r) => { setGrants(r.sendAs); setAddress(''); } });
  };

  return (
    <div className="subsection">
      <h3>Send-As</h3>
      <p className="hint">Addresses {user.username} may put in From besides their own Email. The SMTP account needs Send As rights for them on the mail server too.</p>
      <ErrorMessage error={detail.error ?? revoke.error} />
      {!list && !detail.error && <Progress label="Loading grants…" />}
      {list && (list.length === 0 ? <p className="muted">No Send-As grants.</p> : (
        <ul className="chips" aria-label={`Send-As grants of ${user.username}`}>
          {list.map((a) => (
            <li key={a}>{a}
              <button type="button" className="button small" aria-label={`Remove Send-As for ${a}`} disabled={revoke.isPending}
                onClick={() => revoke.mutate(a, { onSuccess: (r) => setGrants(r.sendAs) })}>Remove</button>
            </li>
          ))}
        </ul>
      ))}
      <form onSubmit={submit} noValidate className="row">
        <TextField label="Grant Send-As for" name="send-as" type="email" value={address} error={grant.error?.fieldErrors().email ?? (grant.error ? grant.error.message : undefined)}
          onChange={(e) => setAddress(e.target.value)} />
        <BusyButton type="submit" busy={grant.isPending} busyLabel="Granting…">Grant</BusyButton>
      </form>
    </div>
  );
}
