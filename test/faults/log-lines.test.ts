// What an operator reads in the log at the default level: one line per email state change,
// including the ones a person makes (retry now, with who asked), and one per mailbox alert, with
// ids and codes only: never an address, a subject, a body, the alert's text or the server's words.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { queueEmail } from '../../src/outbound/outbound.service.ts';
import { startMailroom, type RunningMailroom } from '../../src/runtime/mailroom-process.ts';
import { raiseMailboxAlert } from '../../src/sync/alerts.service.ts';
import { createApiToken, type User } from '../../src/users/users.service.ts';
import { createTestEnv, type TestEnv } from '../fixtures/context.ts';
import { pointSmtpAt, seedUsers } from '../fixtures/mailroom.ts';
import { until } from '../fixtures/mailroom-process.ts';
import { startSwitchableSmtp, TEMPORARY, type SwitchableSmtp } from '../distributor/helpers.ts';

type Line = Record<string, unknown>;

describe('log lines of person-made changes and mailbox alerts', () => {
  let env: TestEnv;
  let smtp: SwitchableSmtp;
  let running: RunningMailroom;
  let admin: User;
  let alice: User;
  let token: string;
  const lines: Line[] = [];
  const raw: string[] = [];

  before(async () => {
    env = await createTestEnv('sqlite');
    smtp = await startSwitchableSmtp();
    ({ admin, alice } = await seedUsers(env.ctx));
    token = (await createApiToken(env.ctx, admin.id, { name: 'ops' })).token;
    await pointSmtpAt(env.ctx, smtp.server);
    const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n').filter(Boolean)) { raw.push(l); lines.push(JSON.parse(l)); } done(); } });
    running = await startMailroom({ ...env.config, port: 0 }, { api: true, logger: pino({ level: 'info' }, sink) });
  });
  after(async () => {
    await running.stop();
    await smtp.server.close();
    await env.cleanup();
  });

  it('logs retry now like every other change of an email, with the administrator who asked', async () => {
    smtp.answer(TEMPORARY);
    const { email } = await queueEmail(running.ctx, alice, { to: 'secret-recipient@fabrikam.test', subject: 'Quarterly numbers', body: 'confidential body' });
    await until(async () => (await running.ctx.db.selectFrom('email').select('attempts').where('id', '=', email.id).executeTakeFirstOrThrow()).attempts > 0, 'the first try');
    await until(async () => (await running.ctx.db.selectFrom('email').select('status').where('id', '=', email.id).executeTakeFirstOrThrow()).status === 'waiting', 'the retry to be scheduled');
    smtp.answer(undefined);
    const res = await fetch(`${running.url}/api/emails/${email.id}/retry-now`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, await res.text());
    const mine = () => lines.filter((l) => l.kind === 'email' && l.email === email.id).map((l) => l.event);
    await until(() => mine().includes('sent'), 'the email to be sent');
    const retried = lines.find((l) => l.kind === 'email' && l.email === email.id && l.event === 'retry-now')!;
    assert.ok(retried, JSON.stringify(mine()));
    assert.equal(retried.actor, admin.id);
    assert.equal(retried.status, 'waiting');
    assert.deepEqual(mine().slice(0, 2), ['queued', 'claimed']);
    assert.ok(mine().indexOf('retry-now') < mine().lastIndexOf('sent'));
  });

  it('logs each mailbox alert with its level and code, and nothing of its text', async () => {
    const mailbox = await running.ctx.db.selectFrom('mailbox').selectAll().where('user_id', '=', alice.id).executeTakeFirstOrThrow();
    await raiseMailboxAlert(running.ctx, mailbox, { level: 'error', code: 'MAILBOX_AUTH_FAILED', channel: 'incoming', message: 'alice@contoso.test could not sign in', response: 'NO [AUTHENTICATIONFAILED] secret-detail' });
    const alert = lines.find((l) => l.kind === 'mailbox-alert' && l.mailbox === mailbox.id);
    assert.ok(alert, JSON.stringify(lines.filter((l) => l.kind === 'mailbox-alert')));
    assert.deepEqual([alert.level, alert.code, alert.channel], ['error', 'MAILBOX_AUTH_FAILED', 'incoming']);
    for (const secret of ['secret-recipient', 'Quarterly numbers', 'confidential body', 'alice@contoso.test could not', 'secret-detail']) {
      assert.ok(!raw.some((l) => l.includes(secret)), `the log holds "${secret}"`);
    }
  });
});
