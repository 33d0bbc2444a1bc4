// The whole email server profile as one form: used to add a profile and to edit one. Each
// refusal from the server is shown at its field; stored passwords are shown only as set or not.
import { useState, type FormEvent } from 'react';
import { api, toApiError, type ApiError } from '../api/client.ts';
import type { ServerProfile } from '../api/schema.ts';
import { CheckboxField, parseNumber, SelectField, TextArea, TextField } from '../components/fields.tsx';
import { FormError } from '../components/form-error.tsx';
import { BusyButton } from '../components/progress.tsx';
import { SecretField } from './parameters/secret-field.tsx';

interface Draft {
  name: string; description: string; serverType: string; isDefault: boolean;
  incomingHost: string; incomingPort: string; incomingSsl: boolean;
  outgoingSameSettings: boolean; outgoingHost: string; outgoingPort: string; outgoingSsl: boolean;
  credentialsFrom: 'mailbox' | 'profile'; username: string; outgoingUsername: string;
  verifyCertificate: boolean; trustedCa: string; processEmailFrom: string;
  minPollingMinutes: string; maxConnections: string; moveFailedToUndeliverable: boolean; alertOnMajorityFailure: boolean;
}

const draftOf = (p: ServerProfile | undefined): Draft => ({
  name: p?.name ?? '', description: p?.description ?? '', serverType: p?.serverType ?? 'imap', isDefault: p?.isDefault ?? false,
  incomingHost: p?.incomingHost ?? '', incomingPort: p ? String(p.incomingPort) : '', incomingSsl: p?.incomingSsl ?? true,
  outgoingSameSettings: p?.outgoingSameSettings ?? true, outgoingHost: p?.outgoingHost ?? '', outgoingPort: p ? String(p.outgoingPort) : '', outgoingSsl: p?.outgoingSsl ?? true,
  credentialsFrom: p?.credentialsFrom ?? 'mailbox', username: p?.username ?? '', outgoingUsername: p?.outgoingUsername ?? '',
  verifyCertificate: p?.verifyCertificate ?? true, trustedCa: p?.trustedCa ?? '', processEmailFrom: p?.processEmailFrom?.slice(0, 10) ?? '',
  minPollingMinutes: p ? String(p.minPollingMinutes) : '1', maxConnections: p ? String(p.maxConnections) : '10',
  moveFailedToUndeliverable: p?.moveFailedToUndeliverable ?? false, alertOnMajorityFailure: p?.alertOnMajorityFailure ?? false,
});

const SERVER_TYPES = [
  { value: 'imap', label: 'IMAP/SMTP' }, { value: 'pop3', label: 'POP3/SMTP' },
  { value: 'exchange', label: 'Exchange Server' }, { value: 'exchange-hybrid', label: 'Exchange Server (Hybrid)' }, { value: 'exchange-online', label: 'Exchange Online' },
];

/** Numbers typed as text: a whole number, or the field's own refusal before anything is sent. */
function numbers(d: Draft): { values: Record<string, number | undefined>; problems: Record<string, string> } {
  const values: Record<string, number | undefined> = {};
  const problems: Record<string, string> = {};
  for (const [field, text, optional] of [['incomingPort', d.incomingPort, true], ['outgoingPort', d.outgoingPort, true], ['minPollingMinutes', d.minPollingMinutes, false], ['maxConnections', d.maxConnections, false]] as const) {
    const n = parseNumber(text);
    if (n === null && optional && text.trim() === '') values[field] = undefined;
    else if (n === null || !Number.isInteger(n)) problems[field] = 'Enter a whole number.';
    else values[field] = n;
  }
  return { values, problems };
}

