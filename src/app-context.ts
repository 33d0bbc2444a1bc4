import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from './config/config.schema.ts';
import { openStore, type DialectName, type Store } from './store/dialect.ts';
import { migrateToLatest } from './store/migrations.ts';
import type { Database, EmailStatus, QueueProviderId } from './store/tables.ts';
import { createSecretBox, loadSecretKey, type SecretBox } from './security/secret-box.ts';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** What happened to an email, as the one line per change that logs and metrics are made from. */
export interface EmailChange {
  readonly id: string;
  readonly event: EmailChangeEvent;
  /** The status the email has now. */
  readonly status: EmailStatus;
  readonly provider: QueueProviderId;
  /** The worker that made the change, when a worker did. */
  readonly worker?: string;
  /** Attempts so far (the claim of a send counts as one). */
  readonly attempts?: number;
  /** The error code of a failure, a retry or an expiry. */
  readonly code?: string;
  readonly nextAttemptAt?: number;
  /** For a sent email: from hand-in to the provider's acceptance. */
  readonly latencyMs?: number;
  /** The user who made the change, when a person did (resend, cancel, retry now). */
  readonly actor?: string;
}

/** A mailbox alert as it was recorded (what the log line says: never the message or the server's words, which may name people). */
export interface MailboxAlertEvent {
  readonly mailboxId: string | null;
  readonly profileId: string | null;
  readonly level: 'information' | 'warning' | 'error';
  readonly code: string | null;
  readonly channel: string | null;
}

export const EMAIL_CHANGE_EVENTS = ['queued', 'claimed', 'taken-over', 'sent', 'failed', 'retry', 'deferred', 'held', 'expired', 'released', 'cancelled', 'resent', 'retry-now'] as const;
export type EmailChangeEvent = (typeof EMAIL_CHANGE_EVENTS)[number];

export interface MailroomEvents {
  'email:changed': [change: EmailChange];
  'email:queued': [id: string];
  'email:sent': [id: string];
  'email:failed': [id: string, code: string];
  'mailbox:alert': [alert: MailboxAlertEvent];
}

/** Everything a service needs, passed explicitly: no module-level state. */
export interface AppContext {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  readonly clock: Clock;
  readonly secrets: SecretBox;
  readonly workerId: string;
  readonly dataDir: string;
  /** How long a claimed email stays with its worker before another may take it. */
  readonly leaseMs: number;
  readonly events: EventEmitter<MailroomEvents>;
  close(): Promise<void>;
}

export interface OpenContextOptions {
  readonly clock?: Clock;
  readonly leaseMs?: number;
  readonly migrate?: boolean;
  /** Told when a database connection fails between queries (see StoreOptions). */
  readonly onConnectionError?: (err: Error) => void;
}

export async function openContext(config: Readonly<Config>, options: OpenContextOptions = {}): Promise<AppContext> {
  const store: Store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, onConnectionError: options.onConnectionError });
  if (options.migrate !== false) await migrateToLatest(store);
  const secrets = createSecretBox(loadSecretKey(config));
  return {
    db: store.db,
    dialect: store.dialect,
    clock: options.clock ?? systemClock,
    secrets,
    workerId: config.workerId,
    dataDir: config.dataDir,
    leaseMs: options.leaseMs ?? config.leaseSeconds * 1000,
    events: new EventEmitter<MailroomEvents>(),
    close: () => store.close(),
  };
}

export const emlOutboxDir = (ctx: Pick<AppContext, 'dataDir'>) => join(ctx.dataDir, 'eml-outbox');
