// A real `mailroom worker` process, stopped in the middle of a batch. Killed (kill -9), its claims
// run out and another worker sends what it left: nothing is lost, and only a message that was on
// the wire at the moment of the kill can arrive twice, with the same Message-ID and bytes.
// Stopped with SIGTERM, it finishes the sends on the wire, gives the other claims back to waiting
// at once and exits 0, leaving no claim behind.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { DIALECTS, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { useOutboundWorld } from '../fixtures/outbound-world.ts';
import { arrivals, queueMany, statusCounts } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LEASE_SECONDS = 2;
const WAIT_MS = 60_000; // the most any wait for the child may take; never an assertion on time

interface Exit { readonly code: number | null; readonly signal: NodeJS.Signals | null }

function spawnWorker(env: TestEnv, workerId: string): { child: ChildProcess; exited: Promise<Exit>; output: () => string } {
  const child = spawn(process.execPath, ['src/cli/main.ts', 'worker'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      MAILROOM_DATA_DIR: env.dataDir,
      DATABASE_URL: env.config.databaseUrl,
      MAILROOM_SECRET_KEY: env.config.secretKey,
      MAILROOM_LEASE_SECONDS: String(LEASE_SECONDS),
      MAILROOM_WORKER_ID: workerId,
      MAILROOM_LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { output += c.toString(); });
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => output };
}

async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  const timeout = sleep(WAIT_MS, undefined, { ref: false }).then(() => { throw new Error(`gave up waiting for ${what}`); });
  return Promise.race([promise, timeout]);
}

for (const dialect of DIALECTS) {
  describe(`a worker process stopped mid-batch on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    const children: ChildProcess[] = [];
    after(() => { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); });
    // Each message waits a little for its answer, so the worker is mid-batch for a while.
    const world = useOutboundWorld(dialect, { workerId: 'rescuer', leaseMs: LEASE_SECONDS * 1000, smtp: { dataDelayMs: 150 } });

    it('loses nothing when the worker is killed: another worker takes its claims over after the lease', async () => {
      const ids = await queueMany(world.ctx, world.alice, 50, 'Killed mid-batch');
      const messageIdOf = new Map((await world.ctx.db.selectFrom('email').select(['id', 'message_id']).where('id', 'in', ids).execute()).map((r) => [r.id, r.message_id]));
      const worker = spawnWorker(world.env, 'doomed');
      children.push(worker.child);
      await within(world.smtp.waitForMails(5, WAIT_MS), 'the first mails from the worker');
      worker.child.kill('SIGKILL');
      assert.equal((await within(worker.exited, 'the killed worker')).signal, 'SIGKILL');

      const atKill = await world.ctx.db.selectFrom('email').select(['id', 'status', 'claimed_by', 'lease_until']).where('id', 'in', ids).execute();
      const stuck = atKill.filter((r) => r.status === 'sending');
      const sentAtKill = atKill.filter((r) => r.status === 'sent');
      assert.ok(stuck.length > 0, `the worker was mid-batch: ${worker.output()}`);
      assert.equal(stuck.length + sentAtKill.length, ids.length);
      assert.ok(stuck.every((r) => r.claimed_by === 'doomed'));

      // Wait (real time) until every lease the dead worker held has run out, then take over.
      const leaseEnd = Math.max(...stuck.map((r) => r.lease_until!));
      await sleep(Math.max(0, leaseEnd - Date.now()) + 200);
      for (let pass = 0; pass < 10 && (await statusCounts(world.ctx)).sending; pass++) {
        await runDistributorPass(world.ctx, world.providers);
      }

      assert.deepEqual(await statusCounts(world.ctx), { sent: ids.length });
      const seen = arrivals(world.smtp.mails);
      for (const id of ids) assert.ok((seen.get(messageIdOf.get(id)!) ?? 0) >= 1, `email ${id} was lost`);
      // A duplicate can only be an email whose send was under way when the worker died, and it is
      // the very same message: same Message-ID, same bytes.
      const stuckMessageIds = new Set(stuck.map((r) => messageIdOf.get(r.id)));
      const duplicated = [...seen].filter(([, n]) => n > 1).map(([m]) => m);
      assert.ok(duplicated.every((m) => stuckMessageIds.has(m)), 'an email recorded as sent was sent again');
      for (const m of duplicated) {
        const copies = world.smtp.mails.filter((mail) => mail.messageId === m);
        assert.ok(copies.every((c) => c.raw.equals(copies[0]!.raw)));
      }
      for (const r of sentAtKill) assert.equal(seen.get(messageIdOf.get(r.id)!), 1);
      const takenOver = await world.ctx.db.selectFrom('email_attempt').select(['email_id', 'worker']).where('email_id', 'in', stuck.map((r) => r.id)).execute();
      assert.ok(takenOver.every((a) => a.worker === 'rescuer'));
      assert.equal(takenOver.length, stuck.length);
    });

    it('on SIGTERM finishes the sends on the wire, gives the rest back to waiting at once, exits 0 and leaves no email claimed', async () => {
      world.smtp.mails.length = 0;
      const ids = await queueMany(world.ctx, world.alice, 30, 'Stopped with SIGTERM');
      const worker = spawnWorker(world.env, 'graceful');
      children.push(worker.child);
      await within(world.smtp.waitForMails(3, WAIT_MS), 'the first mails from the worker');
      worker.child.kill('SIGTERM');
      const exit = await within(worker.exited, 'the worker to stop');
      assert.deepEqual(exit, { code: 0, signal: null }, worker.output());

      const rows = await world.ctx.db.selectFrom('email').select(['id', 'message_id', 'status', 'claimed_by', 'attempts']).where('id', 'in', ids).execute();
      assert.ok(rows.every((r) => r.claimed_by === null && (r.status === 'sent' || r.status === 'waiting')), JSON.stringify(rows));
      const given = rows.filter((r) => r.status === 'waiting');
      assert.ok(given.length > 0, 'the worker stopped before the batch was done');
      // Given back unsent: not at the server, and the claim's attempt taken back.
      const seen = arrivals(world.smtp.mails);
      assert.ok(given.every((r) => !seen.has(r.message_id) && r.attempts === 0));
      assert.ok([...seen.values()].every((n) => n === 1));

      // Another pass sends what was given back; each email arrived exactly once.
      await runDistributorPass(world.ctx, world.providers);
      assert.deepEqual(await statusCounts(world.ctx), { sent: ids.length + (await world.ctx.db.selectFrom('email').select('id').where('id', 'not in', ids).execute()).length });
      const after = arrivals(world.smtp.mails);
      for (const r of rows) assert.equal(after.get(r.message_id), 1);
    });
  });
}
