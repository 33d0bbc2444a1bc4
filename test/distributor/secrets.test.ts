// The SMTP password at rest: sealed with the environment's key, never shown, and after the database
// moves to an environment with another key, sending fails with SECRET_UNDECRYPTABLE until the
// administrator clears the password and enters it again.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AppContext } from '../../src/app-context.ts';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { readParameters, toPublic, updateParameters } from '../../src/outbound/email-parameters.ts';
import { getEmail, queueEmail, resendEmail, sendTestEmail } from '../../src/outbound/outbound.service.ts';
import { ProviderRegistry } from '../../src/outbound/provider-registry.ts';
import type { User } from '../../src/users/users.service.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { pointSmtpAt, seedUsers } from '../fixtures/mailroom.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import { openPeer } from './helpers.ts';

const USER = 'mailer@contoso.test';
const PASSWORD = 'Correct-Horse-Battery-7';

for (const dialect of DIALECTS) {
  describe(`the SMTP password at rest on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let moved: AppContext;
    let smtp: RunningSmtpServer;
    let providers: ProviderRegistry;
    let movedProviders: ProviderRegistry;
    let admin: User;
    let alice: User;

    before(async () => {
      env = await createTestEnv(dialect);
      smtp = await startSmtpServer({ auth: { user: USER, pass: PASSWORD } });
      ({ admin, alice } = await seedUsers(env.ctx));
      await pointSmtpAt(env.ctx, smtp, { authRequired: true, username: USER, password: PASSWORD });
      providers = new ProviderRegistry(env.ctx);
      // The same database opened by an environment with a key of its own.
      moved = await openPeer(env, { workerId: 'other-environment', secretKey: randomBytes(32).toString('base64') });
      movedProviders = new ProviderRegistry(moved);
    });
    after(async () => {
      await providers.close();
      await movedProviders.close();
      await smtp.close();
      await moved.close();
      await env.cleanup();
    });

    it('stores the password sealed and shows only whether it is set', async () => {
      const row = await env.ctx.db.selectFrom('setting').select('value').where('key', '=', 'email_parameters').executeTakeFirstOrThrow();
      assert.ok(!row.value.includes(PASSWORD));
      assert.ok(!row.value.includes(Buffer.from(PASSWORD).toString('base64')));
      const stored = await readParameters(env.ctx);
      assert.match(stored.smtp.passwordSealed, /^v1:/);

      const shown = toPublic(stored);
      assert.equal(shown.smtp.passwordSet, true);
      assert.equal(shown.smtp.username, USER);
      assert.equal('passwordSealed' in shown.smtp, false);
      assert.equal('password' in shown.smtp, false);
      const text = JSON.stringify(shown);
      assert.ok(!text.includes(PASSWORD) && !text.includes(stored.smtp.passwordSealed));

      const { email } = await queueEmail(env.ctx, alice, { to: 'bob@fabrikam.test', subject: 'Signed in', body: 'x' });
      await runDistributorPass(env.ctx, providers);
      assert.equal((await getEmail(env.ctx, alice, email.id)).status, 'sent');
      assert.equal(smtp.mails.find((m) => m.messageId === email.messageId)?.user, USER);
    });

    it('fails with SECRET_UNDECRYPTABLE in another environment until the password is entered again', async () => {
      assert.equal(toPublic(await readParameters(moved)).smtp.passwordSet, true, 'reading the settings needs no key');

      const { email } = await queueEmail(moved, alice, { to: 'bob@fabrikam.test', subject: 'After the move', body: 'x' });
      const run = await runDistributorPass(moved, movedProviders);
      assert.equal(run.failed, 1);
      const failed = await getEmail(moved, alice, email.id);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.failure?.code, 'SECRET_UNDECRYPTABLE');
      assert.equal(failed.failure?.retryable, false);
      const test = await sendTestEmail(moved, movedProviders, admin, 'admin@contoso.test');
      assert.equal(test.failure?.code, 'SECRET_UNDECRYPTABLE');
      assert.equal(smtp.mails.some((m) => m.messageId === email.messageId || m.messageId === test.messageId), false);

      // Email parameters > SMTP settings: clear the password, then enter it again.
      assert.equal(toPublic(await updateParameters(moved, { smtp: { password: null } })).smtp.passwordSet, false);
      assert.equal(toPublic(await updateParameters(moved, { smtp: { password: PASSWORD } })).smtp.passwordSet, true);

      const again = await sendTestEmail(moved, movedProviders, admin, 'admin@contoso.test');
      assert.equal(again.status, 'sent');
      await resendEmail(moved, alice, email.id);
      await runDistributorPass(moved, movedProviders);
      const sent = await getEmail(moved, alice, email.id);
      assert.equal(sent.status, 'sent');
      assert.equal(sent.messageId, email.messageId);
      assert.equal(smtp.mails.find((m) => m.messageId === email.messageId)?.user, USER);

      // Now sealed with the new environment's key, the old one cannot read it.
      const { email: old } = await queueEmail(env.ctx, alice, { to: 'bob@fabrikam.test', subject: 'Old key', body: 'x' });
      await runDistributorPass(env.ctx, providers);
      assert.equal((await getEmail(env.ctx, alice, old.id)).failure?.code, 'SECRET_UNDECRYPTABLE');
    });
  });
}
