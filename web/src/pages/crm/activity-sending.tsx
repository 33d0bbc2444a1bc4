// The sending of an outgoing email activity: its status reason and why it waits or failed (the
// queued email's failure details, with the server's own words and what to do), its Sent-folder
// copy, and the commands its state allows: send a Draft, cancel a Draft or a Pending send one,
// send a Failed one again.
import { useEffect } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import { ACTIVITY_STATUS_LABELS } from '../../api/values.ts';
import type { ActivityDetail, EmailView } from '../../api/schema.ts';
import { ErrorMessage } from '../../components/error-message.tsx';
import { FailureDetailsView } from '../../components/failure-details.tsx';
import { Section } from '../../components/page.tsx';
import { BusyButton } from '../../components/progress.tsx';
import { useApiMutation, useApiQuery } from '../../lib/query.ts';
import { useSession } from '../../session.tsx';

const SENT_FOLDER: Record<string, string> = {
  pending: 'Not yet: it is copied there once the email is sent.',
  copying: 'Being copied (or the worker stopped while copying it: it is not copied twice).',
  done: 'In the mailbox\'s Sent folder.',
  failed: 'The copy failed (see the mailbox\'s alerts); the email itself was sent, once.',
  none: 'Not kept: the mailbox\'s server is POP3, which has no Sent folder.',
};

export function ActivitySending({ activity }: { activity: ActivityDetail }) {
  const { me, isAdmin } = useSession();
  const a = activity;
  const path = `/api/activities/${encodeURIComponent(a.id)}`;
  const waiting = a.status === 'pending-send' || a.status === 'sending';
  const email = useApiQuery<EmailView>(a.emailId ? `/api/emails/${encodeURIComponent(a.emailId)}` : null, { pollMs: waiting ? 2_000 : undefined });
  // The email's failure is read again whenever the activity's status moves on.
  const { refetch } = email;
  useEffect(() => { if (a.emailId) void refetch(); }, [a.status, a.emailId, refetch]);
  const act = useApiMutation((command: 'send' | 'cancel' | 'resend') => api<ActivityDetail>('POST', `${path}/${command}`, command === 'send' ? {} : undefined), { invalidates: ['/api/activities', '/api/emails'] });
  const owner = a.ownerId === me.user.id;
  const mayChange = owner || isAdmin;
  const failure = email.data?.failure ?? null;
  return (
    <Section title="Sending">
      <p data-testid="status-reason">
        <strong>{ACTIVITY_STATUS_LABELS[a.status]}</strong>
        {a.statusDetail ? <>: <span data-testid="status-detail">{a.statusDetail}</span></> : null}
      </p>
      {a.status === 'pending-send' && <p className="muted">It goes out through the mailbox as soon as the mailbox may send; this page follows it.</p>}
      {a.trackingToken && <p>Tracking token <code>{a.trackingToken}</code> in the subject: replies carrying it are correlated to this email.</p>}
      {a.sentFolder && <p>Sent folder: {SENT_FOLDER[a.sentFolder] ?? a.sentFolder}</p>}
      {failure && (a.status === 'failed' || a.status === 'pending-send') && (
        <>
          <h3>{a.status === 'failed' ? 'Failure details' : 'Why it waits'}</h3>
          <FailureDetailsView failure={failure} retried={a.status === 'pending-send'} />
        </>
      )}
      {a.emailId && email.data && <p><Link to={`/history/${encodeURIComponent(a.emailId)}`}>Every attempt of this email</Link></p>}
      <div className="row">
        {a.status === 'draft' && a.direction === 'outgoing' && owner && (
          <BusyButton type="button" busy={act.isPending && act.variables === 'send'} busyLabel="Sending…" onClick={() => act.mutate('send')}>Send</BusyButton>
        )}
        {a.status === 'failed' && mayChange && (
          <BusyButton type="button" busy={act.isPending && act.variables === 'resend'} busyLabel="Sending again…" onClick={() => act.mutate('resend')}>Send again</BusyButton>
        )}
        {(a.status === 'draft' || a.status === 'pending-send') && a.direction === 'outgoing' && mayChange && (
          <BusyButton type="button" className="button secondary" busy={act.isPending && act.variables === 'cancel'} busyLabel="Canceling…" onClick={() => act.mutate('cancel')}>Cancel email</BusyButton>
        )}
      </div>
      <ErrorMessage error={act.error ?? email.error} />
    </Section>
  );
}
