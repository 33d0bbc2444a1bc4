import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedEmail {
  readonly id: string;
  readonly receivedAt: number;
  readonly from: string;
  readonly to: string[];
  readonly subject: string;
  readonly sizeBytes: number;
  readonly raw: Buffer;
}

export interface CaptureServer {
  readonly host: string;
  readonly port: number;
  list(): CapturedEmail[];
  get(id: string): CapturedEmail | undefined;
  clear(): void;
  close(): Promise<void>;
}

/**
 * Recipients the demo's mail sink refuses on purpose, each as a real mail server words it, so a
 * newcomer can see a failure and its Failure details without breaking the settings. Listed on the
 * home page and in the README.
 */
export const DEMO_REFUSALS = [
  { address: 'full@customer.example', when: 'rcpt', code: 554, reply: '5.2.2 mailbox full', meaning: 'The recipient’s mailbox is full.' },
  { address: 'dana@contoso', when: 'rcpt', code: 550, reply: '5.7.1 Recipient addresses in single label domains not accepted', meaning: 'The recipient’s domain has no suffix such as .com (a single-label domain).' },
  { address: 'send-as@customer.example', when: 'data', code: 550, reply: '5.7.60 SMTP; Client does not have permissions to send as this sender', meaning: 'The mail server’s account may not send as the From address (Send As denied).' },
] as const;

const refusalOf = (address: string) => DEMO_REFUSALS.find((r) => r.address === address.toLowerCase());

function refusal(r: (typeof DEMO_REFUSALS)[number]): Error {
  return Object.assign(new Error(r.reply), { responseCode: r.code });
}

/**
 * The demo's mail sink: a real SMTP server on loopback that accepts everything and keeps the
 * last messages in memory, so a newcomer can watch an email arrive without any outside server.
 * It refuses the DEMO_REFUSALS addresses as a real server would.
 */
export async function startCaptureServer(options: { port?: number; keep?: number } = {}): Promise<CaptureServer> {
  const keep = options.keep ?? 500;
  const mails: CapturedEmail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 200 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      const r = refusalOf(address.address);
      callback(r && r.when === 'rcpt' ? refusal(r) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const denied = session.envelope.rcptTo.map((a) => refusalOf(a.address)).find((r) => r?.when === 'data');
        if (denied) { callback(refusal(denied)); return; }
        const raw = Buffer.concat(chunks);
        // The subject as a reader sees it: encoded words (=?UTF-8?Q?…?=) decoded by mailparser.
        const subject = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true }).then((m) => m.subject ?? '', () => '');
        mails.unshift({
          id: randomUUID(),
          receivedAt: Date.now(),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject,
          sizeBytes: raw.length,
          raw,
        });
        mails.length = Math.min(mails.length, keep);
        callback();
      });
    },
  });
  server.on('error', () => { /* a client dropping the line must not stop the demo */ });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    host: '127.0.0.1',
    port,
    list: () => [...mails],
    get: (id) => mails.find((m) => m.id === id),
    clear: () => { mails.length = 0; },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
