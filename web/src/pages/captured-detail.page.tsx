import { useState } from 'react';
import { downloadFile } from '../api/client.ts';
import type { CapturedDetail } from '../api/schema.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { formatSize, formatTime } from '../components/format.ts';
import { AttachmentList, HeaderList, MessageBody } from '../components/message-body.tsx';
import { Page } from '../components/page.tsx';
import { BusyButton, Progress } from '../components/progress.tsx';
import { Tabs } from '../components/tabs.tsx';
import { useApiMutation, useApiQuery } from '../lib/query.ts';
import { Link, useParams } from 'react-router';

/** One captured email: envelope, headers, body (rendered safely) and attachments. */
export function CapturedDetailPage() {
  const params = useParams();
  const base = `/api/demo/captured/${encodeURIComponent(params.id!)}`;
  const mail = useApiQuery<CapturedDetail>(base);
  const [tab, setTab] = useState('message');
  const download = useApiMutation(() => downloadFile(`${base}/eml`, `captured-${params.id}.eml`));
  const m = mail.data;

  return (
    <Page title={m ? m.subject || '(no subject)' : 'Captured email'} intro={<Link to="/captured">Back to Captured mail</Link>}
      actions={m && <BusyButton type="button" className="button" busy={download.isPending} busyLabel="Downloading…" onClick={() => void download.mutate()}>Download .eml</BusyButton>}>
      <ErrorMessage error={mail.error ?? download.error} />
      {!m && !mail.error && <Progress label="Loading…" />}
      {m && (
        <>
          <dl className="details summary-grid">
            <dt>Received</dt><dd>{formatTime(m.receivedAt)}</dd>
            <dt>Envelope sender</dt><dd>{m.from}</dd>
            <dt>Envelope recipients</dt><dd>{m.to.join(', ')}</dd>
            <dt>Size</dt><dd>{formatSize(m.sizeBytes)}</dd>
          </dl>
          <Tabs label="Captured email" selected={tab} onSelect={setTab} tabs={[
            { id: 'message', label: 'Message', content: (
              <>
                <MessageBody content={m} title={m.subject} />
                <h3>Attachments</h3>
                <AttachmentList attachments={m.attachments} />
              </>
            ) },
            { id: 'headers', label: 'Headers', content: <HeaderList headers={m.headers} /> },
          ]} />
        </>
      )}
    </Page>
  );
}
