// POP3: one folder (INBOX), messages known by their UIDL. A pull reads the headers with TOP n 0 and
// the source with RETR only for kept messages; POP3 has no \Seen flag to set. remove() marks a
// message with DELE, which the server carries out at QUIT (close()), after the pipeline committed.
import { MailroomError } from '../../../errors.ts';
import type {
  Channel, ConnectionTestReport, ConnectorConfig, IncomingItem, ItemRef, MailboxConnector, PullLimits, ServerMessageRef,
} from '../connector.ts';
import { actNotSupported, stepOf, TestReportBuilder, toMailboxError } from '../connector-errors.ts';
import { headerValue, messageIdOf } from '../header-lines.ts';
import { checkSmtp } from '../smtp/smtp-check.ts';
import { DEFAULT_TIMEOUT_MS, tlsOptions, usesImplicitTls } from '../tls-options.ts';
import { Pop3Client } from './pop3-client.ts';

const INBOX = 'INBOX';
const DEFAULT_BATCH = 100;

interface Session {
  readonly client: Pop3Client;
  /** UIDL → message number, in this session. */
  readonly numbers: Map<string, number>;
}

function requireInbox(folder: string): void {
  if (folder.toUpperCase() !== INBOX) throw new MailroomError('MAILBOX_FOLDER_MISSING', { response: `POP3 has only the Inbox, not "${folder}"` });
}

export function createPop3Connector(config: ConnectorConfig): MailboxConnector {
  const endpoint = config.incoming;
  let current: Session | undefined;

  /** Connect, upgrade with STLS when SSL is on (and TLS is not implicit), sign in. */
  async function open(onStep?: (step: 'connect' | 'tls' | 'authenticate', detail: string) => void): Promise<Pop3Client> {
    const implicitTls = usesImplicitTls(endpoint);
    const client = await Pop3Client.connect({ host: endpoint.host, port: endpoint.port, implicitTls, tls: tlsOptions(endpoint), timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    try {
      onStep?.('connect', client.greeting);
      if (endpoint.ssl && !implicitTls) {
        const capabilities = await client.capabilities();
        if (!capabilities.has('STLS')) throw Object.assign(new Error('The server offers no STLS'), { tlsFailed: true });
        await client.startTls(tlsOptions(endpoint), endpoint.host);
      }
      onStep?.('tls', client.tlsVersion ? `TLS ${client.tlsVersion}` : 'Not used: SSL is off');
      const signedIn = await client.login(endpoint.username, endpoint.password);
      onStep?.('authenticate', signedIn);
      return client;
    } catch (err) {
      client.close();
      throw err;
    }
  }

  async function session(): Promise<Session> {
    if (current) return current;
    let client: Pop3Client;
    try {
      client = await open();
    } catch (err) {
      throw toMailboxError(err);
    }
    let uidl: Map<number, string>;
    try {
      uidl = await client.uidl();
    } catch (err) {
      client.close();
      const mapped = toMailboxError(err);
      throw mapped.response !== undefined && mapped.code === 'MAILBOX_PROTOCOL_ERROR' ? new MailroomError('MAILBOX_UIDL_UNSUPPORTED', { response: mapped.response, command: 'UIDL', cause: err }) : mapped;
    }
    current = { client, numbers: new Map([...uidl].map(([n, uid]) => [uid, n])) };
    return current;
  }

  async function testIncoming(): Promise<ConnectionTestReport> {
    const report = new TestReportBuilder('incoming');
    let reached: 'connect' | 'tls' | 'authenticate' | undefined;
    let client: Pop3Client;
    try {
      client = await open((step, detail) => { reached = step; report.pass(step, detail); });
    } catch (err) {
      const mapped = toMailboxError(err);
      const next = reached === undefined ? 'connect' : reached === 'connect' ? 'tls' : 'authenticate';
      return report.fail(stepOf(mapped.code) === 'connect' ? next : stepOf(mapped.code), err);
    }
    try {
      const uidl = await client.uidl();
      report.pass('open-inbox', `INBOX: ${uidl.size} messages (UIDL)`);
      await client.quit();
      return report.done();
    } catch (err) {
      client.close();
      const mapped = toMailboxError(err);
      return report.fail('open-inbox', mapped.code === 'MAILBOX_PROTOCOL_ERROR' ? new MailroomError('MAILBOX_UIDL_UNSUPPORTED', { response: mapped.response, command: 'UIDL' }) : mapped);
    }
  }

  async function* pull(folder: string, _cursor: unknown, limits: PullLimits = {}): AsyncGenerator<IncomingItem> {
    requireInbox(folder);
    const { client, numbers } = await session();
    try {
      const sizes = await client.list();
      const uids = [...numbers.keys()];
      const batchSize = limits.batchSize ?? DEFAULT_BATCH;
      for (let i = 0; i < uids.length; i += batchSize) {
        const batch = uids.slice(i, i + batchSize);
        const known = limits.known ? await limits.known(batch.map((uid) => ({ folder: INBOX, uidValidity: '', uid }))) : new Set<string>();
        for (const uid of batch) {
          if (known.has(uid)) continue;
          const n = numbers.get(uid)!;
          const headers = await client.top(n, 0);
          const receivedAt = dateHeader(headers);
          if (limits.since && receivedAt && receivedAt < limits.since) continue;
          yield {
            ref: { folder: INBOX, uidValidity: '', uid }, size: sizes.get(n) ?? 0, receivedAt, headers, flags: [],
            attachmentCount: null, cursor: null, uidValidityChanged: false,
            loadSource: async () => { try { return await client.retr(n); } catch (err) { throw toMailboxError(err); } },
          };
        }
      }
    } catch (err) {
      throw toMailboxError(err);
    }
  }

  async function* list(folder: string, since: Date | null): AsyncGenerator<ServerMessageRef> {
    requireInbox(folder);
    const { client, numbers } = await session();
    try {
      for (const [uid, n] of numbers) {
        const headers = await client.top(n, 0);
        const receivedAt = dateHeader(headers);
        if (since && receivedAt && receivedAt < since) continue;
        yield { folder: INBOX, uidValidity: '', uid, messageId: messageIdOf(headers), receivedAt };
      }
    } catch (err) {
      throw toMailboxError(err);
    }
  }

  return {
    type: 'pop3',
    async test(channel: Channel) {
      if (channel === 'outgoing') return checkSmtp(config.outgoing, config.timeoutMs);
      if (channel === 'act') return actNotSupported('POP3');
      return testIncoming();
    },
    pull, list,
    async remove(ref: ItemRef) {
      requireInbox(ref.folder);
      const { client, numbers } = await session();
      const n = numbers.get(ref.uid);
      if (n === undefined) return;
      try { await client.dele(n); } catch (err) { throw toMailboxError(err); }
    },
    async close() {
      const open = current;
      current = undefined;
      if (!open) return;
      try { await open.client.quit(); } catch (err) { throw toMailboxError(err); }
    },
  };
}

/** POP3 has no arrival time: the newest Received header's date, else the Date header. */
function dateHeader(headers: Buffer): Date | null {
  const received = headerValue(headers, 'received');
  const stamp = received?.includes(';') ? received.slice(received.lastIndexOf(';') + 1) : headerValue(headers, 'date');
  if (!stamp) return null;
  const date = new Date(stamp.trim());
  return Number.isNaN(date.getTime()) ? null : date;
}
