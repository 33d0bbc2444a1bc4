// The `mailroom` command, run as real child processes against a temporary data folder (and, for
// the main flow, a PostgreSQL database), delivering to a real SMTP server on loopback.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simpleParser, type AddressObject } from 'mailparser';
import { createTestEnv, DIALECTS, skipUnless, type TestDialect, type TestEnv } from '../fixtures/context.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import type { Json } from '../fixtures/api.ts';
import { MAIN, NODE, ROOT, runCli as run, type CliResult } from '../fixtures/cli.ts';

const PASSWORD = 'cli-Secret-Passw0rd-never-printed';

const addressesOf = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((f) => f.value.map((v) => v.address));

/** Everything any command printed, to check the password never shows. */
const printed: string[] = [];

/** The shared runner, keeping what every command printed. */
async function runCli(env: TestEnv, args: readonly string[]): Promise<CliResult> {
  const result = await run(env, args);
  printed.push(result.out, result.err);
  return result;
}

/** Runs a command that must succeed. */
async function ok(env: TestEnv, args: readonly string[]): Promise<CliResult> {
  const res = await runCli(env, args);
  assert.equal(res.code, 0, `mailroom ${args.join(' ')} exited ${res.code}: ${res.out}${res.err}`);
  return res;
}

for (const dialect of DIALECTS) {
  describe(`the mailroom command on ${dialect}`, { skip: await skipUnless(dialect as TestDialect) }, () => {
    let env: TestEnv;
    let smtp: RunningSmtpServer;
    let refuseData = true;
    let attachmentPath: string;

    before(async () => {
      smtp = await startSmtpServer({
        onRcpt: (a) => (a.startsWith('refuse-rcpt@') ? { code: 550, text: '5.1.1 User unknown' } : undefined),
        onData: (raw) => (refuseData && /^Subject: refuse-me/im.test(raw.toString('latin1')) ? { code: 550, text: '5.7.1 Rejected by content policy' } : undefined),
      });
      env = await createTestEnv(dialect);
      attachmentPath = join(env.dataDir, 'statement.csv');
      writeFileSync(attachmentPath, 'invoice,amount\nINV-7,250\n');
    });
    after(async () => {
      await smtp.close();
      await env.cleanup();
    });

    it('sets up, queues with attachments, shows the queue, distributes to the server and lists the history', async () => {
      const admin = await ok(env, ['users', 'add', '--username', 'admin', '--email', 'admin@contoso.test', '--role', 'admin', '--password', 'admin-password', '--json']);
      assert.equal(admin.json.role, 'admin');
      assert.equal(admin.json.password, undefined);
      await ok(env, ['params', 'set', `smtp.host=${smtp.host}`, `smtp.port=${smtp.port}`, 'smtp.sslRequired=no']);
      const params = (await ok(env, ['params', 'get', '--json'])).json;
      assert.equal(params.smtp.host, smtp.host);
      assert.equal(params.smtp.port, smtp.port);
      assert.equal(params.smtp.sslRequired, false);

      const sent = await ok(env, ['send', '--to', 'bob@fabrikam.test', '--to', 'Bob Two <bob2@fabrikam.test>', '--cc', 'carol@fabrikam.test',
        '--bcc', 'dan@fabrikam.test', '--subject', 'Statement for November', '--body', 'Attached.', '--attach', attachmentPath, '--json']);
      const email = sent.json.email;
      assert.equal(email.status, 'waiting');
      assert.equal(email.sender, 'admin@contoso.test');

      const status = (await ok(env, ['status', '--json'])).json as Json[];
      assert.deepEqual(status.map((e) => [e.id, e.status]), [[email.id, 'waiting']]);

      const run = (await ok(env, ['distribute', '--once', '--json'])).json;
      assert.equal(run.sent, 1);
      const mail = smtp.mails.find((m) => m.messageId === email.messageId);
      assert.ok(mail, 'the server received the message');
      assert.deepEqual([...mail.to].sort(), ['bob2@fabrikam.test', 'bob@fabrikam.test', 'carol@fabrikam.test', 'dan@fabrikam.test']);
      const parsed = await simpleParser(mail.raw);
      assert.equal(parsed.subject, 'Statement for November');
      assert.equal(parsed.attachments[0]?.filename, 'statement.csv');
      assert.equal(parsed.attachments[0]?.content.toString(), 'invoice,amount\nINV-7,250\n');

      const history = (await ok(env, ['history', '--status', 'sent', '--json'])).json;
      assert.deepEqual(history.items.map((e: Json) => e.id), [email.id]);
      assert.deepEqual((await ok(env, ['status', '--json'])).json, []);
      const shown = await ok(env, ['show', email.id]);
      assert.match(shown.out, new RegExp(`^${email.id}\\s+SENT`));
    });

    if (dialect !== 'sqlite') return;

    it('shows the failure of a refused email, then resends it once the cause is gone', async () => {
      const queued = (await ok(env, ['send', '--to', 'bob@fabrikam.test', '--subject', 'refuse-me: quarterly', '--body', 'x', '--json'])).json.email;
      await ok(env, ['distribute', '--once']);
      const failed = (await ok(env, ['show', queued.id, '--json'])).json;
      assert.equal(failed.status, 'failed');
      assert.equal(failed.failure.code, 'SMTP_REJECTED');
      assert.match(failed.failure.response, /^550[ -]5\.7\.1 Rejected by content policy/);
      const text = (await ok(env, ['show', queued.id])).out;
      assert.match(text, /SMTP_REJECTED/);
      assert.match(text, /550[ -]5\.7\.1 Rejected by content policy/);

      refuseData = false;
      const resent = (await ok(env, ['resend', queued.id, '--json'])).json;
      assert.equal(resent.status, 'waiting');
      const again = await runCli(env, ['resend', queued.id, '--json']);
      assert.notEqual(again.code, 0);
      assert.equal(again.json.error.code, 'NOT_RESENDABLE');
      await ok(env, ['distribute', '--once']);
      const after = (await ok(env, ['show', queued.id, '--json'])).json;
      assert.equal(after.status, 'sent');
      assert.equal(after.attempts, 2);
      assert.ok(smtp.mails.some((m) => m.messageId === queued.messageId), 'the same message went out');
    });

    it('writes a parseable .eml to standard output', async () => {
      const res = await ok(env, ['eml', '--to', 'bob@fabrikam.test', '--cc', 'carol@fabrikam.test', '--bcc', 'dan@fabrikam.test',
        '--subject', 'Statements to contact', '--body', 'Statement attached.', '--attach', attachmentPath]);
      const parsed = await simpleParser(res.stdout);
      assert.deepEqual(addressesOf(parsed.to), ['bob@fabrikam.test']);
      assert.deepEqual(addressesOf(parsed.cc), ['carol@fabrikam.test']);
      assert.deepEqual(addressesOf(parsed.bcc), ['dan@fabrikam.test']);
      assert.equal(parsed.subject, 'Statements to contact');
      assert.equal(parsed.attachments[0]?.filename, 'statement.csv');
      assert.equal(parsed.headers.get('x-unsent'), '1');
      const generated = (await ok(env, ['history', '--status', 'generated', '--json'])).json.items as Json[];
      assert.equal(generated.length, 1);
      assert.equal(generated[0].messageId, parsed.messageId);
    });

    it('sets user options, and the Sender email becomes the From of the user\'s email', async () => {
      await ok(env, ['users', 'add', '--username', 'alice', '--email', 'alice@contoso.test', '--json']);
      const options = (await ok(env, ['options', 'set', '--user', 'alice', '--provider', 'smtp', '--sender-email', 'sales@contoso.test', '--json'])).json;
      assert.equal(options.providerId, 'smtp');
      assert.equal(options.senderEmail, 'sales@contoso.test');
      const email = (await ok(env, ['send', '--user', 'alice', '--to', 'bob@fabrikam.test', '--subject', 'From sales', '--json'])).json.email;
      assert.equal(email.sender, 'sales@contoso.test');
      // Alice sees her own queue only; the administrator sees it too.
      assert.deepEqual((await ok(env, ['status', '--user', 'alice', '--json'])).json.map((e: Json) => e.id), [email.id]);
      const cleared = (await ok(env, ['options', 'set', '--user', 'alice', '--provider', 'ask', '--sender-email', '', '--json'])).json;
      assert.equal(cleared.providerId, null);
      assert.equal(cleared.senderEmail, null);
      const bad = await runCli(env, ['options', 'set', '--user', 'alice', '--provider', 'pigeon', '--json']);
      assert.notEqual(bad.code, 0);
      assert.equal(bad.json.error.code, 'UNKNOWN_PROVIDER');
      await ok(env, ['cancel', email.id]);
      // The personal email options read back under the names of the flags that set them.
      await ok(env, ['options', 'set', '--user', 'alice', '--tracking', 'all', '--auto-create', 'yes', '--create-as', 'lead']);
      const shown = (await ok(env, ['options', 'show', '--user', 'alice'])).out;
      assert.match(shown, /^tracking\s+all$/m);
      assert.match(shown, /^autoCreate\s+true$/m);
      assert.match(shown, /^createAs\s+lead$/m);
      assert.doesNotMatch(shown, /[{}]/);
      const json = (await ok(env, ['options', 'show', '--user', 'alice', '--json'])).json;
      assert.equal(json.email.tracking, 'all');
    });

    it('sends the test email and reports a refusal with its code and a non-zero exit', async () => {
      const sent = await ok(env, ['test-email', '--to', 'ops@fabrikam.test', '--json']);
      assert.equal(sent.json.status, 'sent');
      assert.ok(smtp.mails.some((m) => m.messageId === sent.json.messageId && m.to.includes('ops@fabrikam.test')));
      const refused = await runCli(env, ['test-email', '--to', 'refuse-rcpt@fabrikam.test', '--json']);
      assert.notEqual(refused.code, 0);
      assert.equal(refused.json.status, 'failed');
      assert.equal(refused.json.failure.code, 'RECIPIENTS_REJECTED');
    });

    /** Runs each command with --json (the code in the output) and the first few without (the code on stderr). */
    async function expectFailures(cases: readonly (readonly [string[], string])[], plainToo: number) {
      for (const [args, code] of cases) {
        const res = await runCli(env, [...args, '--json']);
        assert.notEqual(res.code, 0, `${args.join(' ')} must fail`);
        assert.equal(res.json?.error?.code, code, `${args.join(' ')}: ${res.out}${res.err}`);
      }
      for (const [args, code] of cases.slice(0, plainToo)) {
        const plain = await runCli(env, args);
        assert.notEqual(plain.code, 0);
        assert.match(plain.err, new RegExp(`\\b${code}\\b`), `${args.join(' ')} names the code on stderr`);
      }
    }
    const countEmails = async () => Number((await env.ctx.db.selectFrom('email').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

    it('refuses a bad email with its code and a non-zero exit, and writes nothing', async () => {
      const before = await countEmails();
      await expectFailures([
        [['send', '--to', 'not-an-address', '--subject', 'x'], 'INVALID_ADDRESS'],
        [['send', '--subject', 'nobody'], 'NO_RECIPIENTS'],
        [['send', '--to', 'bob@fabrikam.test', '--subject', 'Hi\r\nBcc: x@evil.test'], 'HEADER_INJECTION'],
        [['send', '--to', 'bob@fabrikam.test', '--from', 'ceo@contoso.test'], 'SEND_AS_DENIED'],
        [['send', '--to', 'bob@fabrikam.test', '--provider', 'pigeon'], 'UNKNOWN_PROVIDER'],
        [['send', '--to', 'bob@fabrikam.test', '--user', 'nobody'], 'NOT_FOUND'],
        [['eml', '--to', 'bob@fabrikam.test', '--cc', 'carol@'], 'INVALID_ADDRESS'],
        [['show', 'no-such-email'], 'NOT_FOUND'],
      ], 2);
      assert.equal(await countEmails(), before);
    });

    it('refuses bad history filters and parameters with their codes, and changes nothing', async () => {
      await expectFailures([
        [['history', '--status', 'bogus'], 'VALIDATION_FAILED'],
        [['history', '--since', 'last tuesday-ish'], 'VALIDATION_FAILED'],
        [['history', '--until', 'soon'], 'VALIDATION_FAILED'],
        [['history', '--limit', 'abc'], 'VALIDATION_FAILED'],
        [['params', 'set', 'smtp.port=0'], 'INVALID_PARAMETER'],
        [['params', 'set', 'expirationDays=-1', 'smtp.host=mail server'], 'INVALID_PARAMETER'],
        [['params', 'set', 'nonsense'], 'INVALID_PARAMETER'],
        [['users', 'add', '--username', 'admin', '--email', 'admin@contoso.test'], 'CONFLICT'],
      ], 1);
      const params = (await ok(env, ['params', 'get', '--json'])).json;
      assert.equal(params.smtp.port, smtp.port, 'a refused change changes nothing');
      assert.equal(params.smtp.host, smtp.host);
      assert.equal(params.expirationDays, 0);
    });

    it('finishes quietly when the reader of its output has gone (| head)', async () => {
      const child = spawn(NODE, [MAIN, 'params', 'get'], {
        cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH, HOME: process.env.HOME, MAILROOM_DATA_DIR: env.dataDir, MAILROOM_SECRET_KEY: env.config.secretKey, MAILROOM_LOG_LEVEL: 'silent' },
      });
      child.stdout.destroy();
      const err: Buffer[] = [];
      child.stderr.on('data', (c: Buffer) => err.push(c));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(Buffer.concat(err).toString('utf8'), '');
      assert.equal(code, 0);
    });

    it('never prints the SMTP password', async () => {
      const set = await ok(env, ['params', 'set', `smtp.password=${PASSWORD}`, '--json']);
      assert.equal(set.json.smtp.passwordSet, true);
      const got = await ok(env, ['params', 'get', '--json']);
      assert.equal(got.json.smtp.passwordSet, true);
      assert.equal(got.json.smtp.password, undefined);
      assert.equal(got.json.smtp.passwordSealed, undefined);
      assert.match((await ok(env, ['params', 'get'])).out, /password=set/);
      await ok(env, ['test-email', '--to', 'ops@fabrikam.test']);
      await runCli(env, ['params', 'set', 'smtp.port=0', `smtp.password=${PASSWORD}`, '--json']);
      for (const text of printed) assert.ok(!text.includes(PASSWORD), 'a command printed the password');
      const cleared = await ok(env, ['params', 'set', 'smtp.password=', '--json']);
      assert.equal(cleared.json.smtp.passwordSet, false);
    });
  });
}
