// IMAP on imapflow. Folders are opened read-only (EXAMINE) for pulls and listings, and every fetch
// uses BODY.PEEK, so synchronization never sets \Seen or changes the mailbox as a side effect.
// Where the server has CONDSTORE and QRESYNC (imapflow enables both), the folder's HIGHESTMODSEQ
// rides on the cursor: an unchanged folder costs one STATUS, and a folder whose HIGHESTMODSEQ moved
// without new mail is asked only for what changed (UID FETCH … (CHANGEDSINCE m VANISHED)), never
// listed whole. Without them the cursor is UIDVALIDITY + UID alone and expunges go unseen.
import { ImapFlow, type ExpungeEvent, type FetchMessageObject, type ImapFlowOptions, type MessageStructureObject } from 'imapflow';
import { MailroomError } from '../../../errors.ts';
import type {
  Channel, ConnectionTestReport, ConnectorConfig, FolderCursor, IncomingItem, ItemRef, MailboxConnector, PullLimits, ServerMessageRef,
} from '../connector.ts';
import { actNotSupported, stepOf, TestReportBuilder, toMailboxError } from '../connector-errors.ts';
import { checkSmtp } from '../smtp/smtp-check.ts';
import { DEFAULT_TIMEOUT_MS, tlsOptions, usesImplicitTls } from '../tls-options.ts';
import { messageIdOf } from '../header-lines.ts';

const DEFAULT_BATCH = 100;
const DEFAULT_PREFETCH = 128 * 1024;

export function imapOptions(config: ConnectorConfig): ImapFlowOptions {
  const endpoint = config.incoming;
  const timeout = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const secure = usesImplicitTls(endpoint);
  return {
    host: endpoint.host, port: endpoint.port, secure,
    doSTARTTLS: endpoint.ssl && !secure ? true : false,
    auth: { user: endpoint.username, pass: endpoint.password },
    tls: tlsOptions(endpoint),
    connectionTimeout: timeout, greetingTimeout: timeout,
    logger: false, disableAutoIdle: true, qresync: true,
  };
}

/** Counts the parts of a BODYSTRUCTURE that are attachments (by disposition, or a named non-text part). */
export function countAttachments(node: MessageStructureObject | undefined): number {
  if (!node) return 0;
  if (node.childNodes?.length) return node.childNodes.reduce((n, child) => n + countAttachments(child), 0);
  const named = Boolean(node.dispositionParameters?.filename ?? node.parameters?.name);
  return node.disposition === 'attachment' || (named && !node.type.startsWith('text/')) ? 1 : 0;
}

