import { useState, type FormEvent } from 'react';
import type { EmailParameters, ExchangeParameters } from '../../api/schema.ts';
import { Notice } from '../../components/error-message.tsx';
import { CheckboxField, SelectField, TextField } from '../../components/fields.tsx';
import { FormError } from '../../components/form-error.tsx';
import { BusyButton } from '../../components/progress.tsx';
import { useSession } from '../../session.tsx';
import { ConnectionTest } from './connection-test.tsx';
import { SecretField } from './secret-field.tsx';
import { useSectionSave } from './section-save.ts';

type Editable = Omit<ExchangeParameters, 'passwordSet' | 'configured'>;

const editable = ({ passwordSet: _p, configured: _c, ...rest }: ExchangeParameters): Editable => rest;

const AUTH_OPTIONS = [{ value: 'ntlm', label: 'NTLM' }, { value: 'basic', label: 'Basic' }];

/** Exchange settings: Exchange Web Services on an Exchange Server (Exchange Online retired EWS: use Microsoft Graph there). */
export function ExchangeTab({ params, onSaved }: { params: EmailParameters; onSaved(p: EmailParameters): void }) {
  const { me } = useSession();
  const [form, setForm] = useState<Editable>(editable(params.exchange));
  const [password, setPassword] = useState<string | null>(null);
  const { save, fields, error, busy, done } = useSectionSave('exchange', onSaved);
  const set = <K extends keyof Editable>(key: K, value: Editable[K]) => setForm({ ...form, [key]: value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const next = await save({ ...form, ...(password ? { password } : {}) }, 'save', 'The Exchange settings were saved.');
    if (next) { setForm(editable(next.exchange)); setPassword(null); }
  };

  return (
    <>
      <form onSubmit={submit} noValidate aria-label="Exchange settings">
        <Notice kind="warning">Exchange (deprecated) is for Exchange Server on premises. Exchange Online retired Exchange Web Services:
          for Office 365, use the Microsoft Graph settings instead.</Notice>
        <fieldset>
          <legend>Server</legend>
          <TextField label="EWS URL" name="exchange.ewsUrl" value={form.ewsUrl} error={fields['exchange.ewsUrl']} autoComplete="off"
            hint="For example https://mail.contoso.com/EWS/Exchange.asmx. Leave empty to use Autodiscover." onChange={(e) => set('ewsUrl', e.target.value)} />
          <CheckboxField label="Use Autodiscover" checked={form.autodiscover}
            hint="Find the EWS URL from the sender's email address when no EWS URL is given." onChange={(e) => set('autodiscover', e.target.checked)} />
          {form.autodiscover && (
            <TextField label="Autodiscover endpoint (optional)" name="exchange.autodiscoverUrl" value={form.autodiscoverUrl} error={fields['exchange.autodiscoverUrl']}
              hint="Asked first, before the endpoints of the address's domain." onChange={(e) => set('autodiscoverUrl', e.target.value)} />
          )}
        </fieldset>
        <fieldset>
          <legend>Credentials</legend>
          <SelectField label="Authentication" value={form.authentication} options={AUTH_OPTIONS} error={fields['exchange.authentication']}
            onChange={(e) => set('authentication', e.target.value as Editable['authentication'])} />
          <TextField label="User name" name="exchange.username" value={form.username} error={fields['exchange.username']} autoComplete="off"
            hint="The service account, as DOMAIN\user or user@contoso.com." onChange={(e) => set('username', e.target.value)} />
          {form.authentication === 'ntlm' && (
            <TextField label="Domain (optional)" name="exchange.domain" value={form.domain} error={fields['exchange.domain']} autoComplete="off"
              hint="The Windows domain, when the user name does not carry it." onChange={(e) => set('domain', e.target.value)} />
          )}
          <SecretField label="Password" name="exchange.password" isSet={params.exchange.passwordSet} value={password}
            error={fields['exchange.password']} clearing={busy === 'clear'} onChange={setPassword}
            onClear={() => void save({ password: null }, 'clear', 'The password was cleared.')} />
          <CheckboxField label="Impersonate the sending user" checked={form.impersonation}
            hint="Each email goes out from the sender's own mailbox (ExchangeImpersonation); the service account needs the ApplicationImpersonation role."
            onChange={(e) => set('impersonation', e.target.checked)} />
          <TextField label="Batch account" name="exchange.batchAccount" type="email" value={form.batchAccount} error={fields['exchange.batchAccount']}
            hint="The mailbox batch emails go out from. Empty: each email's own sender." onChange={(e) => set('batchAccount', e.target.value)} />
        </fieldset>
        <FormError error={error} fields={fields} />
        {done && <Notice kind="success">{done}</Notice>}
        <BusyButton type="submit" busy={busy === 'save'} busyLabel="Saving…">Save</BusyButton>
      </form>
      {params.exchange.configured && <ConnectionTest provider="exchange" mailbox={params.exchange.batchAccount || me.user.email} />}
    </>
  );
}
