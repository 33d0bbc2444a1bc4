// Personal email options for incoming mail: which email of your mailbox becomes an activity,
// automatic creation of contacts or leads for unknown senders, and folder tracking rules (folders
// under the Inbox whose mail is tracked, each with an optional regarding record).
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { FolderRule, TrackingOptions } from '../api/schema.ts';
import { ErrorMessage, Notice } from '../components/error-message.tsx';
import { CheckboxField, SelectField, TextField } from '../components/fields.tsx';
import { Page, Section } from '../components/page.tsx';
import { BusyButton, Progress } from '../components/progress.tsx';
import { useApiMutation, useApiQuery } from '../lib/query.ts';

const OPTIONS_PATH = '/api/users/me/email-options';
const RULES_PATH = '/api/users/me/folder-rules';

const TRACKING_LABELS: Record<TrackingOptions['tracking'], string> = {
  all: 'All email messages',
  replies: 'Email messages in response to email sent from Mailroom',
  records: 'Email messages from leads, contacts and accounts',
  'email-enabled': 'Email messages from records that have an email address',
};

function TrackingForm({ options }: { options: TrackingOptions }) {
  const [draft, setDraft] = useState<Partial<TrackingOptions>>({});
  const save = useApiMutation((change: Partial<TrackingOptions>) => api<TrackingOptions>('PATCH', OPTIONS_PATH, change), { invalidates: [OPTIONS_PATH] });
  const value = { ...options, ...draft };
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(draft, { onSuccess: () => setDraft({}) }); };
  return (
    <form onSubmit={submit} aria-label="Email tracking options" noValidate>
      <SelectField label="Email messages to track" value={value.tracking} onChange={(e) => setDraft({ ...draft, tracking: e.target.value as TrackingOptions['tracking'] })}
        options={(Object.keys(TRACKING_LABELS) as TrackingOptions['tracking'][]).map((k) => ({ value: k, label: TRACKING_LABELS[k] }))} />
      <CheckboxField label="Automatically create records for unknown senders of tracked email" checked={value.autoCreate}
        hint="never for automated senders: mailing lists, no-reply addresses, delivery reports" onChange={(e) => setDraft({ ...draft, autoCreate: e.target.checked })} />
      <SelectField label="Create as" value={value.createAs} onChange={(e) => setDraft({ ...draft, createAs: e.target.value as TrackingOptions['createAs'] })}
        options={[{ value: 'contact', label: 'Contact' }, { value: 'lead', label: 'Lead' }]} />
      <BusyButton type="submit" busy={save.isPending} busyLabel="Saving…">Save email tracking options</BusyButton>
      <ErrorMessage error={save.error} />
      {save.isSuccess && Object.keys(draft).length === 0 && <Notice kind="success">Email tracking options saved.</Notice>}
    </form>
  );
}

function FolderRules() {
  const rules = useApiQuery<FolderRule[]>(RULES_PATH);
  const [form, setForm] = useState({ folder: '', regarding: '' });
  const add = useApiMutation(() => api('POST', RULES_PATH, { folder: form.folder, ...(form.regarding ? { regarding: form.regarding } : {}) }), { invalidates: [RULES_PATH] });
  const remove = useApiMutation((id: string) => api('DELETE', `${RULES_PATH}/${encodeURIComponent(id)}`), { invalidates: [RULES_PATH] });
  return (
    <Section title="Folder tracking rules">
      <p>Email in these folders under your Inbox is tracked whatever the option above says (IMAP mailboxes, up to 25 folders). A regarding record is set on their activities again on every synchronization.</p>
      <ErrorMessage error={rules.error ?? remove.error} />
      {rules.isLoading && <Progress label="Loading folder rules…" />}
      {rules.data && (rules.data.length === 0 ? <p className="empty">No folder tracking rule.</p> : (
        <table className="grid">
          <thead><tr><th scope="col">Folder</th><th scope="col">Regarding</th><th scope="col">Commands</th></tr></thead>
          <tbody>{rules.data.map((r) => (
            <tr key={r.id}><td>{r.folder}</td><td>{r.regarding ? `${r.regarding.type} ${r.regarding.id}` : '-'}</td>
              <td><button type="button" className="button" onClick={() => remove.mutate(r.id)}>Remove the rule for {r.folder}</button></td></tr>
          ))}</tbody>
        </table>
      ))}
      <form onSubmit={(e) => { e.preventDefault(); add.mutate(undefined, { onSuccess: () => setForm({ folder: '', regarding: '' }) }); }} aria-label="New folder tracking rule" noValidate>
        <TextField label="Folder" hint="under the Inbox, such as INBOX/Projects" value={form.folder} onChange={(e) => setForm({ ...form, folder: e.target.value })} autoComplete="off" />
        <TextField label="Regarding (optional)" hint="account:ID, contact:ID, lead:ID… or a record id" value={form.regarding} onChange={(e) => setForm({ ...form, regarding: e.target.value })} autoComplete="off" />
        <BusyButton type="submit" busy={add.isPending} busyLabel="Adding…">Add folder rule</BusyButton>
      </form>
      <ErrorMessage error={add.error} />
    </Section>
  );
}

export function EmailTrackingPage() {
  const options = useApiQuery<TrackingOptions>(OPTIONS_PATH);
  return (
    <Page title="Email tracking" intro="Which email of your mailbox becomes an activity, and what Mailroom creates for unknown senders.">
      <ErrorMessage error={options.error} />
      {options.isLoading && <Progress label="Loading your email tracking options…" />}
      {options.data && <TrackingForm options={options.data} />}
      <FolderRules />
    </Page>
  );
}
