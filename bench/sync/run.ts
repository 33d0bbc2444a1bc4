// bench/sync: Mailroom's incoming synchronization against mbsync on the same Dovecot mailbox, in
// one run. A deterministic mailbox (bench/sync/mailbox-generator.ts) is written into Dovecot, then:
//   1. mbsync (isync) copies it to a local Maildir with its default, durable settings (the baseline);
//   2. raw imapflow fetches every source (what IMAP alone costs);
//   3. Mailroom's first full sync, tracking option "all" (every message parsed, correlated, stored,
//      each batch committed), in a process of its own for its peak RSS;
//   4. an incremental sync after 100 new messages, in this mailbox and in one a tenth of its size;
//   5. the first sync of a mailbox several times larger, for RSS;
//   6. a reconciliation of the first mailbox.
// Prints messages/s, the ratios and peak RSS. Sizes: BENCH_MESSAGES (default 2,000; the issue's
// figures are 10,000) and BENCH_LARGE (default 3× that; the is 50,000). BENCH_DIALECT=postgres
// runs Mailroom on PostgreSQL. `--quick` (npm run bench:sync -- --quick) runs steps 1–3 only, on 500
// messages unless BENCH_MESSAGES says otherwise, for trying a change. Not a test: nothing here fails on a number.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setApproval } from '../../src/sync/approval.service.ts';
import { findMailboxRow, updateMailbox } from '../../src/sync/mailboxes.service.ts';
import { createProfile } from '../../src/sync/server-profiles.service.ts';
import { setTrackingOptions } from '../../src/sync/tracking-options.service.ts';
import { createUser } from '../../src/users/users.service.ts';
import { createTestEnv, type TestDialect } from '../../test/fixtures/context.ts';
import { startDovecot, type DovecotUser } from '../../test/fixtures/dovecot.ts';
import { generateMailbox } from './mailbox-generator.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const QUICK = process.argv.includes('--quick');
const N = Number(process.env.BENCH_MESSAGES ?? (QUICK ? 500 : 2000));
const LARGE = Number(process.env.BENCH_LARGE ?? N * 3);
const SMALL = Math.max(100, Math.floor(N / 10));
const NEW = 100;
const dialect = (process.env.BENCH_DIALECT ?? 'sqlite') as TestDialect;

