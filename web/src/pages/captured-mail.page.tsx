import type { CapturedEmail } from '../api/schema.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { formatTime, formatSize } from '../components/format.ts';
import { Page } from '../components/page.tsx';
import { Progress } from '../components/progress.tsx';
import { useApiQuery } from '../lib/query.ts';
import { Link } from 'react-router';

/** Captured mail (demo only): what the built-in capture mail server received, live. */
export function CapturedMailPage() {
  const mails = useApiQuery<CapturedEmail[]>('/api/demo/captured', { pollMs: 3_000 });
  return (
    <Page title="Captured mail" intro="In demo mode, Mailroom's SMTP settings point at a mail server built into Mailroom. It keeps what it receives in memory, so you can see exactly what a real server would have got. Nothing leaves this machine.">
      <ErrorMessage error={mails.error} />
      {!mails.data && !mails.error && <Progress label="Loading captured mail…" />}
      {mails.data && mails.data.length === 0 && (
        <p className="empty">Nothing received yet. <Link to="/send">Send an email</Link> and it appears here within seconds.</p>
      )}
      {mails.data && mails.data.length > 0 && (
        <table className="grid" aria-label="Captured emails">
          <thead><tr><th scope="col">Received</th><th scope="col">Envelope sender</th><th scope="col">Envelope recipients</th><th scope="col">Subject</th><th scope="col">Size</th></tr></thead>
          <tbody>
            {mails.data.map((m) => (
              <tr key={m.id} data-captured-id={m.id}>
                <td className="nowrap">{formatTime(m.receivedAt)}</td>
                <td>{m.from}</td>
                <td>{m.to.join(', ')}</td>
                <td><Link to={`/captured/${encodeURIComponent(m.id)}`}>{m.subject || '(no subject)'}</Link></td>
                <td>{formatSize(m.sizeBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