export function createImapConnector(config: ConnectorConfig): MailboxConnector {
  let client: ImapFlow | undefined;

  async function session(): Promise<ImapFlow> {
    if (client?.usable) return client;
    const next = new ImapFlow(imapOptions(config));
    // imapflow reports a dropped socket as an event as well as on the command that was running.
    next.on('error', () => undefined);
    try {
      await next.connect();
    } catch (err) {
      next.close();
      throw toMailboxError(err);
    }
    client = next;
    return next;
  }

  async function testIncoming(): Promise<ConnectionTestReport> {
    const report = new TestReportBuilder('incoming');
    const probe = new ImapFlow(imapOptions(config));
    probe.on('error', () => undefined);
    try {
      await probe.connect();
    } catch (err) {
      const step = stepOf(toMailboxError(err).code);
      if (step !== 'connect') report.pass('connect', `Connected to ${config.incoming.host}:${config.incoming.port}`);
      if (step === 'authenticate') report.pass('tls', tlsDetail(probe));
      probe.close();
      return report.fail(step, err);
    }
    report.pass('connect', probe.greeting || `Connected to ${config.incoming.host}:${config.incoming.port}`);
    report.pass('tls', tlsDetail(probe));
    report.pass('authenticate', `Signed in as ${config.incoming.username}`);
    try {
      const inbox = await probe.mailboxOpen('INBOX', { readOnly: true });
      report.pass('open-inbox', `INBOX: ${inbox.exists} messages, UIDVALIDITY ${inbox.uidValidity}`);
      await probe.logout();
      return report.done();
    } catch (err) {
      probe.close();
      return report.fail('open-inbox', err);
    }
  }

  async function* pull(folder: string, cursor: FolderCursor | null, limits: PullLimits = {}): AsyncGenerator<IncomingItem> {
    const imap = await session();
    // STATUS first: a folder with nothing after the cursor is never selected or searched. Dovecot
    // answers STATUS on the selected folder from the session's view, which NOOP brings up to date.
    if (imap.mailbox && imap.mailbox.path === folder) await imap.noop().catch((err) => { throw toMailboxError(err); });
    const status = await imap.status(folder, { uidNext: true, uidValidity: true, highestModseq: true })
      .catch((err) => { throw toMailboxError(err, 'MAILBOX_FOLDER_MISSING'); });
    if (!status) throw new MailroomError('MAILBOX_FOLDER_MISSING', { response: folder });
    const uidValidity = String(status.uidValidity);
    const changed = cursor !== null && cursor.uidValidity !== uidValidity;
    const next = cursor && !changed ? cursor.lastUid + 1 : 1;
    const from = limits.reread ? 1 : next;
    const highestModseq = status.highestModseq === undefined ? undefined : String(status.highestModseq);
    const hasNew = status.uidNext === undefined || status.uidNext > from;
    // Read again below the cursor: those messages keep the cursor where it is (with the folder's HIGHESTMODSEQ now).
    const kept = cursor && !changed && from < next ? { uidValidity, lastUid: cursor.lastUid, ...(highestModseq ? { highestModseq } : {}) } : null;
    // Flags changed or messages were expunged since the cursor: worth a look only with QRESYNC (VANISHED).
    const moved = cursor !== null && !changed && cursor.highestModseq !== undefined && highestModseq !== undefined && cursor.highestModseq !== highestModseq;
    const since = moved && limits.changes && imap.enabled.has('QRESYNC') ? cursor.highestModseq : undefined;
    if (!hasNew && since === undefined) return;
    const lock = await imap.getMailboxLock(folder, { readOnly: true }).catch((err) => { throw toMailboxError(err, 'MAILBOX_FOLDER_MISSING'); });
    try {
      if (String(imap.mailbox ? imap.mailbox.uidValidity : '') !== uidValidity) throw new MailroomError('MAILBOX_CONNECTION_DROPPED', { response: `UIDVALIDITY of ${folder} changed during the pull` });
      if (since !== undefined && cursor && limits.changes) {
        await limits.changes({ cursor: { uidValidity, lastUid: cursor.lastUid, ...(highestModseq ? { highestModseq } : {}) }, vanished: await vanishedSince(imap, folder, since) });
      }
      if (!hasNew) return;
      const uids = await searchUids(imap, from, limits.since ?? null);
      let first = changed;
      const batchSize = limits.batchSize ?? DEFAULT_BATCH;
      for (let i = 0; i < uids.length; i += batchSize) {
        const batch = uids.slice(i, i + batchSize);
        const refs = batch.map((uid) => ({ folder, uidValidity, uid: String(uid) }));
        const known = limits.known ? await limits.known(refs) : new Set<string>();
        const wanted = batch.filter((uid) => !known.has(String(uid)));
        const messages = wanted.length ? await fetchHeaders(imap, wanted, limits.prefetchBytes ?? DEFAULT_PREFETCH) : [];
        for (const message of messages) {
          const item = toItem(imap, folder, uidValidity, highestModseq, message, first, kept && message.uid <= kept.lastUid ? kept : null);
          first = false;
          yield item;
        }
      }
    } catch (err) {
      throw toMailboxError(err);
    } finally {
      lock.release();
    }
  }

  async function* list(folder: string, since: Date | null): AsyncGenerator<ServerMessageRef> {
    const imap = await session();
    const lock = await imap.getMailboxLock(folder, { readOnly: true }).catch((err) => { throw toMailboxError(err, 'MAILBOX_FOLDER_MISSING'); });
    try {
      const uidValidity = String(imap.mailbox ? imap.mailbox.uidValidity : '');
      const uids = await searchUids(imap, 1, since);
      for (let i = 0; i < uids.length; i += 500) {
        const range = uids.slice(i, i + 500).join(',');
        const refs: ServerMessageRef[] = [];
        for await (const m of imap.fetch(range, { uid: true, internalDate: true, headers: ['message-id'] }, { uid: true })) {
          refs.push({ folder, uidValidity, uid: String(m.uid), messageId: messageIdOf(m.headers), receivedAt: toDate(m.internalDate) });
        }
        yield* refs;
      }
    } catch (err) {
      throw toMailboxError(err);
    } finally {
      lock.release();
    }
  }

  async function waitForChange(folder: string, maxMs: number, signal?: AbortSignal): Promise<boolean> {
    const imap = await session();
    const lock = await imap.getMailboxLock(folder, { readOnly: true }).catch((err) => { throw toMailboxError(err, 'MAILBOX_FOLDER_MISSING'); });
    let changed = false;
    const onExists = () => { changed = true; void imap.noop().catch(() => undefined); };
    const stop = () => { void imap.noop().catch(() => undefined); };
    const timer = setTimeout(stop, maxMs);
    imap.on('exists', onExists);
    signal?.addEventListener('abort', stop, { once: true });
    try {
      if (!signal?.aborted) await imap.idle();
      return changed;
    } catch (err) {
      throw toMailboxError(err);
    } finally {
      clearTimeout(timer);
      imap.off('exists', onExists);
      signal?.removeEventListener('abort', stop);
      lock.release();
    }
  }

  async function moveToUndeliverable(ref: ItemRef): Promise<void> {
    const imap = await session();
    const target = config.undeliverableFolder ?? 'Undeliverable';
    try {
      const folders = await imap.list();
      if (!folders.some((f) => f.path === target)) await imap.mailboxCreate(target);
      const lock = await imap.getMailboxLock(ref.folder);
      try {
        if (String(imap.mailbox ? imap.mailbox.uidValidity : '') !== ref.uidValidity) return;
        await imap.messageMove(ref.uid, target, { uid: true });
      } finally {
        lock.release();
      }
    } catch (err) {
      throw toMailboxError(err);
    }
  }

  async function appendToSent(raw: Buffer, options: { unlessMessageId?: string } = {}): Promise<'appended' | 'present'> {
    const imap = await session();
    try {
      const folders = await imap.list();
      const sent = folders.find((f) => f.specialUse === '\\Sent') ?? folders.find((f) => /^(sent|sent items|sent messages)$/i.test(f.path));
      if (!sent) throw new MailroomError('MAILBOX_FOLDER_MISSING', { response: 'No folder with the \\Sent attribute or a Sent name' });
      if (options.unlessMessageId && (await holdsMessageId(imap, sent.path, options.unlessMessageId))) return 'present';
      await imap.append(sent.path, raw, ['\\Seen']);
      return 'appended';
    } catch (err) {
      throw toMailboxError(err);
    }
  }

  async function holdsMessageId(imap: ImapFlow, folder: string, messageId: string): Promise<boolean> {
    const lock = await imap.getMailboxLock(folder, { readOnly: true });
    try {
      // SEARCH HEADER matches a substring; the fetched envelope confirms the exact Message-ID.
      const uids = await imap.search({ header: { 'message-id': messageId } }, { uid: true });
      if (!uids || uids.length === 0) return false;
      for await (const m of imap.fetch(uids, { envelope: true }, { uid: true })) if (m.envelope?.messageId === messageId) return true;
      return false;
    } finally {
      lock.release();
    }
  }

  return {
    type: 'imap',
    async test(channel: Channel) {
      if (channel === 'outgoing') return checkSmtp(config.outgoing, config.timeoutMs);
      if (channel === 'act') return actNotSupported('IMAP');
      return testIncoming();
    },
    pull, list, waitForChange, moveToUndeliverable, appendToSent,
    async close() {
      const open = client;
      client = undefined;
      if (!open) return;
      if (open.usable) await open.logout().catch(() => open.close());
      else open.close();
    },
  };
}

