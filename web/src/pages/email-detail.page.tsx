import { useState } from 'react';
import { api, downloadFile } from '../api/client.ts';
import type { EmailDetail, EmailStatus, EmailView, MessageContent } from '../api/schema.ts';
import { ErrorMessage, Notice } from '../components/error-message.tsx';
import { FailureDetailsView } from '../components/failure-details.tsx';
import { describeWorker, formatMailboxes, formatSize, formatTime, PROVIDER_LABELS, relativeTime } from '../components/format.ts';
import { AttachmentList, HeaderList, MessageBody } from '../components/message-body.tsx';
import { Page } from '../components/page.tsx';
import { BusyButton, Progress } from '../components/progress.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { Tabs } from '../components/tabs.tsx';
import { useApiMutation, useApiQuery } from '../lib/query.ts';
import { useSession } from '../session.tsx';
import { Link, useParams } from 'react-router';

const QUEUED = new Set(['waiting', 'deferred', 'sending']);

/** One email of the history: its message, recipients, attempts and Failure details. */
const IN_QUEUE: readonly EmailStatus[] = ['waiting', 'deferred', 'sending'];

export function EmailDetailPage() {
  const params = useParams();
  const base = `/api/emails/${encodeURIComponent(params.id!)}`;
  const [queued, setQueued] = useState(false);
  // While it waits or is being sent, the page follows it (a run or a retry moves it on).
  const email = useApiQuery<EmailDetail>(base, { pollMs: (e) => (queued || (e && IN_QUEUE.includes(e.status)) ? 3_000 : undefined) });
  // A notification refused before its message was built (size 0) has no content to ask for.
  const unbuilt = email.data ? email.data.sizeBytes === 0 && (email.data.status === 'failed' || email.data.status === 'expired') : null;
  const content = useApiQuery<MessageContent>(unbuilt === false ? `${base}/content` : null);
  const [tab, setTab] = useState('message');
  const changes = { invalidates: [base, '/api/emails', '/api/queue'] };
  const resend = useApiMutation(() => api<EmailView>('POST', `${base}/resend`), changes);
  const cancel = useApiMutation(() => api<EmailView>('POST', `${base}/cancel`), changes);
  const retry = useApiMutation(() => api<EmailView>('POST', `${base}/retry-now`), changes);
  const { isAdmin } = useSession();
  const download = useApiMutation(() => downloadFile(`${base}/eml`, `${params.id}.eml`));
  const downloadAttachment = useApiMutation((a: { index: number; name: string }) => downloadFile(`${base}/attachments/${a.index}`, a.name));

  const e = email.data;
  if (e && QUEUED.has(e.status) !== queued) setQueued(QUEUED.has(e.status));

  return (
    <Page title={e ? e.subject || '(no subject)' : 'Email'} intro={<Link to="/history">Back to the Email history</Link>} actions={e && (
      <>
        {(e.status === 'failed' || e.status === 'expired') && (
          <BusyButton type="button" busy={resend.isPending} busyLabel="Queuing again…" onClick={() => resend.mutate()}>Resend</BusyButton>
        )}
        {isAdmin && (e.status === 'waiting' || e.status === 'deferred') && (
          <BusyButton type="button" busy={retry.isPending} busyLabel="Retrying…" onClick={() => retry.mutate()}>Retry now</BusyButton>
        )}
        {(e.status === 'waiting' || e.status === 'deferred') && (
          <BusyButton type="button" className="button danger" busy={cancel.isPending} busyLabel="Cancelling…" onClick={() => cancel.mutate()}>Cancel email</BusyButton>
        )}
        {!unbuilt && <BusyButton type="button" className="button" busy={download.isPending} busyLabel="Downloading…" onClick={() => void download.mutate()}>Download .eml</BusyButton>}
      </>
    )}>
      <ErrorMessage error={email.error ?? resend.error ?? cancel.error ?? retry.error ?? download.error ?? downloadAttachment.error} />
      {resend.data && <Notice kind="success">The email is back in the queue; the distributor sends it on its next run.</Notice>}
      {!e && !email.error && <Progress label="Loading the email…" />}
      {e && (
        <>
          <dl className="details summary-grid" data-status={e.status}>
            <dt>Email status</dt><dd><StatusBadge status={e.status} /></dd>
            <dt>Email sender</dt><dd>{e.senderName ? `${e.senderName} <${e.sender}>` : e.sender || '—'}</dd>
            <dt>To</dt><dd>{formatMailboxes(e.to) || '—'}</dd>
            {e.cc.length > 0 && <><dt>Cc</dt><dd>{formatMailboxes(e.cc)}</dd></>}
            {e.bcc.length > 0 && <><dt>Bcc</dt><dd>{formatMailboxes(e.bcc)}</dd></>}
            <dt>Created</dt><dd>{formatTime(e.createdAt)}</dd>
            <dt>Sent</dt><dd>{formatTime(e.sentAt)}</dd>
            <dt>Provider</dt><dd>{PROVIDER_LABELS[e.provider] ?? e.provider} ({e.mode === 'batch' ? 'batch' : 'interactive'})</dd>
            <dt>Size</dt><dd>{formatSize(e.sizeBytes)}</dd>
            <dt>Attempts</dt><dd>{e.attempts}{e.deferrals > 0 ? `, ${e.deferrals} deferrals` : ''}</dd>
            {e.nextAttemptAt && <><dt>Next try</dt><dd>{formatTime(e.nextAttemptAt)} ({relativeTime(e.nextAttemptAt)})</dd></>}
            <dt>Expires</dt><dd>{formatTime(e.expiresAt)}</dd>
            <dt>Message-ID</dt><dd><code>{e.messageId}</code></dd>
            {e.resentFrom && <><dt>Resent</dt><dd>yes</dd></>}
          </dl>
          <Tabs label="Email details" selected={tab} onSelect={setTab} tabs={[
            { id: 'message', label: 'Message', content: unbuilt ? (
              <Notice kind="warning">
                Mailroom refused this email before building its message, so there is no message to show; Failure details says why.
                Once the cause is fixed, Resend builds it again from its workflow event.
              </Notice>
            ) : (
              <>
                <ErrorMessage error={content.error} />
                {!content.data && !content.error && <Progress label="Opening the message…" />}
                {content.data && (
                  <>
                    <MessageBody content={content.data} title={e.subject} />
                    <h3>Attachments</h3>
                    <AttachmentList attachments={content.data.attachments} onDownload={(i, name) => downloadAttachment.mutate({ index: i, name })} />
                  </>
                )}
              </>
            ) },
            { id: 'headers', label: 'Headers', content: unbuilt ? <p className="muted">No message, so no headers.</p> : content.data ? <HeaderList headers={content.data.headers} /> : <ErrorMessage error={content.error} /> },
            { id: 'recipients', label: 'Recipients', content: <Recipients email={e} /> },
            { id: 'attempts', label: `Attempts (${e.attemptLog.length})`, content: <Attempts email={e} /> },
            { id: 'failure', label: 'Failure details', content: <FailureDetailsView failure={e.failure} /> },
          ]} />
        </>
      )}
    </Page>
  );
}

