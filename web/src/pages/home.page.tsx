import type { DemoRefusal, EmailStatus, Summary } from '../api/schema.ts';
import { lazy, Suspense } from 'react';
import { ErrorMessage } from '../components/error-message.tsx';
import { Page, Section } from '../components/page.tsx';
import { Progress } from '../components/progress.tsx';
import { useApiQuery } from '../lib/query.ts';
import { Link } from 'react-router';
import { useSession } from '../session.tsx';

function countsOf(summary: Summary) {
  const c = summary.counts;
  const n = (...keys: EmailStatus[]) => keys.reduce((sum, k) => sum + (c[k] ?? 0), 0);
  return {
    sent: n('sent'),
    failed: n('failed', 'expired'),
    waiting: n('waiting', 'deferred', 'sending'),
    generated: n('generated'),
    cancelled: n('cancelled'),
    total: n('sent', 'failed', 'expired', 'waiting', 'deferred', 'sending', 'generated', 'cancelled'),
  };
}

// The chart library comes with the chart, not with the first paint of the home page.
const HourlyChart = lazy(async () => ({ default: (await import('../components/hourly-chart.tsx')).HourlyChart }));


/** The addresses the demo's mail server refuses on purpose, to see a failure and its Failure details. */
function DemoRefusals() {
  const refusals = useApiQuery<DemoRefusal[]>('/api/demo/refusals');
  if (!refusals.data) return null;
  return (
    <div className="subsection" data-testid="demo-refusals">
      <h3>To see a failure</h3>
      <p className="hint">The demo’s mail server refuses these recipients as a real one would. Send to one, then open the email’s Failure details in the Email history.</p>
      <ul>
        {refusals.data.map((r) => <li key={r.address}><code>{r.address}</code>: {r.meaning} <span className="muted">(server reply {r.code} {r.reply})</span></li>)}
      </ul>
    </div>
  );
}

/** Home: a first-run guide, and what happened to email in the last 24 hours. */
export function HomePage() {
  const { me, isAdmin, demo } = useSession();
  const summary = useApiQuery<Summary>('/api/summary', { pollMs: 10_000 });
  const counts = summary.data ? countsOf(summary.data) : null;

  return (
    <Page title="Home" intro={`Welcome, ${me.user.name}. ${isAdmin ? 'You are an administrator: every page is open to you.' : 'You see your own email and settings.'}`}>
      <div className="grid-2">
        <Section title="Getting started">
          <ol className="steps checklist">
            <li data-done="true"><strong>Sign in</strong> — done.</li>
            {isAdmin && <li><strong>Check the settings.</strong> <Link to="/parameters">Email parameters</Link> hold the outgoing mail server{demo ? ', already pointed at the demo’s capture server' : ''}; <Link to="/distributor">Email distributor batch</Link> sends what waits in the queue.</li>}
            <li data-done={counts ? String(counts.total > 0) : undefined}><strong>Send an email.</strong> <Link to="/send">Send email</Link> asks how you would like to send it, then opens the form.</li>
            <li><strong>Follow it.</strong> <Link to="/history">Email history</Link> shows each email’s status, recipients and any failure with its fix.</li>
            {demo && <li><strong>See it arrive.</strong> <Link to="/captured">Captured mail</Link> lists what the built-in mail server received — nothing leaves this machine.</li>}
          </ol>
          {demo && <DemoRefusals />}
        </Section>
        <Section title="Last 24 hours">
          <ErrorMessage error={summary.error} />
          {!counts && !summary.error && <Progress label="Counting…" />}
          {counts && counts.total === 0 && (
            <p className="empty" data-testid="summary-empty">No email in the last 24 hours. <Link to="/send">Send one</Link> to see it counted here.</p>
          )}
          {counts && counts.total > 0 && (
            <>
              <p data-testid="summary-totals">
                <span data-count="sent" data-value={counts.sent}>{counts.sent} sent</span>,{' '}
                <span data-count="failed" data-value={counts.failed}>{counts.failed} failed</span>,{' '}
                <span data-count="waiting" data-value={counts.waiting}>{counts.waiting} waiting</span>
                {counts.generated > 0 && <>, {counts.generated} generated as .eml files</>}
                {counts.cancelled > 0 && <>, {counts.cancelled} cancelled</>}.
                {' '}<Link to="/sending-status">See the queue</Link>.
              </p>
              <Suspense fallback={<Progress label="Drawing the chart…" />}>
                <HourlyChart hours={summary.data!.hours} title="Emails handed in over the last 24 hours, per hour" />
              </Suspense>
            </>
          )}
        </Section>
      </div>
    </Page>
  );
}
