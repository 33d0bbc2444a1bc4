// The one interface every mailbox protocol implements (IMAP and POP3 now; EWS and Graph later).
// Connectors speak to mail servers only: they never import the store. The sync pipeline gives
// them what they need (cursors, which messages it already has) and stores what they return.
import type { ErrorCode } from '../../errors.ts';

export const CONNECTOR_TYPES = ['imap', 'pop3'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

/** One server of a profile (incoming or outgoing), with the credentials already decrypted. */
export interface ServerEndpoint {
  readonly host: string;
  readonly port: number;
  /** TLS required: implicit TLS on 993, 995 and 465 (or when implicitTls is set), else STARTTLS/STLS. Off: plain text, no upgrade. */
  readonly ssl: boolean;
  readonly implicitTls?: boolean;
  /** Check the certificate against the trusted authorities and the host name (default yes). */
  readonly verifyCertificate?: boolean;
  /** An extra trusted authority (PEM), for a server with a certificate of its own. */
  readonly ca?: string;
  readonly username: string;
  readonly password: string;
}

export interface ConnectorConfig {
  readonly type: ConnectorType;
  readonly incoming: ServerEndpoint;
  /** The SMTP server of the outgoing channel. */
  readonly outgoing?: ServerEndpoint;
  /** How long to wait for a connection, the greeting and each answer (default 30 s). */
  readonly timeoutMs?: number;
  /** Where failed messages go when the profile asks (default "Undeliverable"). */
  readonly undeliverableFolder?: string;
}

export const CHANNELS = ['incoming', 'outgoing', 'act'] as const;
export type Channel = (typeof CHANNELS)[number];

export const TEST_STEPS = ['connect', 'tls', 'authenticate', 'open-inbox'] as const;
export type TestStepName = (typeof TEST_STEPS)[number];

export interface TestStep {
  readonly step: TestStepName;
  readonly ok: boolean;
  /** The server's own words for this step (its greeting, its reply), or what happened. */
  readonly detail: string;
}

export interface TestFailure {
  readonly code: ErrorCode;
  /** Transient failures are retried (a warning); permanent ones disable the channel at once. */
  readonly transient: boolean;
  readonly message: string;
  readonly response?: string;
}

/** The result of a connection check: every step tried, in order, and the failure when one failed. */
export interface ConnectionTestReport {
  readonly channel: Channel;
  readonly ok: boolean;
  readonly steps: readonly TestStep[];
  readonly failure?: TestFailure;
}

/** Where a folder's pull got to. IMAP: UIDVALIDITY + the highest UID processed (+ MODSEQ). */
export interface FolderCursor {
  readonly uidValidity: string;
  readonly lastUid: number;
  /**
   * HIGHESTMODSEQ when the server has CONDSTORE: the folder's state the changes (expunges) were
   * last looked up to. A folder whose HIGHESTMODSEQ moved without new mail is asked only what
   * changed since (QRESYNC); one that did not move costs a STATUS.
   */
  readonly highestModseq?: string;
}

/** What changed in a folder since the cursor's HIGHESTMODSEQ, apart from new mail (QRESYNC servers). */
export interface FolderChanges {
  /** The cursor to keep once the changes are recorded: the same UIDVALIDITY and UID, the HIGHESTMODSEQ now. */
  readonly cursor: FolderCursor;
  /** The UIDs the server expunged since (VANISHED (EARLIER)); may name UIDs the pipeline never saw. */
  readonly vanished: readonly string[];
}

/** A message on the server: IMAP folder + UIDVALIDITY + UID, or POP3 UIDL (uidValidity ''). */
export interface ItemRef {
  readonly folder: string;
  readonly uidValidity: string;
  readonly uid: string;
}

export interface ServerMessageRef extends ItemRef {
  readonly messageId: string | null;
  readonly receivedAt: Date | null;
}

export interface PullLimits {
  /** Only messages the server received on or after this time. */
  readonly since?: Date | null;
  /** Which of these messages the pipeline has already processed (their uids): those are not read at all. */
  readonly known?: (refs: readonly ItemRef[]) => Promise<ReadonlySet<string>>;
  /** Messages whose headers are read per round trip (default 100). */
  readonly batchSize?: number;
  /** Sources up to this size come with the headers; bigger ones only on loadSource() (default 128 KiB). */
  readonly prefetchBytes?: number;
  /**
   * Read the folder again from its first message (the process-from date moved earlier than it was
   * read from), `since` and `known` still applying; the cursor never moves back: a message at or
   * below it carries it unchanged. POP3 reads every message on each pull anyway.
   */
  readonly reread?: boolean;
  /** Told, before any new message, what changed since the cursor (IMAP with QRESYNC); without it changes are not looked up. */
  readonly changes?: (changes: FolderChanges) => Promise<void>;
}

/** One message, headers first: the source is read only when the pipeline keeps the message. */
export interface IncomingItem {
  readonly ref: ItemRef;
  readonly size: number;
  readonly receivedAt: Date | null;
  /** The raw header block, as on the server. */
  readonly headers: Buffer;
  readonly flags: readonly string[];
  /** Number of attachment parts, from BODYSTRUCTURE where the protocol has it. */
  readonly attachmentCount: number | null;
  /** The folder's cursor once this message is processed (null for POP3). */
  readonly cursor: FolderCursor | null;
  /** True on the first item after the folder's UIDVALIDITY changed: the folder is read again. */
  readonly uidValidityChanged: boolean;
  /** True when the source came with the headers (a small message): loadSource() reads nothing more. */
  readonly sourceInHand?: boolean;
  loadSource(): Promise<Buffer>;
}

export interface MailboxConnector {
  readonly type: ConnectorType;
  test(channel: Channel): Promise<ConnectionTestReport>;
  /** Streams a folder's messages after the cursor, oldest first; never a whole mailbox in memory. */
  pull(folder: string, cursor: FolderCursor | null, limits?: PullLimits): AsyncIterable<IncomingItem>;
  /** Cheaply lists what the folder holds since a date, for reconciliation. */
  list(folder: string, since: Date | null): AsyncIterable<ServerMessageRef>;
  /** Waits for new mail in the folder (IMAP IDLE); resolves true on a change, false when the time ran out. */
  waitForChange?(folder: string, maxMs: number, signal?: AbortSignal): Promise<boolean>;
  /** Removes a processed message (POP3 "delete email after processing"); takes effect at close(). */
  remove?(ref: ItemRef): Promise<void>;
  moveToUndeliverable?(ref: ItemRef): Promise<void>;
  /**
   * Puts a sent message in the Sent folder. With `unlessMessageId`, looks for that Message-ID there
   * first and appends nothing when it is found (a copy an earlier, interrupted append made).
   */
  appendToSent?(raw: Buffer, options?: { unlessMessageId?: string }): Promise<'appended' | 'present'>;
  close(): Promise<void>;
}
