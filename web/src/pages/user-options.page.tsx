import { useState, type FormEvent } from 'react';
import { api, toApiError, type ApiError } from '../api/client.ts';
import { PROVIDER_IDS } from '../api/values.ts';
import type { ProviderId, User, UserOptions } from '../api/schema.ts';
import { ErrorMessage, Notice } from '../components/error-message.tsx';
import { CheckboxField, SelectField, TextField } from '../components/fields.tsx';
import { PROVIDER_LABELS } from '../components/format.ts';
import { FormError } from '../components/form-error.tsx';
import { Page } from '../components/page.tsx';
import { BusyButton, Progress } from '../components/progress.tsx';
import { useApiQuery } from '../lib/query.ts';
import { Link, useParams } from 'react-router';
import { useSession } from '../session.tsx';

const CHOICE_LABELS: Record<ProviderId, string> = {
  smtp: 'SMTP: the system email client',
  eml: 'Email app: download an .eml file',
  graph: 'Microsoft Graph',
  exchange: 'Exchange',
};

const providerOptions = [
  { value: '', label: '(blank) Ask each time how to send' },
  ...PROVIDER_IDS.map((id) => ({ value: id, label: CHOICE_LABELS[id] })),
];

/** User options: each user's own (Email provider selection); administrators open anyone's. */
export function UserOptionsPage() {
  const params = useParams();
  const { me, isAdmin, reloadMe } = useSession();
  const userId = params.id ?? me.user.id;
  const self = userId === me.user.id;
  const base = `/api/users/${encodeURIComponent(userId)}`;
  const options = useApiQuery<UserOptions>(`${base}/options`);
  const user = useApiQuery<User>(self ? null : base);
  const owner = self ? me.user : user.data;

  return (
    <Page title={self ? 'User options' : `User options of ${owner?.username ?? '…'}`}
      intro={self ? 'How your email is sent.' : <>Options of {owner?.name ?? 'this user'}. <Link to="/users">Back to Users</Link></>}>
      <ErrorMessage error={options.error ?? user.error} />
      {!options.data && !options.error && <Progress label="Loading options…" />}
      {options.data && owner && (
        <OptionsForm key={userId} base={base} owner={owner} initial={options.data} isAdmin={isAdmin}
          onSaved={() => { if (self) void reloadMe(); }} />
      )}
    </Page>
  );
}

function OptionsForm({ base, owner, initial, isAdmin, onSaved }: { base: string; owner: User; initial: UserOptions; isAdmin: boolean; onSaved(): void }) {
  const [providerId, setProviderId] = useState(initial.providerId ?? '');
  const [doNotAskAgain, setDoNotAskAgain] = useState(initial.doNotAskAgain);
  const [senderEmail, setSenderEmail] = useState(initial.senderEmail ?? '');
  const [notifications, setNotifications] = useState(initial.sendNotificationsInEmail);
  const [lastChoice, setLastChoice] = useState(initial.lastChoice);
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
      const next = await api<UserOptions>('PATCH', `${base}/options`, {
        providerId: providerId === '' ? null : providerId,
        doNotAskAgain,
        sendNotificationsInEmail: notifications,
        ...(isAdmin ? { senderEmail: senderEmail.trim() === '' ? null : senderEmail.trim() } : {}),
      });
      setLastChoice(next.lastChoice);
      setFields({});
      setSaved(true);
      onSaved();
    } catch (err) {
      const apiError = toApiError(err);
      setError(apiError);
      const f = apiError.fieldErrors();
      if (apiError.code === 'INVALID_ADDRESS' && f.email) f.senderEmail = f.email;
      setFields(f);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <fieldset>
        <legend>Email provider selection</legend>
        <SelectField label="Email provider ID" value={providerId} options={providerOptions} error={fields.providerId}
          hint="Choosing a provider is the same as ticking “Do not ask again” in the How would you like to send email dialog. The blank choice asks every time."
          onChange={(e) => setProviderId(e.target.value)} />
        {providerId === '' && (
          <CheckboxField label="Do not ask again" checked={doNotAskAgain} onChange={(e) => setDoNotAskAgain(e.target.checked)}
            hint={lastChoice ? `Use the last choice (${PROVIDER_LABELS[lastChoice]}) without asking.` : 'Nothing chosen yet: the dialog will ask on the next send.'} />
        )}
        {isAdmin ? (
          <TextField label="Sender email" name="senderEmail" type="email" value={senderEmail} error={fields.senderEmail}
            hint={`Overrides ${owner.email} (the Email on the Users page) as the From address. Leave empty to use it.`}
            onChange={(e) => setSenderEmail(e.target.value)} />
        ) : (
          <div className="field">
            <span className="label">Sender email</span>
            <p>{initial.senderEmail ?? <span className="muted">Not set: your email goes out from {owner.email}.</span>}</p>
            <p className="hint">Only an administrator changes this.</p>
          </div>
        )}
      </fieldset>
      <fieldset>
        <legend>Workflow</legend>
        <CheckboxField label="Send notifications in email" checked={notifications} onChange={(e) => setNotifications(e.target.checked)} />
      </fieldset>
      <FormError error={error} fields={fields} />
      {saved && <Notice kind="success">The options were saved.</Notice>}
      <BusyButton type="submit" busy={busy} busyLabel="Saving…">Save</BusyButton>
    </form>
  );
}
