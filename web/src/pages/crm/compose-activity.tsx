// Writing an email activity from a record's page: it regards the record, goes to the record's
// address by default, and is sent through the user's own mailbox or a queue's they belong to (on
// the email queue: Pending send at once, then Sending, Sent or Failed), or kept as a Draft. It may
// start from a general email template: the template is filled for the record by the API, and its
// HTML enters the rich editor only through the console's sanitizer.
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, fileToBase64, toApiError, type ApiError } from '../../api/client.ts';
import type { ActivityDetail, ActivityTemplate, Queue, RenderedActivityTemplate } from '../../api/schema.ts';
import { AttachmentsInput, type PickedFile } from '../../components/attachments-input.tsx';
import { ErrorMessage } from '../../components/error-message.tsx';
import { SelectField, TextField } from '../../components/fields.tsx';
import { Section } from '../../components/page.tsx';
import { BusyButton } from '../../components/progress.tsx';
import { BodyEditor, toMessageBody, type BodyValue } from '../../components/rich-text-editor.tsx';
import { useApiQuery } from '../../lib/query.ts';
import { htmlToText, sanitizeHtml } from '../../lib/sanitize.ts';
import { useSession } from '../../session.tsx';
import { fieldErrors } from './record-parts.tsx';

const splitAddresses = (text: string) => text.split(/[;,\n]/).map((a) => a.trim()).filter(Boolean);

export function ComposeActivity({ regarding, to }: { regarding: { type: string; id: string }; to: readonly string[] }) {
  const { me: { user: me } } = useSession();
  const navigate = useNavigate();
  const queues = useApiQuery<Queue[]>('/api/queues');
  const mine = (queues.data ?? []).filter((q) => q.active && (q.ownerId === me.id || q.members.includes(me.username)));
  const [form, setForm] = useState({ to: to.join(', '), cc: '', subject: '', from: '' });
  const [body, setBody] = useState<BodyValue>({ mode: 'rich', text: '', html: '' });
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [busy, setBusy] = useState<'send' | 'draft' | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const fields = fieldErrors(error);
  const regardingKey = `${regarding.type}:${regarding.id}`;
  const templates = useApiQuery<ActivityTemplate[]>(`/api/activity-templates?regarding=${encodeURIComponent(regardingKey)}`);
  const [templateId, setTemplateId] = useState('');
  const [filling, setFilling] = useState(false);

  const startFrom = async (id: string) => {
    const hasText = form.subject.trim() || (body.mode === 'text' ? body.text.trim() : htmlToText(body.html).trim());
    if (id && hasText && !window.confirm('Replace the subject and body with the template\'s?')) return;
    setTemplateId(id);
    if (!id) return;
    setError(null);
    setFilling(true);
    try {
      const filled = await api<RenderedActivityTemplate>('POST', `/api/activity-templates/${encodeURIComponent(id)}/render`, { regarding, to: splitAddresses(form.to) });
      setForm((f) => ({ ...f, subject: filled.subject }));
      setBody({ mode: 'rich', text: '', html: sanitizeHtml(filled.html) });
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setFilling(false);
    }
  };
  const templateLabel = (t: ActivityTemplate) => `${t.description || t.emailId} (${t.emailId}${t.organization ? `, ${t.organization.name}` : ''})`;

  const submit = async (mode: 'send' | 'draft') => {
    setError(null);
    const text = body.mode === 'text' ? body.text : htmlToText(body.html);
    if (mode === 'send' && !form.subject.trim() && !text.trim() && !window.confirm('This email has no subject and no body. Send it anyway?')) return;
    setBusy(mode);
    try {
      const attachments = await Promise.all(files.map(async ({ file }) => ({
        filename: file.name, contentBase64: await fileToBase64(file), ...(file.type ? { contentType: file.type } : {}),
      })));
      const { body: plain, html } = toMessageBody(body);
      const message = {
        subject: form.subject, text: plain || null, html: html ?? null, to: splitAddresses(form.to), cc: splitAddresses(form.cc), regarding, attachments,
      };
      const saved = mode === 'send'
        ? await api<ActivityDetail>('POST', '/api/activities/send', { ...message, ...(form.from ? { queue: form.from } : {}) })
        : await api<ActivityDetail>('POST', '/api/activities', { ...message, direction: 'outgoing' });
      navigate(`/activities/${encodeURIComponent(saved.id)}`);
    } catch (err) {
      setError(toApiError(err));
      setBusy(null);
    }
  };
  const onSubmit = (e: FormEvent) => { e.preventDefault(); void submit('send'); };

  return (
    <Section title="Write an email">
      <form aria-label="Write an email activity" onSubmit={onSubmit} noValidate>
        <SelectField
          label="Send from" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} error={fields.queue}
          options={[{ value: '', label: `My mailbox (${me.email})` }, ...mine.map((q) => ({ value: q.id, label: `${q.name} (${q.email})` }))]}
          hint="The email goes out through this mailbox's own mail server."
        />
        {(templates.data?.length ?? 0) > 0 && (
          <SelectField
            label="Start from a template" value={templateId} onChange={(e) => void startFrom(e.target.value)} disabled={filling} error={fields.template}
            options={[{ value: '', label: 'No template' }, ...(templates.data ?? []).map((t) => ({ value: t.id, label: templateLabel(t) }))]}
            hint={filling ? 'Filling in the template…' : 'Fills the subject and body for this record; you can change them before sending.'}
          />
        )}
        <TextField label="To" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} error={fields.to} hint="Separate addresses with commas" autoComplete="off" />
        <TextField label="Cc" value={form.cc} onChange={(e) => setForm({ ...form, cc: e.target.value })} error={fields.cc} autoComplete="off" />
        <TextField label="Subject" value={form.subject} onChange={(e) => setForm({ ...form, subject: e.target.value })} error={fields.subject} hint="The tracking token is added when it is sent" autoComplete="off" />
        <BodyEditor value={body} onChange={setBody} error={fields.html ?? fields.text} />
        <AttachmentsInput files={files} onChange={setFiles} error={fields.attachments} />
        <ErrorMessage error={error} />
        <div className="row">
          <BusyButton type="submit" busy={busy === 'send'} busyLabel="Sending…" disabled={busy !== null}>Send</BusyButton>
          <BusyButton type="button" className="button secondary" busy={busy === 'draft'} busyLabel="Saving…" disabled={busy !== null} onClick={() => void submit('draft')}>Save as draft</BusyButton>
        </div>
      </form>
    </Section>
  );
}
