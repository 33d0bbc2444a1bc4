import { randomUUID } from 'node:crypto';
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
 * The demo's mail sink: a real SMTP server on loopback that accepts everything and keeps the
 * last messages in memory, so a newcomer can watch an email arrive without any outside server.
 */
export async function startCaptureServer(options: { port?: number; keep?: number } = {}): Promise<CaptureServer> {
  const keep = options.keep ?? 500;
  const mails: CapturedEmail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 200 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const head = raw.subarray(0, 16_384).toString('latin1');
        mails.unshift({
          id: randomUUID(),
          receivedAt: Date.now(),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: /^Subject:\s*(.*(?:\r\n[ \t].*)*)/im.exec(head)?.[1]?.replace(/\r\n[ \t]/g, ' ') ?? '',
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
