// The synchronization commands as a new user meets them: Email settings, a profile, a mailbox
// set and approved, queues, approvers; --json everywhere, unknown flags and keys refused, and
// no password ever printed. Both dialects.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { cliOk, runCli, type CliResult } from '../fixtures/cli.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { seedUsers } from '../fixtures/mailroom.ts';
import { raiseMailboxAlert } from '../../src/sync/alerts.service.ts';

const SECRET = 'imap-Secret-never-printed';

for (const dialect of DIALECTS) {
  describe(`sync commands (${dialect})`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    const printed: string[] = [];
    const keep = (r: CliResult) => { printed.push(r.out, r.err); return r; };
    const cli = {
      run: async (args: readonly string[]) => keep(await runCli(env, args)),
      ok: async (args: readonly string[]) => keep(await cliOk(env, args)),
    };
    before(async () => {
      env = await createTestEnv(dialect);
      await seedUsers(env.ctx);
    });
    after(async () => { await env?.cleanup(); });

    it('settings get and set, with the range in a refusal and unknown keys refused', async () => {
      assert.equal((await cli.ok(['settings', 'get', '--json'])).json.maxAttachmentKb, 5120);
      const set = await cli.ok(['settings', 'set', 'maxAttachmentKb=10240', 'notifyMailboxOwner=yes', '--json']);
      assert.equal(set.json.maxAttachmentKb, 10240);
      assert.equal(set.json.notifyMailboxOwner, true);
      const range = await cli.run(['settings', 'set', 'trackingTokenUserDigits=9', '--json']);
      assert.notEqual(range.code, 0);
      assert.match(range.out + range.err, /1 to 4/);
      assert.equal((await cli.ok(['settings', 'get', '--json'])).json.unresolvedOnMultipleMatches, false);
      assert.equal((await cli.ok(['settings', 'set', 'unresolvedOnMultipleMatches=yes', '--json'])).json.unresolvedOnMultipleMatches, true);
      const notYesNo = await cli.run(['settings', 'set', 'unresolvedOnMultipleMatches=sometimes', '--json']);
      assert.notEqual(notYesNo.code, 0);
      assert.match(notYesNo.out + notYesNo.err, /VALIDATION_FAILED/);
      assert.equal((await cli.ok(['settings', 'get', '--json'])).json.unresolvedOnMultipleMatches, true, 'a refused value changes nothing');
      const unknown = await cli.run(['settings', 'set', 'colour=red', '--json']);
      assert.notEqual(unknown.code, 0);
      assert.match(unknown.out + unknown.err, /INVALID_PARAMETER/);
    });

    it('profiles add/list/show/set with the issue\'s flags; Exchange refused; unknown flags refused', async () => {
      const added = await cli.ok(['profiles', 'add', '--name', 'Dovecot', '--type', 'imap', '--incoming-host', '127.0.0.1', '--incoming-port', '1143', '--incoming-ssl', 'yes',
        '--outgoing-host', '127.0.0.1', '--outgoing-port', '1587', '--outgoing-ssl', 'yes', '--default', '--json']);
      assert.equal(added.json.incomingPort, 1143);
      assert.equal(added.json.isDefault, true);
      assert.equal((await cli.ok(['profiles', 'list', '--json'])).json.length, 1);
      assert.equal((await cli.ok(['profiles', 'show', 'Dovecot', '--json'])).json.id, added.json.id);
      assert.equal((await cli.ok(['profiles', 'set', 'Dovecot', '--max-connections', '2', '--json'])).json.maxConnections, 2);
      const exo = await cli.run(['profiles', 'add', '--name', 'EXO', '--type', 'exchange-online', '--incoming-host', 'x', '--json']);
      assert.notEqual(exo.code, 0);
      assert.match(exo.out + exo.err, /SERVER_TYPE_NOT_AVAILABLE/);
      const badFlag = await cli.run(['profiles', 'set', 'Dovecot', '--max-conections', '2']);
      assert.notEqual(badFlag.code, 0);
      const badYes = await cli.run(['profiles', 'set', 'Dovecot', '--incoming-ssl', 'maybe']);
      assert.notEqual(badYes.code, 0);

      // A private authority from its PEM file: kept, shown by its subject; a missing file is refused.
      const ca = fileURLToPath(new URL('../fixtures/tls-cert.pem', import.meta.url));
      assert.match((await cli.ok(['profiles', 'set', 'Dovecot', '--trusted-ca', ca, '--json'])).json.trustedCa, /^-----BEGIN CERTIFICATE-----/);
      assert.match((await cli.ok(['profiles', 'show', 'Dovecot'])).out, /trustedCa\s+CN=localhost/);
      const missing = await cli.run(['profiles', 'set', 'Dovecot', '--trusted-ca', '/nonexistent/ca.pem']);
      assert.notEqual(missing.code, 0);
      assert.match(missing.out + missing.err, /INVALID_PARAMETER[\s\S]*cannot read \/nonexistent\/ca.pem/);
      assert.equal((await cli.ok(['profiles', 'set', 'Dovecot', '--trusted-ca', '', '--json'])).json.trustedCa, '');
      // Test connection before any mailbox has credentials says whose are missing and how to give them.
      const untested = await cli.run(['profiles', 'test', 'Dovecot', '--json']);
      assert.notEqual(untested.code, 0);
      assert.equal(untested.json.ok, false);
      for (const server of untested.json.servers) {
        assert.equal(server.failure.code, 'MAILBOX_CREDENTIALS_MISSING');
        assert.match(server.failure.message, /No mailbox of the profile Dovecot has credentials yet[\s\S]*mailroom mailboxes set MAILBOX --profile Dovecot/);
      }
    });

    it('mailboxes list/show/set by email address, and approve', async () => {
      const list = await cli.ok(['mailboxes', 'list', '--json']);
      assert.deepEqual(list.json.map((m: { email: string }) => m.email).sort(), ['admin@contoso.test', 'alice@contoso.test']);
      const set = await cli.ok(['mailboxes', 'set', 'alice@contoso.test', '--profile', 'Dovecot', '--username', 'alice', '--password', SECRET, '--incoming', 'sss', '--outgoing', 'none', '--json']);
      assert.equal(set.json.passwordSet, true);
      assert.equal(set.json.allowCredentials, true);
      assert.equal(set.json.channels.outgoing.method, 'none');
      assert.equal((await cli.ok(['mailboxes', 'show', set.json.id, '--json'])).json.email, 'alice@contoso.test');
      const refused = await cli.run(['approve', 'alice@contoso.test', '--user', 'alice', '--json']);
      assert.notEqual(refused.code, 0);
      assert.match(refused.out + refused.err, /FORBIDDEN/);
      assert.equal((await cli.ok(['approve', 'alice@contoso.test', '--json'])).json.approval.status, 'approved');
      // The text names the profile and the approver; the next poll waits for the incoming channel.
      const shown = (await cli.ok(['mailboxes', 'show', 'alice@contoso.test'])).out;
      assert.match(shown, /Profile: Dovecot\s+Approval: approved by admin at /);
      assert.match(shown, /Next poll: - \(incoming not enabled\)/);
    });

    it('queues add/list/show/set with their mailbox; the approver role to users only; alerts', async () => {
      const queue = await cli.ok(['queues', 'add', '--name', 'Support', '--email', 'support@contoso.test', '--owner', 'alice', '--member', 'admin', '--json']);
      assert.equal(queue.json.members[0], 'admin');
      assert.equal((await cli.ok(['queues', 'set', 'Support', '--tracking', 'replies', '--json'])).json.tracking, 'replies');
      assert.equal((await cli.ok(['queues', 'list', '--json'])).json.length, 1);
      assert.equal((await cli.ok(['queues', 'show', 'support@contoso.test', '--json'])).json.name, 'Support');
      assert.equal((await cli.ok(['mailboxes', 'show', 'support@contoso.test', '--json'])).json.ownerKind, 'queue');
      const toQueue = await cli.run(['approvers', 'add', 'Support', '--json']);
      assert.match(toQueue.out + toQueue.err, /APPROVER_ROLE_FOR_QUEUE/);
      assert.equal((await cli.ok(['approvers', 'add', 'alice', '--json'])).json[0].username, 'alice');
      assert.equal((await cli.ok(['approve', 'support@contoso.test', '--user', 'alice', '--json'])).json.approval.status, 'approved');
      assert.deepEqual((await cli.ok(['alerts', '--json'])).json, []);
      // The wall gathers several mailboxes: each line names its mailbox, whatever the text says.
      const alice = await env.ctx.db.selectFrom('mailbox').selectAll().where('email', '=', 'alice@contoso.test').executeTakeFirstOrThrow();
      await raiseMailboxAlert(env.ctx, alice, { level: 'warning', code: 'MAILBOX_UNREACHABLE', message: 'Mailroom could not connect to the mailbox\'s server.' });
      const wall = (await cli.ok(['alerts'])).out.split('\n');
      assert.match(wall[0]!, /^time\s+level\s+mailbox\s+code\s+message$/);
      assert.match(wall[1]!, /warning\s+alice@contoso\.test\s+MAILBOX_UNREACHABLE\s+Mailroom could not connect/);
      assert.equal((await cli.ok(['alerts', '--json'])).json[0].mailboxId, alice.id);
      for (const text of printed) assert.ok(!text.includes(SECRET), 'a command printed the password');
    });
  });
}
