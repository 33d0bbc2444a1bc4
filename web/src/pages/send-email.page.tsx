import { useEffect, useState, type FormEvent } from 'react';
import { api, base64ToBlob, fileToBase64, saveBlob, toApiError, type ApiError } from '../api/client.ts';
import type { Draft, ProviderId, SendResult } from '../api/schema.ts';
import { AttachmentsInput, type PickedFile } from '../components/attachments-input.tsx';
import { ErrorMessage, Notice } from '../components/error-message.tsx';
import { FailureDetailsView } from '../components/failure-details.tsx';
import { TextField } from '../components/fields.tsx';
import { FormError } from '../components/form-error.tsx';
import { Page } from '../components/page.tsx';
import { BusyButton, Progress } from '../components/progress.tsx';
import { ProviderChoiceDialog } from '../components/provider-choice-dialog.tsx';
import { BodyEditor, toMessageBody, type BodyValue } from '../components/rich-text-editor.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { formatSize } from '../components/format.ts';
import { htmlToText } from '../lib/sanitize.ts';
import { Link } from 'react-router';
import { useSession } from '../session.tsx';

const HOW: Record<string, string> = { smtp: 'the system email client (SMTP)', eml: 'an email app (.eml file)' };

interface Choice { provider: ProviderId; doNotAskAgain?: boolean }

/**
 * Send email: first "How would you like to send email" (unless the user's options already
 * decide), then the Send email form. The email app choice downloads the .eml.
 */
export function SendEmailPage() {
  const { me, isAdmin, reloadMe } = useSession();
  const [draft, setDraft] = useState<(Draft & { attachmentSizeLimitMb?: number }) | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [choice, setChoice] = useState<Choice | null>(null);
  const [asking, setAsking] = useState(false);
  const [form, setForm] = useState({ from: '', to: '', cc: '', bcc: '', subject: '' });
  const [body, setBody] = useState<BodyValue>({ mode: 'text', text: '', html: '' });
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [stage, setStage] = useState<'idle' | 'reading' | 'sending'>('idle');
  const [error, setError] = useState<ApiError | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [result, setResult] = useState<SendResult | null>(null);

  useEffect(() => {
    api<Draft>('POST', '/api/compose', {}).then((d) => {
      setDraft(d);
      setForm({ from: d.from, to: d.to.join(', '), cc: d.cc.join(', '), bcc: d.bcc.join(', '), subject: d.subject });
      setBody(d.html ? { mode: 'rich', text: '', html: d.html } : { mode: 'text', text: d.body, html: '' });
      if (d.ask || !d.provider) setAsking(true);
      else setChoice({ provider: d.provider });
    }, (err) => setLoadError(toApiError(err)));
  }, []);

  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  // The size limit is checked here first, so a big file is refused before it is uploaded.
  const limitMb = draft?.attachmentSizeLimitMb ?? 0;
  const totalBytes = files.reduce((sum, f) => sum + f.file.size, 0);
  const overLimit = limitMb > 0 && totalBytes > limitMb * 1024 * 1024
    ? `The attachments come to ${formatSize(totalBytes)}; the limit is ${limitMb} MB (Attachment size limit, in Email parameters). Remove a file to send.`
    : undefined;

  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!choice) { setAsking(true); return; }
    setError(null);
    setFields({});
    setResult(null);
    if (overLimit) return;
    const bodyText = body.mode === 'text' ? body.text : htmlToText(body.html);
    if (!form.subject.trim() && !bodyText.trim() && !window.confirm('This email has no subject and no body. Send it anyway?')) return;
    try {
      setStage('reading');
      const attachments = await Promise.all(files.map(async ({ file }) => ({
        filename: file.name, contentBase64: await fileToBase64(file), ...(file.type ? { contentType: file.type } : {}),
      })));
      setStage('sending');
      const sent = await api<SendResult>('POST', '/api/send', {
        ...form, ...toMessageBody(body), attachments, provider: choice.provider,
        ...(choice.doNotAskAgain !== undefined ? { doNotAskAgain: choice.doNotAskAgain } : {}),
      });
      if (sent.emlBase64) saveBlob(base64ToBlob(sent.emlBase64, 'message/rfc822'), `${(form.subject.trim() || 'email').replace(/[^\w .-]+/g, '_').slice(0, 80)}.eml`);
      setResult(sent);
      if (choice.doNotAskAgain) void reloadMe();
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError.code === 'PROVIDER_CHOICE_REQUIRED') { setChoice(null); setAsking(true); }
      setError(apiError);
      const next = Object.fromEntries(Object.entries(apiError.fieldErrors()).map(([k, v]) => [k.toLowerCase(), v]));
      if (apiError.code === 'MESSAGE_TOO_LARGE') next.attachments = apiError.message;
      if (apiError.code === 'SEND_AS_DENIED' && !apiError.response) next.from = sendAsAdvice(form.from.trim(), me.user.email, isAdmin);
      setFields(next);
    } finally {
      setStage('idle');
    }
  };

  const startOver = () => {
    setResult(null);
    setForm({ ...form, to: '', cc: '', bcc: '', subject: '' });
    setBody({ mode: body.mode, text: '', html: '' });
    setFiles([]);
  };

  const senders = [...new Set([me.options.senderEmail, me.user.email, ...me.sendAs].filter((a): a is string => Boolean(a)))];

  return (
    <Page title="Send email">
      {asking && draft && (
        <ProviderChoiceDialog choices={draft.choices} initial={choice?.provider ?? draft.provider}
          onChoose={(provider, doNotAskAgain) => { setChoice({ provider, doNotAskAgain }); setAsking(false); setError(null); }}
          onCancel={() => setAsking(false)} />
      )}
      <ErrorMessage error={loadError} />
      {!draft && !loadError && <Progress label="Preparing the form…" />}
      {draft && !choice && !asking && (
        <div className="notice notice-info">
          <p>Choose how to send before writing the email.</p>
          <button type="button" className="button primary" onClick={() => setAsking(true)}>Choose how to send</button>
        </div>
      )}
      {draft && choice && result && <SendOutcome result={result} onAnother={startOver} />}
      {draft && choice && !result && (
        <form onSubmit={send} noValidate aria-label="Send email" className="compose">
          <p className="how" data-provider={choice.provider}>
            Sending with {HOW[choice.provider] ?? choice.provider}.{' '}
            <button type="button" className="button small" onClick={() => setAsking(true)}>Change</button>
          </p>
          <TextField label="From" name="from" value={form.from} error={fields.from} onChange={set('from')} list="send-as-addresses"
            hint="Your own address, or one you have Send-As rights for." autoComplete="off" />
          <datalist id="send-as-addresses">{senders.map((a) => <option key={a} value={a} />)}</datalist>
          <TextField label="To" name="to" value={form.to} error={fields.to} onChange={set('to')} hint="Separate several addresses with commas." autoComplete="off" />
          <TextField label="Cc" name="cc" value={form.cc} error={fields.cc} onChange={set('cc')} autoComplete="off" />
          <TextField label="Bcc" name="bcc" value={form.bcc} error={fields.bcc} onChange={set('bcc')} autoComplete="off" />
          <TextField label="Subject" name="subject" value={form.subject} error={fields.subject} onChange={set('subject')} autoComplete="off" />
          <BodyEditor value={body} onChange={setBody} error={fields.body ?? fields.html} />
          <AttachmentsInput files={files} onChange={setFiles} error={overLimit ?? fields.attachments} />
          <FormError error={error} fields={fields} action="send" />
          <div className="row">
            <BusyButton type="submit" busy={stage !== 'idle'} busyLabel={stage === 'reading' ? 'Reading attachments…' : choice.provider === 'eml' ? 'Creating the .eml file…' : 'Sending…'}>
              {choice.provider === 'eml' ? 'Create .eml file' : 'Send'}
            </BusyButton>
          </div>
        </form>
      )}
    </Page>
  );
}

