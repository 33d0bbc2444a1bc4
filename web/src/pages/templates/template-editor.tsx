import { useState, type FormEvent } from 'react';
import { api, toApiError, type ApiError } from '../../api/client.ts';
import { replace } from '../../api/replace.ts';
import type { EmailTemplate, EmailView, TemplateKindSpec, TemplatePreview, TestSendResult, Priority, TemplateKind, TemplateMessage } from '../../api/schema.ts';
import { ErrorMessage, Notice } from '../../components/error-message.tsx';
import { SelectField, TextArea, TextField } from '../../components/fields.tsx';
import { SafeHtmlFrame } from '../../components/message-body.tsx';
import { Section } from '../../components/page.tsx';
import { BusyButton } from '../../components/progress.tsx';
import { Tabs } from '../../components/tabs.tsx';
import { Link } from 'react-router';

const KIND_LABELS: Record<TemplateKind, string> = { workflow: 'Workflow notification', statement: 'Customer statement', general: 'General' };
/** Where the Sender email is used, by kind: each kind sends differently. */
const SENDER_HINTS: Record<TemplateKind, string> = {
  workflow: 'Workflow notifications are sent from this address: it must be set and valid.',
  statement: 'Statements are sent from this address when the user sending them may send as it (Send-As); otherwise from the user\'s own address.',
  general: 'Emails made from this template are sent from this address.',
};

