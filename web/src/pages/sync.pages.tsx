// Server-side synchronization pages: Email settings, Email server profiles, Mailboxes (approve,
// test and enable, per-channel status and results, alerts), the alerts wall, and queues.
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { EmailSettings, MailboxAlert, ProfileTest, Queue, ServerProfile, SyncJob, SyncMailbox } from '../api/schema.ts';
import { ErrorMessage, Notice } from '../components/error-message.tsx';
import { CheckboxField, SelectField, TextField } from '../components/fields.tsx';
import { formatTime as when } from '../components/format.ts';
import { Page, Section } from '../components/page.tsx';
import { BusyButton, Progress } from '../components/progress.tsx';
import { apiKey, useApiMutation, useApiQuery } from '../lib/query.ts';
import { MailboxSyncPanel, SyncHealth } from './mailbox-sync.panel.tsx';
import { ProfileEditor } from './profile-editor.tsx';

type Setting = keyof EmailSettings;
type SettingsDraft = Partial<Record<Setting, string | number | boolean | null>>;
type ChannelState = SyncMailbox['channels']['incoming'];

const SETTING_LABELS: Partial<Record<Setting, string>> = {
  defaultIncoming: 'Default incoming method', defaultOutgoing: 'Default outgoing method', defaultAct: 'Default appointments, contacts and tasks method',
  approvedUsersOnly: 'Process emails only for approved users', approvedQueuesOnly: 'Process emails only for approved queues',
  alertErrors: 'Show alerts for errors', alertWarnings: 'Show alerts for warnings', alertInformation: 'Show alerts for information', notifyMailboxOwner: 'Notify mailbox owner',
  maxAttachmentKb: 'Maximum attachment size (KB)', trackingTokenPrefix: 'Tracking token prefix', trackingTokenBase: 'Tracking token base number',
  trackingTokenUserDigits: 'Digits for user numbers', trackingTokenCounterDigits: 'Digits for the counter',
  useCorrelation: 'Use correlation', useTrackingTokens: 'Use tracking tokens', folderLevelTracking: 'Folder-level tracking', smartMatching: 'Smart matching',
  trackBetweenUsersAsTwo: 'Track email sent between users as two activities',
  unresolvedOnMultipleMatches: 'Set To, cc, bcc as unresolved if multiple matches are found',
  transientRetries: 'Retries of a transient failure', retryIntervalMinutes: 'Minutes between retries',
};

export function EmailSettingsPage() {
  const settings = useApiQuery<EmailSettings>('/api/email-settings');
  const [draft, setDraft] = useState<SettingsDraft>({});
  const save = useApiMutation((change: SettingsDraft) => api('PATCH', '/api/email-settings', change), { invalidates: ['/api/email-settings'] });
  if (!settings.data) return <Page title="Email settings"><ErrorMessage error={settings.error} />{settings.isLoading && <Progress label="Loading Email settings…" />}</Page>;
  const value = (k: Setting) => (k in draft ? draft[k] : settings.data![k]);
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(draft, { onSuccess: () => setDraft({}) }); };
  return (
    <Page title="Email settings" intro="The defaults of new mailboxes, approval, alerts, attachment size and tracking, for the whole environment.">
      <form onSubmit={submit} aria-label="Email settings" noValidate>
        {(Object.keys(SETTING_LABELS) as Setting[]).map((k) => {
          const v = value(k);
          if (typeof settings.data![k] === 'boolean') {
            return <CheckboxField key={k} label={SETTING_LABELS[k]!} checked={v === true} onChange={(e) => setDraft({ ...draft, [k]: e.target.checked })} />;
          }
          if (k.startsWith('default')) {
            return <SelectField key={k} label={SETTING_LABELS[k]!} value={String(v)} onChange={(e) => setDraft({ ...draft, [k]: e.target.value })}
              options={[{ value: 'sss', label: 'Server-side synchronization' }, { value: 'none', label: 'None' }]} />;
          }
          const numeric = typeof settings.data![k] === 'number';
          return <TextField key={k} label={SETTING_LABELS[k]!} value={String(v ?? '')} inputMode={numeric ? 'numeric' : undefined}
            onChange={(e) => setDraft({ ...draft, [k]: numeric && /^\d+$/.test(e.target.value) ? Number(e.target.value) : e.target.value })} />;
        })}
        <BusyButton type="submit" busy={save.isPending} busyLabel="Saving…">Save</BusyButton>
      </form>
      <ErrorMessage error={save.error} />
      {save.isSuccess && Object.keys(draft).length === 0 && <Notice kind="success">Email settings saved.</Notice>}
    </Page>
  );
}

