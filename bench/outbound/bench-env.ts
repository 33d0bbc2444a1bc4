// A fresh Mailroom database per measurement, shared by the processes of that measurement: a new
// SQLite folder or a new PostgreSQL database, migrated, with one user and SMTP parameters that
// point at the sink. Dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openContext, type AppContext } from '../../src/app-context.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { updateParameters } from '../../src/outbound/email-parameters.ts';
import { createUser } from '../../src/users/users.service.ts';
import { PG_ADMIN_URL } from '../../test/fixtures/context.ts';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** What a child process needs to open the same database as the others. */
export interface EnvSpec {
  readonly dialect: Dialect;
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly secretKey: string;
  readonly userId: string;
}

export interface BenchEnv {
  readonly spec: EnvSpec;
  dispose(): Promise<void>;
}

export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try { await client.connect(); await client.end(); return true; } catch { return false; }
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try { await client.query(text); } finally { await client.end(); }
}

export async function createBenchEnv(dialect: Dialect, smtp: { host: string; port: number }): Promise<BenchEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mailroom-bench-'));
  let databaseUrl = '';
  let dbName: string | undefined;
  if (dialect === 'postgres') {
    dbName = `mailroom_bench_${randomBytes(6).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${dbName}`);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
  }
  const secretKey = randomBytes(32).toString('base64');
  const ctx = await openBenchContext({ dialect, dataDir, databaseUrl, secretKey, userId: '' }, 'bench-setup', true);
  let userId: string;
  try {
    const user = await createUser(ctx, { username: 'bench', name: 'Bench Sender', email: 'bench.sender@contoso.test' });
    await updateParameters(ctx, { smtp: { host: smtp.host, port: smtp.port, sslRequired: false } });
    userId = user.id;
  } finally {
    await ctx.close();
  }
  return {
    spec: { dialect, dataDir, databaseUrl, secretKey, userId },
    async dispose() {
      if (dbName) await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function openBenchContext(spec: EnvSpec, workerId: string, migrate = false): Promise<AppContext> {
  const config = loadConfig({
    env: {},
    overrides: { dataDir: spec.dataDir, databaseUrl: spec.databaseUrl, secretKey: spec.secretKey, workerId, logLevel: 'silent' },
  });
  return openContext(config, { migrate });
}