function Recipients({ email }: { email: EmailDetail }) {
  const results = new Map((email.recipients ?? []).map((r) => [r.address.toLowerCase(), r]));
  const all = [
    ...email.to.map((m) => ({ kind: 'To', m })), ...email.cc.map((m) => ({ kind: 'Cc', m })), ...email.bcc.map((m) => ({ kind: 'Bcc', m })),
  ];
  return (
    <table className="grid" aria-label="Recipients">
      <thead><tr><th scope="col">Field</th><th scope="col">Address</th><th scope="col">Result</th><th scope="col">Server reply</th></tr></thead>
      <tbody>
        {all.map(({ kind, m }, i) => {
          const r = results.get(m.address.toLowerCase());
          return (
            <tr key={i} data-recipient={m.address} data-accepted={r ? String(r.accepted) : undefined}>
              <td>{kind}</td>
              <td>{m.name ? `${m.name} <${m.address}>` : m.address}</td>
              <td>{r ? (r.accepted ? 'Accepted' : 'Refused') : email.failure ? 'Not delivered' : 'Not tried yet'}</td>
              <td>{r?.response ? <code>{r.response}</code> : '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Attempts({ email }: { email: EmailDetail }) {
  if (email.attemptLog.length === 0) return <p className="muted">No attempt yet.</p>;
  return (
    <table className="grid" aria-label="Attempts">
      <thead><tr><th scope="col">#</th><th scope="col">Started</th><th scope="col">Outcome</th><th scope="col">Code</th><th scope="col">Server reply</th><th scope="col">Worker</th></tr></thead>
      <tbody>
        {email.attemptLog.map((a, i) => (
          <tr key={i}>
            <td>{a.attempt}</td>
            <td>{formatTime(a.startedAt)}</td>
            <td>{a.outcome}</td>
            <td>{a.code ? <code>{a.code}</code> : '—'}</td>
            <td>{a.response ? <code>{a.response}</code> : '—'}</td>
            {/* Users are not shown which process tried their email (administrators are). */}
            <td>{a.worker ? describeWorker(a.worker) : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