export function ServerProfilesPage() {
  const profiles = useApiQuery<ServerProfile[]>('/api/email-server-profiles');
  const [editing, setEditing] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const client = useQueryClient();
  const done = (p: ServerProfile, verb: string) => { setEditing(null); setAdding(false); setSaved(`Profile ${p.name} ${verb}.`); void client.invalidateQueries({ queryKey: apiKey('/api/email-server-profiles').slice(0, -1) }); };
  const test = useApiMutation((id: string) => api<ProfileTest>('POST', `/api/email-server-profiles/${encodeURIComponent(id)}/test`));
  const testEnable = useApiMutation((id: string) => api<SyncJob>('POST', `/api/email-server-profiles/${encodeURIComponent(id)}/test-enable`), { invalidates: ['/api/mailboxes'] });
  return (
    <Page title="Email server profiles" intro="Where the mailboxes' IMAP/POP3 and SMTP servers are, how often they are polled and how many connections they may hold."
      actions={profiles.data && profiles.data.length > 0 && !adding && (
        <button type="button" className="button" onClick={() => { setSaved(null); setEditing(null); setAdding(true); }}>New profile</button>
      )}>
      <ErrorMessage error={profiles.error ?? test.error ?? testEnable.error} />
      {profiles.isLoading && <Progress label="Loading profiles…" />}
      {profiles.data && (
        <Section title="All profiles">
          {profiles.data.length === 0 ? <p className="empty">No profile yet.</p> : (
            <table className="grid">
              <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Incoming</th><th scope="col">Outgoing</th><th scope="col">Connections</th><th scope="col">Commands</th></tr></thead>
              <tbody>{profiles.data.map((p) => (
                <tr key={p.id}>
                  <td>{p.name}{p.isDefault ? ' (default)' : ''}</td><td>{p.serverType}</td><td>{p.incomingHost}:{p.incomingPort}</td><td>{p.outgoingHost}:{p.outgoingPort}</td><td>{p.maxConnections}</td>
                  <td>
                    <button type="button" className="button" onClick={() => { setSaved(null); setEditing(p.id); }} aria-label={`Edit ${p.name}`}>Edit</button>{' '}
                    <button type="button" className="button" onClick={() => test.mutate(p.id)}>Test connection</button>{' '}
                    <button type="button" className="button" onClick={() => testEnable.mutate(p.id)}>Test and enable mailboxes</button>
                  </td>
                </tr>
              ))}</tbody>
            </table>
          )}
        </Section>
      )}
      {test.data && <Section title="Connection test">{test.data.servers.map((s) => <p key={s.channel}>{s.channel}: {s.ok ? 'Success' : `Failure: ${s.failure?.code} ${s.failure?.message}`}</p>)}</Section>}
      {testEnable.data && <Notice kind="info">Testing {testEnable.data.total} mailbox(es) in the background (job {testEnable.data.id}).</Notice>}
      {saved && <Notice kind="success">{saved}</Notice>}
      {editing && profiles.data?.some((p) => p.id === editing) && (
        <Section title="Edit profile">
          <ProfileEditor key={editing} profile={profiles.data.find((p) => p.id === editing)} onDone={(p) => done(p, 'saved')} onCancel={() => setEditing(null)} />
        </Section>
      )}
      {/* The form for a new profile stands open only while there is none yet, or when asked for. */}
      {profiles.data && (profiles.data.length === 0 || adding) && (
        <Section title="New profile">
          <ProfileEditor key={saved ?? 'new'} onDone={(p) => done(p, 'added')} onCancel={profiles.data.length > 0 ? () => setAdding(false) : undefined} />
        </Section>
      )}
    </Page>
  );
}

const channelText = (c: ChannelState) => `${c.method === 'sss' ? 'Server-side sync' : 'None'} · ${c.status === 'not-run' ? 'Not run' : c.status === 'success' ? 'Success' : 'Failure'}${c.enabled ? ' · enabled' : ''}`;

function AlertList({ alerts }: { alerts: readonly MailboxAlert[] }) {
  if (alerts.length === 0) return <p className="empty">No alerts.</p>;
  return (
    <ul className="alerts">{alerts.map((a) => (
      <li key={a.id}><strong>{a.level}</strong> {when(a.createdAt)} {a.code ? `${a.code}: ` : ''}{a.message}{a.response ? ` Server said: ${a.response}` : ''}</li>
    ))}</ul>
  );
}

function MailboxAlerts({ id }: { id: string }) {
  const alerts = useApiQuery<MailboxAlert[]>(`/api/mailboxes/${encodeURIComponent(id)}/alerts`);
  return <><ErrorMessage error={alerts.error} />{alerts.data && <AlertList alerts={alerts.data} />}</>;
}

