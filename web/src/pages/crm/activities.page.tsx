import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, downloadFile } from '../../api/client.ts';
import { ACTIVITY_STATUS_LABELS, RECORD_TYPE_LABELS, recordPath } from '../../api/values.ts';
import type { Activity, ActivityDetail, ActivityParty } from '../../api/schema.ts';
import { ErrorMessage, Notice } from '../../components/error-message.tsx';
import { SelectField, TextField } from '../../components/fields.tsx';
import { formatSize, formatTime } from '../../components/format.ts';
import { SafeHtmlFrame } from '../../components/message-body.tsx';
import { Page, Section } from '../../components/page.tsx';
import { BusyButton, Progress } from '../../components/progress.tsx';
import { useApiMutation, useApiQuery } from '../../lib/query.ts';
import { ActivitySending } from './activity-sending.tsx';
import { ActivityTable, fieldErrors, Pager, SearchForm, useRecordList } from './record-parts.tsx';

const DIRECTIONS = [{ value: '', label: 'Both' }, { value: 'incoming', label: 'Incoming' }, { value: 'outgoing', label: 'Outgoing' }];
const STATUSES = [{ value: '', label: 'Any' }, ...Object.entries(ACTIVITY_STATUS_LABELS).map(([value, label]) => ({ value, label }))];
const REGARDING_TYPES = ['account', 'contact', 'lead', 'organization', 'invoice', 'workflow-instance'];

/** Email activities: tracked and written email, newest first. */
export function ActivitiesPage() {
  const { list, values, search, nextPage, firstPage, paged } = useRecordList<Activity>('/api/activities', ['direction', 'status']);
  return (
    <Page title="Email activities" intro="Email tracked from mailboxes and email written here. Deleting an activity never deletes the email from the mail server.">
      <SearchForm label="Search email activities" values={values} onSearch={search} extra={(form, set) => (
        <>
          <SelectField label="Direction" value={form.direction ?? ''} onChange={(e) => set('direction', e.target.value)} options={DIRECTIONS} />
          <SelectField label="Status reason" value={form.status ?? ''} onChange={(e) => set('status', e.target.value)} options={STATUSES} />
        </>
      )} />
      <ErrorMessage error={list.error} />
      {list.isLoading && <Progress label="Loading email activities…" />}
      {list.data && (list.data.items.length === 0 ? <p className="empty">No email activity found.</p> : <ActivityTable items={list.data.items} />)}
      <Pager hasNext={!!list.data?.nextCursor} paged={paged} onNext={nextPage} onFirst={firstPage} />
    </Page>
  );
}

function PartyLine({ label, parties }: { label: string; parties: readonly ActivityParty[] }) {
  if (!parties.length) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>
        {parties.map((p, i) => (
          <span key={i} className="party">
            {p.name ? `${p.name} <${p.address}>` : p.address}
            {p.records.length === 0 ? <span className="muted"> (no record)</span> : p.records.map((r) => {
              const to = recordPath(r);
              const text = `${RECORD_TYPE_LABELS[r.type] ?? r.type}: ${r.name ?? r.id}`;
              return <span key={`${r.type}:${r.id}`}> · {to ? <Link to={to}>{text}</Link> : text}</span>;
            })}
            {i < parties.length - 1 ? '; ' : ''}
          </span>
        ))}
      </dd>
    </>
  );
}

/** Just sent, its Sent-folder copy still to come (a copy a stopped worker left is not waited for long). */
const copyingToSent = (a: ActivityDetail) => a.status === 'sent' && (a.sentFolder === 'pending' || a.sentFolder === 'copying') && Date.now() - (a.sentAt ?? 0) < 5 * 60_000;

