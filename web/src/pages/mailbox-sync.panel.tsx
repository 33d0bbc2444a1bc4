// A mailbox's incoming sync status on the Mailboxes page: its health in the list (never "Healthy"
// with a gap, a disabled channel, or a message that fails), and a panel with the reasons, the counts,
// each failing or set-aside message with its reason, the last reconciliation and its gaps, and the
// commands Synchronize now and Reconcile now.
import { api } from '../api/client.ts';
import type { Reconciliation, SyncCycle, SyncStatus } from '../api/schema.ts';
import { ErrorMessage, Notice } from '../components/error-message.tsx';
import { formatTime as when } from '../components/format.ts';
import { Section } from '../components/page.tsx';
import { BusyButton, Progress } from '../components/progress.tsx';
import { useApiMutation, useApiQuery } from '../lib/query.ts';

const HEALTH_LABELS: Record<SyncStatus['health'], string> = {
  healthy: 'Healthy', warning: 'Needs attention', error: 'Error', 'not-synchronizing': 'Not synchronizing',
};

const statusPath = (id: string) => `/api/mailboxes/${encodeURIComponent(id)}/sync-status`;

/** The health of one mailbox, for its row in the list. */
export function SyncHealth({ id }: { id: string }) {
  const status = useApiQuery<SyncStatus>(statusPath(id), { pollMs: 30_000 });
  if (status.error) return <span className="failure">Unknown ({status.error.code})</span>;
  if (!status.data) return <span>…</span>;
  const s = status.data;
  return <span className={s.health === 'healthy' ? undefined : 'failure'} title={s.reasons.join(' ')}>{HEALTH_LABELS[s.health]}</span>;
}

export function MailboxSyncPanel({ id, email }: { id: string; email: string }) {
  const status = useApiQuery<SyncStatus>(statusPath(id), { pollMs: 15_000 });
  const sync = useApiMutation(() => api<SyncCycle>('POST', `/api/mailboxes/${encodeURIComponent(id)}/sync`), { invalidates: [statusPath(id), '/api/mailboxes'] });
  const reconcile = useApiMutation(() => api<Reconciliation>('POST', `/api/mailboxes/${encodeURIComponent(id)}/reconcile`), { invalidates: [statusPath(id)] });
  const s = status.data;
  return (
    <Section title={`Incoming sync status of ${email}`}>
      <ErrorMessage error={status.error ?? sync.error ?? reconcile.error} />
      {status.isLoading && <Progress label="Loading the sync status…" />}
      {s && (
        <>
          <p><strong>{HEALTH_LABELS[s.health]}</strong>. Last success {when(s.lastSuccessAt)}; next poll {when(s.nextPollAt)}.</p>
          {s.reasons.length > 0 && <ul>{s.reasons.map((r) => <li key={r}>{r}</li>)}</ul>}
          {s.lastError && <p className="failure">Last error {s.lastError.code} ({s.lastError.count}×, {when(s.lastError.at)}){s.lastError.response ? `: ${s.lastError.response}` : ''}</p>}
          <p>Messages processed: {s.counts.tracked} tracked, {s.counts.skipped} skipped, {s.counts.failing} failing, {s.counts.undeliverable} set aside as undeliverable.</p>
          {s.heldBy && <p>Held by worker {s.heldBy.worker} until {when(s.heldBy.until)} (renewed while it works): it watches the Inbox, so new mail arrives by itself; Synchronize now and Reconcile now ask it to do so on its connection.</p>}
          <BusyButton type="button" busy={sync.isPending} busyLabel="Synchronizing…" onClick={() => sync.mutate()}>Synchronize {email} now</BusyButton>{' '}
          <BusyButton type="button" busy={reconcile.isPending} busyLabel="Reconciling…" onClick={() => reconcile.mutate()}>Reconcile {email} now</BusyButton>
          {sync.data && <Notice kind="success">Synchronized: {sync.data.result.tracked} tracked, {sync.data.result.skipped} skipped, {sync.data.result.failed} failed, {sync.data.result.undeliverable} set aside.</Notice>}
          {reconcile.data && <Notice kind={reconcile.data.gaps === 0 ? 'success' : 'warning'}>Reconciled {when(reconcile.data.ranAt)}: {reconcile.data.gaps === 0 ? 'no gap' : `${reconcile.data.gaps} gap(s)`}.</Notice>}
          <h3>Messages that failed</h3>
          {s.failures.length === 0 ? <p className="empty">No message fails.</p> : (
            <table className="grid">
              <thead><tr><th scope="col">Folder</th><th scope="col">UID</th><th scope="col">Message-ID</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Reason</th><th scope="col">When</th></tr></thead>
              <tbody>{s.failures.map((f) => (
                <tr key={`${f.folder}/${f.uid}`}>
                  <td>{f.folder}</td><td>{f.uid}</td><td>{f.messageId ?? '-'}</td><td>{f.outcome === 'failed' ? 'Retried' : 'Undeliverable'}</td>
                  <td>{f.attempts}</td><td>{f.code ? `${f.code}: ` : ''}{f.reason ?? ''}</td><td>{when(f.at)}</td>
                </tr>
              ))}</tbody>
            </table>
          )}
          <h3>Reconciliation</h3>
          {!s.reconciliation ? <p className="empty">Not reconciled yet: the first cycle does it, then once a day.</p> : (
            <>
              <p>{when(s.reconciliation.ranAt)}: {s.reconciliation.gaps === 0 ? 'no gap: every message on the server is accounted for.' : `${s.reconciliation.gaps} message(s) on the server were never processed.`}</p>
              <table className="grid">
                <thead><tr><th scope="col">Folder</th><th scope="col">On the server</th><th scope="col">Tracked</th><th scope="col">Skipped</th><th scope="col">Failing</th><th scope="col">Undeliverable</th><th scope="col">Not yet seen</th><th scope="col">Gaps</th></tr></thead>
                <tbody>{s.reconciliation.folders.map((f) => (
                  <tr key={f.folder}><td>{f.folder}</td><td>{f.onServer}</td><td>{f.tracked}</td><td>{f.skipped}</td><td>{f.failing}</td><td>{f.undeliverable}</td><td>{f.notYetSeen}</td><td className={f.gapCount ? 'failure' : undefined}>{f.gapCount}</td></tr>
                ))}</tbody>
              </table>
              {s.reconciliation.folders.flatMap((f) => f.gaps.map((g) => (
                <p key={`${f.folder}/${g.uid}`} className="failure">Gap in {f.folder}: UID {g.uid}, {g.messageId ?? 'no Message-ID'}, received {when(g.receivedAt)}</p>
              )))}
            </>
          )}
        </>
      )}
    </Section>
  );
}