function tlsDetail(imap: ImapFlow): string {
  const tls = imap.secureConnection ? (imap as unknown as { tls?: { version?: string } }).tls : undefined;
  return tls ? `TLS ${tls.version ?? ''}`.trim() : 'Not used: SSL is off';
}

async function searchUids(imap: ImapFlow, from: number, since: Date | null): Promise<number[]> {
  const query = since ? { uid: `${from}:*`, since } : { uid: `${from}:*` };
  const found = await imap.search(query, { uid: true });
  // "n:*" always matches the last message, even when its UID is below n.
  return (found || []).filter((uid) => uid >= from).sort((a, b) => a - b);
}

/**
 * The UIDs expunged from the selected folder since a HIGHESTMODSEQ (QRESYNC's VANISHED (EARLIER)).
 * The same command answers a line per message whose flags changed: Mailroom has no use for those
 * (an activity does not mirror the mailbox's read or flagged state), so they are only drained.
 */
async function vanishedSince(imap: ImapFlow, folder: string, modseq: string): Promise<string[]> {
  const vanished: string[] = [];
  // Without mod-sequences imapflow would send the FETCH without CHANGEDSINCE: a listing of every message.
  if (!imap.mailbox || imap.mailbox.noModseq) return vanished;
  const onExpunge = (event: ExpungeEvent) => { if (event.path === folder && event.vanished && event.uid !== undefined) vanished.push(String(event.uid)); };
  imap.on('expunge', onExpunge);
  try {
    for await (const changedFlags of imap.fetch('1:*', { uid: true }, { uid: true, changedSince: BigInt(modseq) })) void changedFlags;
  } finally {
    imap.off('expunge', onExpunge);
  }
  return vanished;
}

