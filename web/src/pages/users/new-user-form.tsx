import { useState, type FormEvent } from 'react';
import { api, toApiError, type ApiError } from '../../api/client.ts';
import type { Role, User } from '../../api/schema.ts';
import { SelectField, TextField } from '../../components/fields.tsx';
import { FormError } from '../../components/form-error.tsx';
import { Section } from '../../components/page.tsx';
import { BusyButton } from '../../components/progress.tsx';

export function NewUserForm({ onCreated, onCancel }: { onCreated(u: User): void; onCancel(): void }) {
  const [form, setForm] = useState({ username: '', name: '', email: '', role: 'user' as Role, password: '' });
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { username: form.username.trim(), email: form.email.trim(), role: form.role,
        ...(form.name.trim() ? { name: form.name.trim() } : {}), ...(form.password ? { password: form.password } : {}) };
      onCreated(await api<User>('POST', '/api/users', body));
    } catch (err) {
      const apiError = toApiError(err);
      setError(apiError);
      setFields(apiError.fieldErrors());
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="New user">
      <form onSubmit={submit} noValidate>
        <div className="grid-2">
          <TextField label="User name" name="username" value={form.username} error={fields.username} onChange={set('username')} autoComplete="off"
            hint="Letters, digits, dots, dashes, underscores or @; used to sign in." />
          <TextField label="Name" name="name" value={form.name} error={fields.name} onChange={set('name')} autoComplete="off" />
          <TextField label="Email" name="email" type="email" value={form.email} error={fields.email} onChange={set('email')} autoComplete="off"
            hint="The default From address of this user's email." />
          <SelectField label="Role" value={form.role} error={fields.role} onChange={set('role')}
            options={[{ value: 'user', label: 'User' }, { value: 'admin', label: 'Administrator' }]} />
          <TextField label="Password" name="password" type="password" value={form.password} error={fields.password} onChange={set('password')}
            autoComplete="new-password" hint="At least 8 characters. Leave empty for a user who only sends through the API with a token." />
        </div>
        <FormError error={error} fields={fields} />
        <div className="row">
          <BusyButton type="submit" busy={busy} busyLabel="Creating…">Create user</BusyButton>
          <button type="button" className="button" onClick={onCancel}>Cancel</button>
        </div>
      </form>
    </Section>
  );
}
