import { Type, type Static } from '@sinclair/typebox';

export const ConfigSchema = Type.Object({
  dataDir: Type.String({ minLength: 1, default: './data' }),
  /** A postgres:// URL for PostgreSQL; empty means the embedded SQLite file in dataDir. */
  databaseUrl: Type.String({ default: '' }),
  host: Type.String({ minLength: 1, default: '127.0.0.1' }),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8640 }),
  /** Base64 of 32 bytes. Empty means the key file in dataDir, created on first start. */
  secretKey: Type.String({ default: '' }),
  demo: Type.Boolean({ default: false }),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  workerId: Type.String({ default: '' }),
  /**
   * How long a claimed email stays with its worker after the worker's last heartbeat (every third
   * of it): after a crash, another worker takes the email over this long after the last beat.
   */
  leaseSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 15 }),
}, { additionalProperties: false });

export type Config = Static<typeof ConfigSchema>;

/** Environment variable for each key; values are parsed by the schema's type. */
export const ENV_KEYS: Readonly<Record<keyof Config, string>> = {
  dataDir: 'MAILROOM_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  host: 'MAILROOM_HOST',
  port: 'MAILROOM_PORT',
  secretKey: 'MAILROOM_SECRET_KEY',
  demo: 'MAILROOM_DEMO',
  logLevel: 'MAILROOM_LOG_LEVEL',
  workerId: 'MAILROOM_WORKER_ID',
  leaseSeconds: 'MAILROOM_LEASE_SECONDS',
};