/** One email activity: parties and the records they resolved to, the body (sanitized), attachments, regarding. */
export function ActivityPage() {
  const id = useParams().id ?? '';
  // While it waits, is being sent or copied to the Sent folder, the page follows it.
  const activity = useApiQuery<ActivityDetail>(`/api/activities/${encodeURIComponent(id)}`, {
    pollMs: (d) => (d && (d.status === 'pending-send' || d.status === 'sending' || copyingToSent(d)) ? 2_000 : undefined),
  });
  const a = activity.data;
  return (
    <Page title={a ? a.subject || '(no subject)' : 'Email activity'} intro={<Link to="/activities">All email activities</Link>}>
      <ErrorMessage error={activity.error} />
      {activity.isLoading && <Progress label="Loading the email activity…" />}
      {a && (
        <>
          <Section title="Email">
            <dl className="details">
              <dt>Direction</dt><dd>{a.direction === 'incoming' ? 'Incoming' : 'Outgoing'}</dd>
              <dt>Status reason</dt><dd>{ACTIVITY_STATUS_LABELS[a.status]}{a.statusDetail ? `: ${a.statusDetail}` : ''}</dd>
              <PartyLine label="From" parties={a.from ? [a.from] : []} />
              <PartyLine label="To" parties={a.to} />
              <PartyLine label="Cc" parties={a.cc} />
              <PartyLine label="Bcc" parties={a.bcc} />
              <dt>Received</dt><dd>{formatTime(a.receivedAt)}</dd>
              <dt>Sent</dt><dd>{formatTime(a.sentAt)}</dd>
              <dt>Message-ID</dt><dd><code>{a.messageId ?? '—'}</code></dd>
              {a.inReplyTo && <><dt>In reply to</dt><dd><code>{a.inReplyTo}</code></dd></>}
              <dt>Correlated by</dt><dd>{a.correlatedBy ?? '—'}</dd>
              <dt>Mailboxes</dt><dd>{a.mailboxes.join(', ') || '—'}</dd>
            </dl>
          </Section>
          {a.direction === 'outgoing' && <ActivitySending activity={a} />}
          <Section title="Body">
            {a.html ? <SafeHtmlFrame html={a.html} title={`Body of ${a.subject}`} /> : <pre className="text-body" tabIndex={0} aria-label="Body as plain text">{a.text || '(no text)'}</pre>}
          </Section>
          <Section title="Attachments">
            {a.attachments.length === 0 ? <p className="muted">No attachments.</p> : (
              <ul className="attachments">
                {a.attachments.map((f) => (
                  <li key={f.id}>
                    <span className="filename">{f.filename}</span>
                    <span className="muted"> {f.contentType}, {formatSize(f.size)}</span>
                    {f.stored
                      ? <button type="button" className="button small" aria-label={`Download ${f.filename}`} onClick={() => void downloadFile(`/api/activities/${encodeURIComponent(a.id)}/attachments/${encodeURIComponent(f.id)}`, f.filename)}>Download</button>
                      : <span className="muted"> — not stored: larger than the maximum attachment size</span>}
                  </li>
                ))}
              </ul>
            )}
          </Section>
          <RegardingEditor key={a.id} activity={a} />
        </>
      )}
    </Page>
  );
}

function RegardingEditor({ activity }: { activity: ActivityDetail }) {
  const navigate = useNavigate();
  const [form, setForm] = useState({ type: activity.regarding?.type ?? 'account', id: activity.regarding?.id ?? '' });
  const path = `/api/activities/${encodeURIComponent(activity.id)}`;
  const save = useApiMutation(() => api<ActivityDetail>('PATCH', path, { regarding: form.id.trim() ? { type: form.type, id: form.id.trim() } : null }), { invalidates: ['/api/activities'] });
  const remove = useApiMutation(() => api('DELETE', path), { invalidates: ['/api/activities'] });
  const errors = fieldErrors(save.error);
  const to = activity.regarding && recordPath(activity.regarding);
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(); };
  return (
    <Section title="Regarding">
      <p>
        {activity.regarding
          ? <>Regarding {RECORD_TYPE_LABELS[activity.regarding.type] ?? activity.regarding.type}: {to ? <Link to={to}>{activity.regarding.name ?? activity.regarding.id}</Link> : activity.regarding.name ?? activity.regarding.id}</>
          : 'Not regarding any record.'}
      </p>
      <form className="row" aria-label="Set the regarding record" onSubmit={submit} noValidate>
        <SelectField label="Record type" value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })} options={REGARDING_TYPES.map((t) => ({ value: t, label: RECORD_TYPE_LABELS[t] ?? t }))} />
        <TextField label="Record id" value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} error={errors.regarding} hint="Empty clears it" autoComplete="off" />
        <BusyButton type="submit" busy={save.isPending} busyLabel="Saving…">Save</BusyButton>
      </form>
      {save.isSuccess && <Notice kind="success">Saved.</Notice>}
      <ErrorMessage error={save.error ?? remove.error} />
      <p className="muted">Deleting removes Mailroom's copy only; the email stays on the mail server.</p>
      <BusyButton type="button" className="button danger" busy={remove.isPending} busyLabel="Deleting…" onClick={() => remove.mutate(undefined, { onSuccess: () => navigate('/activities') })}>Delete activity</BusyButton>
    </Section>
  );
}