/** Why this From is refused, with the advice that fits who reads it. */
function sendAsAdvice(from: string, own: string, isAdmin: boolean): string {
  return isAdmin
    ? `You have no Send-As grant for ${from}. Grant yourself Send-As for it on the Users page, or send from your own address (${own}).`
    : `You may not send as ${from}: you have no Send-As grant for it. Send from your own address (${own}), or ask an administrator to grant you Send-As for ${from}.`;
}

function SendOutcome({ result, onAnother }: { result: SendResult; onAnother(): void }) {
  const { email, emlBase64 } = result;
  const detail = <Link to={`/history/${encodeURIComponent(email.id)}`}>Open it in the Email history</Link>;
  return (
    <div className="outcome" data-send-status={email.status}>
      {emlBase64 && <Notice kind="success">The .eml file was downloaded. Open it in your email app to check and send it. {detail}</Notice>}
      {email.status === 'sent' && <Notice kind="success">The email was sent: the server accepted it. <StatusBadge status={email.status} /> {detail}</Notice>}
      {(email.status === 'waiting' || email.status === 'deferred' || email.status === 'sending') && (
        <Notice kind="warning">The server could not take the email right now; Mailroom will try again. <StatusBadge status={email.status} /> {detail}</Notice>
      )}
      {(email.status === 'failed' || email.status === 'expired') && (
        <div className="notice notice-error" role="alert">
          <p className="notice-title">The email was not sent. <StatusBadge status={email.status} /></p>
          <FailureDetailsView failure={email.failure} />
          <p>{detail}</p>
        </div>
      )}
      <button type="button" className="button primary" onClick={onAnother}>Write another email</button>
    </div>
  );
}