export function ProfileEditor({ profile, onDone, onCancel }: { profile?: ServerProfile; onDone(p: ServerProfile): void; onCancel?(): void }) {
  const [d, setD] = useState<Draft>(draftOf(profile));
  const [password, setPassword] = useState<string | null>(null);
  const [outgoingPassword, setOutgoingPassword] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setD({ ...d, [key]: value });

  const send = async (body: Record<string, unknown>, what: string) => {
    setBusy(what);
    setError(null);
    try {
      const saved = profile
        ? await api<ServerProfile>('PATCH', `/api/email-server-profiles/${encodeURIComponent(profile.id)}`, body)
        : await api<ServerProfile>('POST', '/api/email-server-profiles', body);
      setFields({});
      setPassword(null);
      setOutgoingPassword(null);
      onDone(saved);
    } catch (err) {
      const apiError = toApiError(err);
      setError(apiError);
      setFields(apiError.fieldErrors());
    } finally {
      setBusy(null);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { values, problems } = numbers(d);
    if (Object.keys(problems).length) { setFields(problems); return; }
    const body: Record<string, unknown> = {
      name: d.name, description: d.description, isDefault: d.isDefault,
      incomingHost: d.incomingHost, incomingSsl: d.incomingSsl, outgoingSameSettings: d.outgoingSameSettings, outgoingSsl: d.outgoingSsl,
      credentialsFrom: d.credentialsFrom, username: d.username, outgoingUsername: d.outgoingUsername,
      verifyCertificate: d.verifyCertificate, trustedCa: d.trustedCa, processEmailFrom: d.processEmailFrom || null,
      moveFailedToUndeliverable: d.moveFailedToUndeliverable, alertOnMajorityFailure: d.alertOnMajorityFailure,
      minPollingMinutes: values.minPollingMinutes, maxConnections: values.maxConnections,
      ...(profile ? {} : { serverType: d.serverType }),
      ...(values.incomingPort !== undefined ? { incomingPort: values.incomingPort } : {}),
      ...(values.outgoingPort !== undefined ? { outgoingPort: values.outgoingPort } : {}),
      ...(d.outgoingHost || !d.outgoingSameSettings ? { outgoingHost: d.outgoingHost } : {}),
      ...(password ? { password } : {}), ...(outgoingPassword ? { outgoingPassword } : {}),
    };
    void send(body, 'save');
  };

  const label = profile ? `Edit profile ${profile.name}` : 'New profile';
  return (
    <form onSubmit={submit} aria-label={label} noValidate>
      <fieldset>
        <legend>General</legend>
        <TextField label="Name" name="name" value={d.name} error={fields.name} hint="At most 100 characters." autoComplete="off" onChange={(e) => set('name', e.target.value)} />
        <TextArea label="Description" name="description" value={d.description} error={fields.description} rows={2} onChange={(e) => set('description', e.target.value)} />
        <SelectField label="Server type" name="serverType" value={d.serverType} error={fields.serverType} options={SERVER_TYPES} disabled={Boolean(profile)}
          hint={profile ? 'The type is fixed once the profile exists.' : 'The Exchange types are not available yet and are refused.'} onChange={(e) => set('serverType', e.target.value)} />
        <CheckboxField label="Default profile for new mailboxes" checked={d.isDefault} onChange={(e) => set('isDefault', e.target.checked)} />
      </fieldset>
      <fieldset>
        <legend>Incoming server</legend>
        <TextField label="Incoming server location" name="incomingHost" value={d.incomingHost} error={fields.incomingHost} autoComplete="off"
          hint="A host name or IP address, such as imap.example.com." onChange={(e) => set('incomingHost', e.target.value)} />
        <TextField label="Incoming port" name="incomingPort" inputMode="numeric" value={d.incomingPort} error={fields.incomingPort}
          hint="Empty: from the type and SSL (993 for IMAP, 995 for POP3)." onChange={(e) => set('incomingPort', e.target.value)} />
        <CheckboxField label="Use SSL for incoming connections" checked={d.incomingSsl} error={fields.incomingSsl} onChange={(e) => set('incomingSsl', e.target.checked)} />
      </fieldset>
      <fieldset>
        <legend>Outgoing server</legend>
        <CheckboxField label="Use the same settings for outgoing connections" checked={d.outgoingSameSettings}
          hint="The outgoing server signs in with the incoming credentials." onChange={(e) => set('outgoingSameSettings', e.target.checked)} />
        <TextField label="Outgoing server location" name="outgoingHost" value={d.outgoingHost} error={fields.outgoingHost} autoComplete="off"
          hint="Empty with the same settings: the incoming server." onChange={(e) => set('outgoingHost', e.target.value)} />
        <TextField label="Outgoing port" name="outgoingPort" inputMode="numeric" value={d.outgoingPort} error={fields.outgoingPort}
          hint="Empty: 587 with SSL (STARTTLS), 25 without." onChange={(e) => set('outgoingPort', e.target.value)} />
        <CheckboxField label="Use SSL for outgoing connections" checked={d.outgoingSsl} error={fields.outgoingSsl} onChange={(e) => set('outgoingSsl', e.target.checked)} />
      </fieldset>
      <fieldset>
        <legend>Credentials</legend>
        <SelectField label="Credentials come from" name="credentialsFrom" value={d.credentialsFrom} error={fields.credentialsFrom}
          options={[{ value: 'mailbox', label: 'Each mailbox (its user or queue)' }, { value: 'profile', label: 'This profile' }]}
          onChange={(e) => set('credentialsFrom', e.target.value as Draft['credentialsFrom'])} />
        {d.credentialsFrom === 'profile' && (
          <>
            <TextField label="User name" name="username" value={d.username} error={fields.username} autoComplete="off" onChange={(e) => set('username', e.target.value)} />
            <SecretField label="Password" name="password" isSet={profile?.passwordSet ?? false} value={password} error={fields.password}
              clearing={busy === 'clear-password'} onChange={setPassword} onClear={() => void send({ password: null }, 'clear-password')} />
            {!d.outgoingSameSettings && (
              <>
                <TextField label="Outgoing user name" name="outgoingUsername" value={d.outgoingUsername} error={fields.outgoingUsername} autoComplete="off" onChange={(e) => set('outgoingUsername', e.target.value)} />
                <SecretField label="Outgoing password" name="outgoingPassword" isSet={profile?.outgoingPasswordSet ?? false} value={outgoingPassword} error={fields.outgoingPassword}
                  clearing={busy === 'clear-outgoing'} onChange={setOutgoingPassword} onClear={() => void send({ outgoingPassword: null }, 'clear-outgoing')} />
              </>
            )}
          </>
        )}
      </fieldset>
      <fieldset>
        <legend>Certificates</legend>
        <CheckboxField label="Verify the servers' certificates" checked={d.verifyCertificate}
          hint="Leave on. For servers signed by your company's own authority, paste its certificate below instead of turning this off."
          onChange={(e) => set('verifyCertificate', e.target.checked)} />
        <TextArea label="Trusted certificate authority (PEM)" name="trustedCa" value={d.trustedCa} error={fields.trustedCa} rows={4} spellCheck={false}
          hint="Trusted for this profile's servers in addition to the system's authorities. Certificates only, never a private key; empty for none."
          onChange={(e) => set('trustedCa', e.target.value)} />
      </fieldset>
      <fieldset>
        <legend>Processing</legend>
        <TextField label="Process email from" name="processEmailFrom" type="date" value={d.processEmailFrom} error={fields.processEmailFrom}
          hint="Email received before this date is never synchronized; empty for no limit." onChange={(e) => set('processEmailFrom', e.target.value)} />
        <TextField label="Minimum polling interval (minutes)" name="minPollingMinutes" inputMode="numeric" value={d.minPollingMinutes} error={fields.minPollingMinutes}
          hint="0 to 1,440." onChange={(e) => set('minPollingMinutes', e.target.value)} />
        <TextField label="Maximum concurrent connections" name="maxConnections" inputMode="numeric" value={d.maxConnections} error={fields.maxConnections}
          hint="1 to 300, counted across every worker." onChange={(e) => set('maxConnections', e.target.value)} />
        <CheckboxField label="Move failed email to the Undeliverable folder" checked={d.moveFailedToUndeliverable} onChange={(e) => set('moveFailedToUndeliverable', e.target.checked)} />
        <CheckboxField label="Alert the owner when more than half of the mailboxes fail within an hour" checked={d.alertOnMajorityFailure} onChange={(e) => set('alertOnMajorityFailure', e.target.checked)} />
      </fieldset>
      <FormError error={error} fields={fields} />
      <div className="row">
        <BusyButton type="submit" busy={busy === 'save'} busyLabel="Saving…">{profile ? 'Save profile' : 'Add profile'}</BusyButton>
        {onCancel && <button type="button" className="button" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}
