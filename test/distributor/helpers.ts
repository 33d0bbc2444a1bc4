// Helpers of the distributor tests (the set-up itself is test/fixtures/outbound-world.ts): a mail
// server whose answer can be switched, one that holds its first answer, queueing and counting.
import { SMTPServer } from 'smtp-server';
import type { AppContext } from '../../src/app-context.ts';
import { queueEmail } from '../../src/outbound/outbound.service.ts';
import type { EmailStatus } from '../../src/store/tables.ts';
import type { User } from '../../src/users/users.service.ts';
import { startSmtpServer, type CapturedMail, type Reply, type RunningSmtpServer, type SmtpServerOptions } from '../fixtures/smtp-server.ts';

export { PERMANENT, TEMPORARY } from '../fixtures/outbound-world.ts';

export interface SwitchableSmtp {
  readonly server: RunningSmtpServer;
  /** What the server answers at the end of DATA from now on; undefined accepts the message. */
  answer(reply: Reply | undefined): void;
}

export async function startSwitchableSmtp(options: SmtpServerOptions = {}): Promise<SwitchableSmtp> {
  let current: Reply | undefined;
  const server = await startSmtpServer({ ...options, onData: () => current });
  return { server, answer: (reply) => { current = reply; } };
}

export async function queueMany(ctx: AppContext, actor: User, count: number, subject: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { email } = await queueEmail(ctx, actor, { to: `customer${i}@fabrikam.test`, subject: `${subject} ${i}`, body: `Message ${i} of ${count}.` });
    ids.push(email.id);
  }
  return ids;
}

/** How many times each Message-ID arrived at the server. */
export function arrivals(mails: readonly Pick<CapturedMail, 'messageId'>[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const m of mails) if (m.messageId) seen.set(m.messageId, (seen.get(m.messageId) ?? 0) + 1);
  return seen;
}

export async function statusCounts(ctx: AppContext): Promise<Partial<Record<EmailStatus, number>>> {
  const rows = await ctx.db.selectFrom('email').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export const messageIdsOf = async (ctx: AppContext, ids: readonly string[]) =>
  ids.length === 0 ? [] : (await ctx.db.selectFrom('email').select(['id', 'message_id']).where('id', 'in', ids).execute());

export interface GatedSmtp {
  readonly host: string;
  readonly port: number;
  /** Message-IDs in the order their DATA was complete (whether or not the reply was sent yet). */
  readonly arrived: string[];
  /** Resolves when the first message's DATA is complete; its reply waits for release(). */
  readonly firstHeld: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server that holds its answer to the first message until the test releases it, so a
 * test can act while one send is certainly in flight. Every other message is accepted at once.
 */
export async function startGatedSmtp(): Promise<GatedSmtp> {
  const arrived: string[] = [];
  let held: (() => void) | undefined;
  let released = false;
  let signalHeld!: () => void;
  const firstHeld = new Promise<void>((resolve) => { signalHeld = resolve; });
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'], authOptional: true, logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(Buffer.concat(chunks).toString('latin1'))?.[1] ?? '';
        arrived.push(messageId);
        if (arrived.length === 1 && !released) {
          held = () => callback();
          signalHeld();
        } else {
          callback();
        }
      });
    },
  });
  server.on('error', () => { /* clients that drop the line are part of the tests */ });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.server.address() as { port: number }).port,
    arrived,
    firstHeld,
    release,
    close: () => new Promise<void>((resolve) => { release(); server.close(() => resolve()); }),
  };
  function release() {
    released = true;
    held?.();
    held = undefined;
  }
}