/** mbsync, installed here when missing (Debian's isync), or null with the reason printed. */
function mbsyncBinary(): string | null {
  if (spawnSync('mbsync', ['--version']).status === 0) return 'mbsync';
  if (process.getuid?.() === 0) {
    console.log('# mbsync is missing: apt-get install -y isync');
    spawnSync('apt-get', ['install', '-y', '-q', 'isync'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (spawnSync('mbsync', ['--version']).status === 0) return 'mbsync';
  }
  console.log('# mbsync is not installed (apt-get install isync): its baseline is left out');
  return null;
}

const seconds = (ms: number) => ms / 1000;
const rate = (count: number, ms: number) => count / seconds(ms);
const fmt = (n: number) => n.toFixed(0).padStart(7);
const mib = (bytes: number) => (bytes / 1048576).toFixed(0);
/** Peak RSS, with the main thread's peak V8 heap and its peak memory outside the heap (buffers) beside it. */
const memory = (run: { maxRssKb: number; peak: { heapUsed: number; external: number } }) =>
  `${mib(run.maxRssKb * 1024)} MiB; main thread's heap ${mib(run.peak.heapUsed)}, buffers ${mib(run.peak.external)}`;

const dovecot = await startDovecot({ tls: false });
const env = await createTestEnv(dialect);
const work = mkdtempSync(join(tmpdir(), 'mailroom-bench-sync-'));
try {
  const { ctx } = env;
  const admin = await createUser(ctx, { username: 'admin', email: 'admin@example.test', role: 'admin', password: 'admin-password' });
  const profile = await createProfile(ctx, admin.id, {
    name: 'Dovecot', serverType: 'imap', incomingHost: dovecot.host, incomingPort: dovecot.imapPort, incomingSsl: false,
    outgoingHost: dovecot.host, outgoingPort: 1, outgoingSsl: false, minPollingMinutes: 0, maxConnections: 10,
  });
  let made = 0;
  /** A Dovecot user with `count` messages and a Mailroom mailbox for it, approved and enabled, tracking all. */
  async function mailbox(count: number): Promise<{ server: DovecotUser; email: string; username: string }> {
    const server = dovecot.addUser('bench');
    const email = `${server.username.split('@')[0]}@example.test`;
    dovecot.writeMaildir(server, generateMailbox(count, email, 0, `m${made++}`));
    const user = await createUser(ctx, { username: server.username, email });
    const row = await findMailboxRow(ctx, email);
    await updateMailbox(ctx, admin, row.id, { profile: profile.id, username: server.username, password: server.password, allowCredentials: true, incoming: 'sss' });
    await setApproval(ctx, admin, row.id, 'approved');
    await ctx.db.updateTable('mailbox').set({ incoming_enabled: 1, incoming_status: 'success' }).where('id', '=', row.id).execute();
    await setTrackingOptions(ctx, user.id, { tracking: 'all' });
    return { server, email, username: server.username };
  }
  const childEnv = {
    PATH: process.env.PATH, MAILROOM_DATA_DIR: env.dataDir, MAILROOM_SECRET_KEY: env.config.secretKey, MAILROOM_LOG_LEVEL: 'silent', MAILROOM_WORKER_ID: 'bench',
    ...(env.config.databaseUrl ? { DATABASE_URL: env.config.databaseUrl } : {}),
  };
  async function mailroom(box: { email: string; username: string }, mode: 'sync' | 'reconcile' = 'sync'): Promise<{ ms: number; cpuMs: number; maxRssKb: number; peak: { heapUsed: number; external: number }; result: Record<string, number> }> {
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    // BENCH_HEAP_MB caps the V8 heap of each sync: a sync whose memory grew with the mailbox would die there.
    if (process.env.BENCH_HEAP_MB) profile.push(`--max-old-space-size=${process.env.BENCH_HEAP_MB}`);
    const child = spawn(join(ROOT, 'node_modules/.bin/node'), [...profile, join(ROOT, 'bench/sync/sync-child.ts'), box.email, box.username, mode], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`the Mailroom child exited ${String(code)}`);
    return JSON.parse(out.trim().split('\n').at(-1)!);
  }

  console.log(`# bench/sync: ${N} messages (incremental also at ${SMALL}; RSS also at ${LARGE}), Mailroom on ${dialect}, Dovecot on loopback, 2 KiB–2 MiB messages`);
  const main = await mailbox(N);

  // 1. mbsync: the same mailbox to a local Maildir, default (durable) settings.
  const binary = mbsyncBinary();
  let mbsyncRate: number | null = null;
  if (binary) {
    const local = join(work, 'mbsync-maildir');
    const conf = join(work, 'mbsyncrc');
    mkdirSync(local, { recursive: true });
    writeFileSync(conf, [
      'IMAPAccount bench', `Host ${dovecot.host}`, `Port ${dovecot.imapPort}`, `User ${main.server.username}`, `Pass ${main.server.password}`, 'SSLType None', 'AuthMechs LOGIN', '',
      'IMAPStore remote', 'Account bench', '', 'MaildirStore local', `Path ${local}/`, `Inbox ${local}/INBOX`, '',
      'Channel bench', 'Far :remote:', 'Near :local:', 'Patterns INBOX', 'Create Near', 'Sync Pull', 'SyncState *', '',
    ].join('\n'));
    const start = performance.now();
    const run = spawnSync(binary, ['-c', conf, '-q', 'bench'], { encoding: 'utf8' });
    const ms = performance.now() - start;
    const files = (sub: string) => { try { return readdirSync(join(local, 'INBOX', sub)).length; } catch { return 0; } };
    const copied = files('cur') + files('new');
    if (run.status !== 0 || copied !== N) console.log(`# mbsync exited ${run.status} with ${copied} of ${N} copied: ${run.stderr.trim()}`);
    if (copied > 0) mbsyncRate = rate(copied, ms);
    if (mbsyncRate) console.log(`mbsync (Maildir, fsync)        ${fmt(mbsyncRate)} msg/s`);
  }

  // 2. raw imapflow: every source, nothing else.
  {
    const imap = await dovecot.client(main.server);
    const lock = await imap.getMailboxLock('INBOX', { readOnly: true });
    const start = performance.now();
    let count = 0;
    for await (const m of imap.fetch('1:*', { uid: true, source: true })) if (m.source) count++;
    const ms = performance.now() - start;
    lock.release();
    await imap.logout();
    console.log(`imapflow, sources only         ${fmt(rate(count, ms))} msg/s`);
  }

  // 3. Mailroom's first full sync.
  const first = await mailroom(main);
  const firstRate = rate(first.result.tracked!, first.ms);
  console.log(`Mailroom first sync            ${fmt(firstRate)} msg/s  (${first.result.tracked} tracked, ${first.result.failed} failed; peak RSS ${memory(first)})`);
  console.log(`  its CPU time: ${(first.cpuMs / first.result.tracked!).toFixed(2)} ms a message (user + system)`);
  if (mbsyncRate) console.log(`  ratio Mailroom ÷ mbsync: ${(firstRate / mbsyncRate).toFixed(2)}×  (goal ≥ 1.5×)`);

  if (!QUICK) {
    // 4. Incremental: 100 new messages, in this mailbox and in a tenth of its size.
    dovecot.writeMaildir(main.server, generateMailbox(NEW, main.email, N, 'm0'));
    const incremental = await mailroom(main);
    const small = await mailbox(SMALL);
    await mailroom(small);
    dovecot.writeMaildir(small.server, generateMailbox(NEW, small.email, SMALL, 'm2'));
    const smallIncremental = await mailroom(small);
    console.log(`incremental, ${NEW} new in ${N}      ${incremental.ms.toFixed(0).padStart(6)} ms (${incremental.result.tracked} tracked)`);
    console.log(`incremental, ${NEW} new in ${SMALL}       ${smallIncremental.ms.toFixed(0).padStart(6)} ms (${smallIncremental.result.tracked} tracked)`);
    console.log(`  ratio ${N} ÷ ${SMALL}: ${(incremental.ms / smallIncremental.ms).toFixed(2)}×  (goal ≤ 2×)`);

    // 5. RSS of a first sync several times larger.
    const large = await mailbox(LARGE);
    const largeFirst = await mailroom(large);
    console.log(`Mailroom first sync of ${LARGE}   ${fmt(rate(largeFirst.result.tracked!, largeFirst.ms))} msg/s, ${(largeFirst.cpuMs / largeFirst.result.tracked!).toFixed(2)} CPU ms a message  (peak RSS ${memory(largeFirst)})`);
    console.log(`  RSS ratio ${LARGE} ÷ ${N}: ${(largeFirst.maxRssKb / first.maxRssKb).toFixed(2)}×  (goal ≤ 1.1×)`);

    // 6. Reconciliation of the first mailbox (UIDs and Message-IDs only).
    const reconciled = await mailroom(main, 'reconcile');
    console.log(`reconciliation of ${N + NEW}         ${fmt(rate(N + NEW, reconciled.ms))} msg/s  (gaps: ${(reconciled.result as unknown as { gaps: number }).gaps})`);
  }
} finally {
  await dovecot.stop();
  await env.cleanup();
  rmSync(work, { recursive: true, force: true });
}
