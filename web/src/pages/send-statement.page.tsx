import { useEffect, useState, type FormEvent } from 'react';
import { api, base64ToBlob, saveBlob, toApiError, type ApiError } from '../api/client.ts';
import type { ProviderId, StatementDraft, StatementSendResult } from '../api/schema.ts';
import { ErrorMessage, Notice } from '../components/error-message.tsx';
import { FailureDetailsView } from '../components/failure-details.tsx';
import { TextField } from '../components/fields.tsx';
import { formatSize } from '../components/format.ts';
import { Page } from '../components/page.tsx';
import { BusyButton, Progress } from '../components/progress.tsx';
import { ProviderChoiceDialog } from '../components/provider-choice-dialog.tsx';
import { BodyEditor, toMessageBody, type BodyValue } from '../components/rich-text-editor.tsx';
import { Link, useParams } from 'react-router';
import { useSession } from '../session.tsx';

interface Choice { provider: ProviderId; doNotAskAgain?: boolean }

/**
 * Statements to contact: the Send email dialog prefilled with the account's Statements contact,
 * the statement template and the workbook; the email app downloads the .eml, SMTP sends now.
 */
export function SendStatementPage() {
  const params = useParams();
  const { reloadMe } = useSession();
  const account = params.id ?? '';
  const base = `/api/accounts/${encodeURIComponent(account)}/statement`;
  const [draft, setDraft] = useState<StatementDraft | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [choice, setChoice] = useState<Choice | null>(null);
  const [asking, setAsking] = useState(false);
  const [form, setForm] = useState({ from: '', to: '', cc: '', subject: '' });
  const [body, setBody] = useState<BodyValue>({ mode: 'rich', text: '', html: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<StatementSendResult | null>(null);

  useEffect(() => {
    api<StatementDraft>('POST', `${base}/draft`, {}).then((d) => {
      setDraft(d);
      setForm({ from: d.draft.from, to: d.draft.to.join(', '), cc: d.draft.cc.join(', '), subject: d.draft.subject });
      setBody({ mode: 'rich', text: '', html: d.draft.html });
      if (d.draft.ask || !d.draft.provider) setAsking(true);
      else setChoice({ provider: d.draft.provider });
    }, (err) => setLoadError(toApiError(err)));
  }, [base]);

  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!choice) { setAsking(true); return; }
    setBusy(true);
    setError(null);
    try {
      const sent = await api<StatementSendResult>('POST', `${base}/send`, {
        ...form, ...toMessageBody(body), provider: choice.provider, ...(choice.doNotAskAgain !== undefined ? { doNotAskAgain: choice.doNotAskAgain } : {}),
      });
      if (sent.emlBase64) saveBlob(base64ToBlob(sent.emlBase64, 'message/rfc822'), `Statement ${account}.eml`);
      setResult(sent);
      if (choice.doNotAskAgain) void reloadMe();
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={`Statements to contact: ${account}`} intro={<Link to={`/accounts/${encodeURIComponent(account)}`}>Back to the account</Link>}>
      {asking && draft && (
        <ProviderChoiceDialog choices={draft.draft.choices} initial={choice?.provider ?? draft.draft.provider}
          onChoose={(provider, doNotAskAgain) => { setChoice({ provider, doNotAskAgain }); setAsking(false); }} onCancel={() => setAsking(false)} />
      )}
      <ErrorMessage error={loadError} />
      {!draft && !loadError && <Progress label="Preparing the statement…" />}
      {result && (
        <div className="outcome" data-send-status={result.email.status}>
          {result.emlBase64 && <Notice kind="success">The .eml file was downloaded: open it in your email app, check the To address and the workbook, and send it.</Notice>}
          {result.email.status === 'sent' && <Notice kind="success">The statement was sent.</Notice>}
          {(result.email.status === 'failed' || result.email.status === 'expired') && <FailureDetailsView failure={result.email.failure} />}
          <p><Link to={`/history/${encodeURIComponent(result.email.id)}`}>Open it in the Email history</Link></p>
        </div>
      )}
      {draft && !result && (
        <form onSubmit={send} aria-label="Send email" className="compose" noValidate>
          <p className="how">
            {choice ? `Sending with ${choice.provider === 'eml' ? 'an email app (.eml file)' : 'the system email client (SMTP)'}.` : 'Choose how to send.'}{' '}
            <button type="button" className="button small" onClick={() => setAsking(true)}>{choice ? 'Change' : 'Choose'}</button>
          </p>
          <TextField label="From" value={form.from} onChange={set('from')} autoComplete="off" />
          <TextField label="To" value={form.to} onChange={set('to')} hint="The customer's Statements contact; change it to send the statement elsewhere." autoComplete="off" />
          <TextField label="Cc" value={form.cc} onChange={set('cc')} autoComplete="off" />
          <TextField label="Subject" value={form.subject} onChange={set('subject')} autoComplete="off" />
          <BodyEditor value={body} onChange={setBody} />
          <p>Attachments: {draft.draft.attachments.map((a) => `${a.filename} (${formatSize(a.size)})`).join(', ')}</p>
          <ErrorMessage error={error} />
          <div className="row">
            <BusyButton type="submit" busy={busy} busyLabel={choice?.provider === 'eml' ? 'Creating the .eml file…' : 'Sending…'}>
              {choice?.provider === 'eml' ? 'Create .eml file' : 'Send'}
            </BusyButton>
          </div>
        </form>
      )}
    </Page>
  );
}
