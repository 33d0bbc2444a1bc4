// The database goes away in the middle of a distributor pass, under a real `mailroom serve` and a
// real `mailroom worker`. On PostgreSQL a TCP proxy between Mailroom and the server drops every
// connection and refuses new ones for a few seconds (a restart or a failover as Mailroom sees it);
// on SQLite another process holds the file locked for longer than Mailroom waits. The process
// stays up, the API answers 503 with Retry-After and a registry code meanwhile, and afterwards
// every email is sent: none lost, and a duplicate only for an email that was on the wire.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createApiToken, type User } from '../../src/users/users.service.ts';
import { createTestEnv, DIALECTS, PG_ADMIN_URL, skipUnless, type TestDialect, type TestEnv } from '../fixtures/context.ts';
import { pointSmtpAt, seedUsers } from '../fixtures/mailroom.ts';
import { spawnMailroom, until, within, WAIT_MS, type MailroomChild } from '../fixtures/mailroom-process.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import { startTcpProxy, type TcpProxy } from '../fixtures/tcp-proxy.ts';
import { arrivals, queueMany, statusCounts } from '../distributor/helpers.ts';

const EMAILS = Number(process.env.OUTAGE_EMAILS ?? 300);
/** How long the database stays away: longer than SQLite's busy timeout (5 s) so writes fail. */
const OUTAGE_MS = { postgres: 3_000, sqlite: 6_500 } as const;

interface Outage { end(): Promise<void> }