export function MailboxesPage() {
  const mailboxes = useApiQuery<SyncMailbox[]>('/api/mailboxes', { pollMs: 10_000 });
  const [open, setOpen] = useState<string | null>(null);
  const [status, setStatus] = useState<{ id: string; email: string } | null>(null);
  const approve = useApiMutation((id: string) => api('POST', `/api/mailboxes/${encodeURIComponent(id)}/approve`), { invalidates: ['/api/mailboxes'] });
  const testEnable = useApiMutation((id: string) => api('POST', `/api/mailboxes/${encodeURIComponent(id)}/test-enable`), { invalidates: ['/api/mailboxes'] });
  return (
    <Page title="Mailboxes" intro="One per user and per queue: approval, Test and enable, the status of each channel and its alerts.">
      <ErrorMessage error={mailboxes.error ?? approve.error ?? testEnable.error} />
      {mailboxes.isLoading && <Progress label="Loading mailboxes…" />}
      {mailboxes.data && (
        <table className="grid">
          <thead><tr><th scope="col">Email address</th><th scope="col">Approval</th><th scope="col">Incoming</th><th scope="col">Outgoing</th><th scope="col">Incoming health</th><th scope="col">Last success</th><th scope="col">Last error</th><th scope="col">Commands</th></tr></thead>
          <tbody>{mailboxes.data.map((m) => (
            <tr key={m.id}>
              <td>{m.email} ({m.ownerKind})</td>
              <td>{m.approval.status}</td>
              {(['incoming', 'outgoing'] as const).map((c) => (
                <td key={c}>{channelText(m.channels[c])}{m.channels[c].test?.status === 'failure' && <div className="failure">Failed at {m.channels[c].test!.step}: {m.channels[c].test!.code} {m.channels[c].test!.response ?? m.channels[c].test!.message}</div>}</td>
              ))}
              <td><SyncHealth id={m.id} /></td>
              <td>{when(m.lastSuccessAt)}</td>
              <td>{m.lastError ? `${m.lastError.code} (${m.lastError.count}×)` : '-'}</td>
              <td>
                {m.approval.status !== 'approved' && <button type="button" className="button" aria-label={`Approve email for ${m.email}`} onClick={() => approve.mutate(m.id)}>Approve email</button>}{' '}
                <button type="button" className="button" aria-label={`Test and enable ${m.email}`} onClick={() => testEnable.mutate(m.id)}>Test and enable</button>{' '}
                <button type="button" className="button" aria-expanded={open === m.id} aria-label={`Alerts of ${m.email}`} onClick={() => setOpen(open === m.id ? null : m.id)}>Alerts</button>{' '}
                <button type="button" className="button" aria-expanded={status?.id === m.id} aria-label={`Sync status of ${m.email}`} onClick={() => setStatus(status?.id === m.id ? null : { id: m.id, email: m.email })}>Sync status</button>
              </td>
            </tr>
          ))}</tbody>
        </table>
      )}
      {testEnable.isPending && <Progress label="Testing…" />}
      {open && <Section title="Alerts of the mailbox"><MailboxAlerts id={open} /></Section>}
      {status && <MailboxSyncPanel id={status.id} email={status.email} />}
    </Page>
  );
}

export function AlertsWallPage() {
  const alerts = useApiQuery<MailboxAlert[]>('/api/alerts', { pollMs: 15_000 });
  return (
    <Page title="Alerts" intro="Alerts of the mailboxes on the email server profiles you own.">
      <ErrorMessage error={alerts.error} />
      {alerts.isLoading && <Progress label="Loading alerts…" />}
      {alerts.data && <AlertList alerts={alerts.data} />}
    </Page>
  );
}

export function QueuesPage() {
  const queues = useApiQuery<Queue[]>('/api/queues');
  const [form, setForm] = useState({ name: '', email: '' });
  const add = useApiMutation(() => api('POST', '/api/queues', form), { invalidates: ['/api/queues', '/api/mailboxes'] });
  return (
    <Page title="Queues" intro="Shared mailboxes such as support@, each with its own mailbox.">
      <ErrorMessage error={queues.error} />
      {queues.isLoading && <Progress label="Loading queues…" />}
      {queues.data && (queues.data.length === 0 ? <p className="empty">No queue yet.</p> : (
        <table className="grid">
          <thead><tr><th scope="col">Name</th><th scope="col">Email address</th><th scope="col">State</th><th scope="col">Tracking</th><th scope="col">Members</th></tr></thead>
          <tbody>{queues.data.map((q) => <tr key={q.id}><td>{q.name}</td><td>{q.email}</td><td>{q.active ? 'Active' : 'Inactive'}</td><td>{q.tracking}</td><td>{q.members.join(', ')}</td></tr>)}</tbody>
        </table>
      ))}
      <Section title="New queue">
        <form onSubmit={(e) => { e.preventDefault(); add.mutate(undefined, { onSuccess: () => setForm({ name: '', email: '' }) }); }} aria-label="New queue" noValidate>
          <TextField label="Queue name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} autoComplete="off" />
          <TextField label="Queue email address" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} autoComplete="off" />
          <BusyButton type="submit" busy={add.isPending} busyLabel="Adding…">Add queue</BusyButton>
        </form>
        <ErrorMessage error={add.error} />
      </Section>
    </Page>
  );
}