async function fetchHeaders(imap: ImapFlow, uids: readonly number[], prefetchBytes: number): Promise<FetchMessageObject[]> {
  const messages: FetchMessageObject[] = [];
  for await (const m of imap.fetch(uids.join(','), { uid: true, flags: true, size: true, internalDate: true, headers: true, bodyStructure: true }, { uid: true })) {
    messages.push(m);
  }
  const small = messages.filter((m) => (m.size ?? Infinity) <= prefetchBytes).map((m) => m.uid);
  if (small.length) {
    const byUid = new Map(messages.map((m) => [m.uid, m]));
    for await (const m of imap.fetch(small.join(','), { uid: true, source: true }, { uid: true })) {
      const target = byUid.get(m.uid);
      if (target && m.source) target.source = m.source;
    }
  }
  return messages.sort((a, b) => a.uid - b.uid);
}

function toItem(imap: ImapFlow, folder: string, uidValidity: string, highestModseq: string | undefined, m: FetchMessageObject, first: boolean, kept: FolderCursor | null): IncomingItem {
  let source = m.source;
  return {
    ref: { folder, uidValidity, uid: String(m.uid) },
    size: m.size ?? 0,
    receivedAt: toDate(m.internalDate),
    headers: m.headers ?? Buffer.alloc(0),
    flags: [...(m.flags ?? [])],
    attachmentCount: m.bodyStructure ? countAttachments(m.bodyStructure) : null,
    cursor: kept ?? { uidValidity, lastUid: m.uid, ...(highestModseq ? { highestModseq } : {}) },
    uidValidityChanged: first,
    sourceInHand: source !== undefined,
    async loadSource() {
      if (source) return source;
      try {
        const full = await imap.fetchOne(String(m.uid), { uid: true, source: true }, { uid: true });
        if (!full || !full.source) throw new MailroomError('MAILBOX_PROTOCOL_ERROR', { response: `UID ${m.uid} returned no source (expunged?)` });
        source = full.source;
        return source;
      } catch (err) {
        throw toMailboxError(err);
      }
    },
  };
}

function toDate(value: Date | string | undefined): Date | null {
  if (!value) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