for (const dialect of DIALECTS) {
  describe(`the database goes away mid-pass on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let smtp: RunningSmtpServer;
    let proxy: TcpProxy | undefined;
    let alice: User;
    let token: string;
    const children: MailroomChild[] = [];

    before(async () => {
      env = await createTestEnv(dialect);
      // Each message waits a little for its answer, so the pass is under way for a few seconds.
      smtp = await startSmtpServer({ dataDelayMs: 40 });
      const users = await seedUsers(env.ctx);
      alice = users.alice;
      token = (await createApiToken(env.ctx, users.admin.id, { name: 'operator' })).token;
      await pointSmtpAt(env.ctx, smtp);
      if (dialect === 'postgres') {
        const pgUrl = new URL(PG_ADMIN_URL);
        proxy = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
      }
    });
    after(async () => {
      for (const c of children) if (c.running) c.child.kill('SIGKILL');
      await proxy?.close();
      await smtp.close();
      await env.cleanup();
    });

    const breakDatabase = async (d: TestDialect): Promise<Outage> => {
      if (d === 'postgres') {
        await proxy!.cut();
        return { end: () => proxy!.restore() };
      }
      // The lock is taken between Mailroom's own writes: wait for one in progress rather than fail.
      const locker = new DatabaseSync(join(env.dataDir, 'mailroom.db'), { timeout: 10_000 });
      locker.exec('BEGIN EXCLUSIVE');
      return { async end() { locker.exec('ROLLBACK'); locker.close(); } };
    };

    // On SQLite the lock is another program holding the file: reads go on (WAL), writes wait for
    // the lock without stalling the process, then answer DATABASE_BUSY.
    const commands = ['serve', 'worker'] as const;
    for (const command of commands) {
      it(`keeps \`mailroom ${command}\` up and sends every email once the database is back`, async () => {
        smtp.mails.length = 0;
        const ids = await queueMany(env.ctx, alice, EMAILS, `${command} outage`);
        const messageIdOf = new Map((await env.ctx.db.selectFrom('email').select(['id', 'message_id']).where('id', 'in', ids).execute()).map((r) => [r.id, r.message_id]));
        const mailroom = spawnMailroom(command, env, { workerId: `${command}-outage`, databaseUrl: proxy?.through(env.config.databaseUrl) });
        children.push(mailroom);
        const url = command === 'serve' ? await within(mailroom.url, 'serve to listen') : null;
        await within(smtp.waitForMails(30, WAIT_MS), 'the first mails');

        const outage = await breakDatabase(dialect);
        const outageStarted = Date.now();
        // Mailroom cannot write while the database is away, so what is claimed now is what was
        // claimed at the cut: the only emails that may go out twice.
        const claimedAtCut = new Set((await env.ctx.db.selectFrom('email').select('message_id').where('id', 'in', ids).where('status', '=', 'sending').execute()).map((r) => r.message_id));
        if (url && dialect === 'sqlite') {
          const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
          // A hand-in waits for the lock; meanwhile the process answers (node:sqlite is synchronous,
          // so a long wait inside SQLite would freeze the API, health and every loop).
          const write = fetch(`${url}/api/emails`, { method: 'POST', headers, body: JSON.stringify({ to: 'late@fabrikam.test', subject: 'During the lock', body: 'x' }) });
          for (let i = 0; i < 4; i++) {
            const live = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2_000) });
            assert.equal(live.status, 200, 'health answers while a write waits for the lock');
            await sleep(400);
          }
          const refused = await write;
          assert.equal(refused.status, 503, await refused.clone().text());
          assert.equal(refused.headers.get('retry-after'), '5');
          assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'DATABASE_BUSY');
          const written = await env.ctx.db.selectFrom('email').select('id').where('subject', '=', 'During the lock').execute();
          assert.deepEqual(written, [], 'nothing of the refused hand-in was written');
        }
        if (url && dialect === 'postgres') {
          const headers = { authorization: `Bearer ${token}` };
          // Even signing in needs the database: every API call answers 503 meanwhile.
          const answer = await fetch(`${url}/api/queue`, { headers });
          assert.equal(answer.status, 503, await answer.clone().text());
          assert.equal(answer.headers.get('retry-after'), '5');
          assert.equal(((await answer.json()) as { error: { code: string } }).error.code, 'DATABASE_UNAVAILABLE');
          assert.equal((await fetch(`${url}/health/live`)).status, 200);
          const ready = await fetch(`${url}/health/ready`);
          assert.equal(ready.status, 503);
          const report = (await ready.json()) as { ready: boolean; database: { reachable: boolean; code: string } };
          assert.equal(report.ready, false);
          assert.deepEqual([report.database.reachable, report.database.code], [false, 'DATABASE_UNAVAILABLE']);
        }
        await sleep(Math.max(0, OUTAGE_MS[dialect] - (Date.now() - outageStarted)));
        assert.ok(mailroom.running, `the process stayed up through the outage:\n${mailroom.output()}`);
        await outage.end();

        await until(async () => (await statusCounts(env.ctx)).sent === (await env.ctx.db.selectFrom('email').select('id').execute()).length, 'every email to be sent');
        assert.ok(mailroom.running, mailroom.output());
        const seen = arrivals(smtp.mails);
        for (const id of ids) assert.ok((seen.get(messageIdOf.get(id)!) ?? 0) >= 1, `email ${id} was lost`);
        const duplicated = [...seen].filter(([, n]) => n > 1).map(([m]) => m);
        assert.ok(duplicated.every((m) => claimedAtCut.has(m)), 'only an email claimed at the cut may arrive twice');
        if (url) await until(async () => (await fetch(`${url}/health/ready`)).status === 200, 'ready again');
        // The outage was said once in the log, and then its end.
        const states = () => mailroom.logLines().filter((l) => l.kind === 'database').map((l) => l.state);
        await until(() => states().at(-1) === 'reachable', 'the log to say the database is back');
        assert.equal(states().filter((s) => s === 'unavailable').length, 1, JSON.stringify(states()));

        mailroom.child.kill('SIGTERM');
        assert.deepEqual(await within(mailroom.exited, 'the process to stop'), { code: 0, signal: null });
        console.log(`# ${dialect} ${command}: ${EMAILS} emails, ${claimedAtCut.size} claimed at the cut, ${duplicated.length} sent twice`);
      });
    }
  });
}
