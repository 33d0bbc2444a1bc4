import { useState, type FormEvent } from 'react';
import { api, toApiError, type ApiError } from '../../api/client.ts';
import type { EmailParameters, SmtpParameters } from '../../api/schema.ts';
import { Notice } from '../../components/error-message.tsx';
import { CheckboxField, parseNumber, TextField } from '../../components/fields.tsx';
import { FormError } from '../../components/form-error.tsx';
import { BusyButton } from '../../components/progress.tsx';

type Editable = Omit<SmtpParameters, 'passwordSet' | 'port'> & { port: string };

const editable = (s: SmtpParameters): Editable => ({
  host: s.host, port: String(s.port), sslRequired: s.sslRequired, implicitTls: s.implicitTls,
  authRequired: s.authRequired, username: s.username, verifyCertificate: s.verifyCertificate,
});

export function SmtpTab({ params, onSaved }: { params: EmailParameters; onSaved(p: EmailParameters): void }) {
  const [form, setForm] = useState<Editable>(editable(params.smtp));
  const [newPassword, setNewPassword] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<'save' | 'clear' | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const passwordSet = params.smtp.passwordSet;

  const patch = async (smtp: Record<string, unknown>, what: 'save' | 'clear', message: string) => {
    setBusy(what);
    setError(null);
    setDone(null);
    try {
      const next = await api<EmailParameters>('PATCH', '/api/parameters', { smtp });
      onSaved(next);
      setForm(editable(next.smtp));
      setNewPassword(null);
      setFields({});
      setDone(message);
    } catch (err) {
      const apiError = toApiError(err);
      setError(apiError);
      setFields(apiError.fieldErrors());
    } finally {
      setBusy(null);
    }
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    const port = parseNumber(form.port);
    if (port === null) {
      setFields({ 'smtp.port': 'Enter a port number, such as 587.' });
      return;
    }
    void patch({ ...form, port, ...(newPassword ? { password: newPassword } : {}) }, 'save', 'The SMTP settings were saved.');
  };

  const set = <K extends keyof Editable>(key: K, value: Editable[K]) => setForm({ ...form, [key]: value });

  return (
    <form onSubmit={save} noValidate aria-label="SMTP settings">
      <fieldset>
        <legend>Server information</legend>
        <TextField label="Outgoing mail server" name="smtp.host" value={form.host} error={fields['smtp.host']} autoComplete="off"
          hint="The SMTP server's host name, for example smtp.office365.com." onChange={(e) => set('host', e.target.value)} />
        <TextField label="SMTP port number" name="smtp.port" type="number" inputMode="numeric" value={form.port} error={fields['smtp.port']}
          hint="Usually 587 (STARTTLS), or 465 for TLS from the first byte." onChange={(e) => set('port', e.target.value)} />
        <CheckboxField label="SSL required" checked={form.sslRequired} error={fields['smtp.sslRequired']}
          hint="Never send credentials or mail in clear. Turn off only for an internal or test server."
          onChange={(e) => set('sslRequired', e.target.checked)} />
        <CheckboxField label="Use TLS from the first byte (SMTPS)" checked={form.implicitTls}
          hint="Instead of upgrading with STARTTLS. Always used on port 465." onChange={(e) => set('implicitTls', e.target.checked)} />
        <CheckboxField label="Verify the server's certificate" checked={form.verifyCertificate}
          hint="Turn off only for an internal server with its own certificate." onChange={(e) => set('verifyCertificate', e.target.checked)} />
      </fieldset>
      <fieldset>
        <legend>Authentication</legend>
        <CheckboxField label="Authentication required" checked={form.authRequired}
          hint="Sign in with a user name and password before sending." onChange={(e) => set('authRequired', e.target.checked)} />
        <TextField label="User name" name="smtp.username" value={form.username} error={fields['smtp.username']} autoComplete="off"
          hint="Leave empty when the server does not support signing in." onChange={(e) => set('username', e.target.value)} />
        <div className="field">
          <span className="label" id="password-state-label">Password</span>
          <p aria-labelledby="password-state-label" data-password-state={passwordSet ? 'set' : 'not-set'}>
            <span className={`badge ${passwordSet ? 'badge-sent' : 'badge-cancelled'}`}>{passwordSet ? 'Set' : 'Not set'}</span>
            <span className="muted"> Mailroom never shows a stored password.</span>
          </p>
          <div className="row">
            {newPassword === null && (
              <button type="button" className="button" onClick={() => setNewPassword('')}>{passwordSet ? 'Enter a new password' : 'Enter a password'}</button>
            )}
            {passwordSet && (
              <BusyButton type="button" className="button danger" busy={busy === 'clear'} busyLabel="Clearing…"
                onClick={() => void patch({ password: null }, 'clear', 'The password was cleared.')}>Clear password</BusyButton>
            )}
          </div>
        </div>
        {newPassword !== null && (
          <div className="row">
            <TextField label="New password" name="smtp.password" type="password" autoComplete="new-password" value={newPassword}
              error={fields['smtp.password']} hint="Saved with the other settings; encrypted with this environment's key."
              onChange={(e) => setNewPassword(e.target.value)} autoFocus />
            <button type="button" className="button" onClick={() => setNewPassword(null)}>Keep the current password</button>
          </div>
        )}
      </fieldset>
      <FormError error={error} fields={fields} />
      {done && <Notice kind="success">{done}</Notice>}
      <BusyButton type="submit" busy={busy === 'save'} busyLabel="Saving…">Save</BusyButton>
    </form>
  );
}