/** One template: header fields, one message per language (subject and HTML body), preview and test send. */
export function TemplateEditor({ template, organizationId, kinds, onSaved, onClose }: {
  template: EmailTemplate | null;
  organizationId: string | null;
  kinds: readonly TemplateKindSpec[];
  onSaved(t: EmailTemplate): void;
  onClose(): void;
}) {
  const [head, setHead] = useState({
    emailId: template?.emailId ?? '', kind: template?.kind ?? 'workflow' as TemplateKind, description: template?.description ?? '',
    senderName: template?.senderName ?? '', senderEmail: template?.senderEmail ?? '', defaultLanguage: template?.defaultLanguage ?? 'en-us',
    priority: template?.priority ?? 'normal' as Priority,
  });
  const [messages, setMessages] = useState<TemplateMessage[]>(template ? [...template.messages] : [{ language: 'en-us', subject: '', html: '' }]);
  const [tab, setTab] = useState(template?.defaultLanguage ?? messages[0]?.language ?? 'en-us');
  const [newLanguage, setNewLanguage] = useState('');
  const [saved, setSaved] = useState<EmailTemplate | null>(template);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const spec = kinds.find((k) => k.kind === head.kind);

  const set = (key: keyof typeof head) => (e: { target: { value: string } }) => setHead({ ...head, [key]: e.target.value });
  const setMessage = (language: string, change: Partial<TemplateMessage>) =>
    setMessages(messages.map((m) => (m.language === language ? { ...m, ...change } : m)));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice('');
    try {
      const body = { ...head, messages };
      const result = saved
        ? await replace<EmailTemplate>(`/api/templates/${encodeURIComponent(saved.id)}`, body)
        : await api<EmailTemplate>('POST', '/api/templates', { ...body, organization: organizationId });
      setSaved(result);
      setNotice('Saved.');
      onSaved(result);
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const addLanguage = () => {
    const language = newLanguage.trim().toLowerCase();
    if (!language || messages.some((m) => m.language === language)) return;
    setMessages([...messages, { language, subject: '', html: '' }]);
    setTab(language);
    setNewLanguage('');
  };

  const tabs = messages.map((m) => ({
    id: m.language,
    label: m.language === head.defaultLanguage ? `${m.language} (default)` : m.language,
    content: (
      <div>
        <TextField label={`Subject (${m.language})`} value={m.subject} onChange={(e) => setMessage(m.language, { subject: e.target.value })} autoComplete="off" />
        <TextArea label={`HTML body (${m.language})`} value={m.html} rows={12} className="code" onChange={(e) => setMessage(m.language, { html: e.target.value })}
          hint="Placeholders are written %name%; values are HTML-escaped. Write %% for a percent sign." />
        {messages.length > 1 && (
          <button type="button" className="button small" onClick={() => { setMessages(messages.filter((x) => x.language !== m.language)); setTab(messages[0]!.language); }}>
            Remove {m.language}
          </button>
        )}
      </div>
    ),
  }));

  return (
    <Section title={saved ? `Template ${saved.emailId}` : 'New template'} actions={<button type="button" className="button small" onClick={onClose}>Close</button>}>
      <form onSubmit={save} aria-label="Email template" noValidate>
        <div className="grid-2">
          <div>
            <TextField label="Email ID" value={head.emailId} onChange={set('emailId')} hint="The unique key other settings refer to, e.g. WFNOTIFY." autoComplete="off" />
            <SelectField label="Kind" value={head.kind} onChange={set('kind')} options={(Object.keys(KIND_LABELS) as TemplateKind[]).map((k) => ({ value: k, label: KIND_LABELS[k] }))} />
            <TextField label="Email description" value={head.description} onChange={set('description')} autoComplete="off" />
            <SelectField label="Priority" value={head.priority} onChange={set('priority')} options={[{ value: 'low', label: 'Low' }, { value: 'normal', label: 'Normal' }, { value: 'high', label: 'High' }]} />
          </div>
          <div>
            <TextField label="Sender name" value={head.senderName} onChange={set('senderName')} autoComplete="off" />
            <TextField label="Sender email" type="email" value={head.senderEmail} onChange={set('senderEmail')} autoComplete="off"
              hint={SENDER_HINTS[head.kind]} />
            <TextField label="Default language code" value={head.defaultLanguage} onChange={set('defaultLanguage')} autoComplete="off"
              hint="Used when the recipient's language has no message of its own." />
          </div>
        </div>
        <h3>Messages by language</h3>
        <Tabs label="Languages" tabs={tabs} selected={tab} onSelect={setTab} />
        <div className="row">
          <TextField label="Add a language" value={newLanguage} onChange={(e) => setNewLanguage(e.target.value)} placeholder="de, fr-fr…" autoComplete="off" />
          <button type="button" className="button" onClick={addLanguage}>Add language</button>
        </div>
        {spec && <Placeholders spec={spec} />}
        <ErrorMessage error={error} />
        {notice && <Notice kind="success">{notice}</Notice>}
        <div className="row"><BusyButton type="submit" busy={busy} busyLabel="Saving…">Save</BusyButton></div>
      </form>
      {saved && <PreviewPanel template={saved} language={tab} />}
    </Section>
  );
}

function Placeholders({ spec }: { spec: TemplateKindSpec }) {
  return (
    <details className="subsection">
      <summary>Placeholders of a {KIND_LABELS[spec.kind].toLowerCase()} template</summary>
      <ul className="chips">
        {spec.placeholders.map((p) => <li key={p.name} title={p.description}><code>%{p.name}%</code></li>)}
      </ul>
      {Object.entries(spec.tables).map(([name, t]) => (
        <p key={name}>
          Line items ({t.description}): <code>{`<!--%tablebegin.${name}%-->`}</code> … <code>{`<!--%tableend.${name}%-->`}</code> with{' '}
          {t.columns.map((c) => <code key={c.name}>%{c.name}% </code>)}
        </p>
      ))}
    </details>
  );
}

function PreviewPanel({ template, language }: { template: EmailTemplate; language: string }) {
  const [preview, setPreview] = useState<TemplatePreview | null>(null);
  const [to, setTo] = useState('');
  const [sent, setSent] = useState<EmailView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<'preview' | 'send' | null>(null);
  const base = `/api/templates/${encodeURIComponent(template.id)}`;
  const run = async (what: 'preview' | 'send') => {
    setBusy(what);
    setError(null);
    try {
      if (what === 'preview') setPreview(await api<TemplatePreview>('POST', `${base}/preview`, { language }));
      else setSent((await api<TestSendResult>('POST', `${base}/test-send`, { to, language })).email);
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="subsection" aria-label="Preview and test send">
      <h3>Preview and test send</h3>
      <p className="muted">Uses the saved template with sample data, in {language}.</p>
      <div className="row">
        <BusyButton type="button" className="button" busy={busy === 'preview'} busyLabel="Rendering…" onClick={() => void run('preview')}>Preview</BusyButton>
        <TextField label="Test send to" type="email" value={to} onChange={(e) => setTo(e.target.value)} autoComplete="off" />
        <BusyButton type="button" className="button" busy={busy === 'send'} busyLabel="Queueing…" onClick={() => void run('send')}>Send test</BusyButton>
      </div>
      <ErrorMessage error={error} />
      {sent && <Notice kind="success">Queued from the template's sender. <Link to={`/history/${encodeURIComponent(sent.id)}`}>Follow it in the Email history</Link></Notice>}
      {preview && (
        <div data-testid="template-preview">
          <dl className="details">
            <dt>From</dt><dd>{preview.from ?? '(the sending user)'}</dd>
            <dt>Subject</dt><dd>{preview.subject}</dd>
            <dt>Language</dt><dd>{preview.language}</dd>
          </dl>
          <SafeHtmlFrame html={preview.html} title={`Preview of ${template.emailId}`} />
        </div>
      )}
    </div>
  );
}
