// The SMTP password at rest: sealed with the environment's key, never shown, and after the database
// moves to an environment with another key, sending fails with SECRET_UNDECRYPTABLE until the
// administrator clears the password and enters it again.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { readParameters, toPublic, updateParameters } from '../../src/outbound/email-parameters.ts';
import { getEmail, queueEmail, resendEmail, sendTestEmail } from '../../src/outbound/outbound.service.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { useOutboundWorld, type Peer } from '../fixtures/outbound-world.ts';

const USER = 'mailer@contoso.test';
const PASSWORD = 'Correct-Horse-Battery-7';

for (const dialect of DIALECTS) {
  describe(`the SMTP password at rest on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    const world = useOutboundWorld(dialect, { smtp: { auth: { user: USER, pass: PASSWORD } }, smtpSettings: { authRequired: true, username: USER, password: PASSWORD } });
    // The same database opened by an environment with a key of its own.
    let moved: Peer;
    before(async () => { moved = await world.peer('other-environment', { secretKey: randomBytes(32).toString('base64') }); });

    it('stores the password sealed and shows only whether it is set', async () => {
      const row = await world.ctx.db.selectFrom('setting').select('value').where('key', '=', 'email_parameters').executeTakeFirstOrThrow();
      assert.ok(!row.value.includes(PASSWORD));
      assert.ok(!row.value.includes(Buffer.from(PASSWORD).toString('base64')));
      const stored = await readParameters(world.ctx);
      assert.match(stored.smtp.passwordSealed, /^v1:/);

      const shown = toPublic(stored);
      assert.equal(shown.smtp.passwordSet, true);
      assert.equal(shown.smtp.username, USER);
      assert.equal('passwordSealed' in shown.smtp, false);
      assert.equal('password' in shown.smtp, false);
      const text = JSON.stringify(shown);
      assert.ok(!text.includes(PASSWORD) && !text.includes(stored.smtp.passwordSealed));

      const { email } = await queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test', subject: 'Signed in', body: 'x' });
      await runDistributorPass(world.ctx, world.providers);
      assert.equal((await getEmail(world.ctx, world.alice, email.id)).status, 'sent');
      assert.equal(world.smtp.mails.find((m) => m.messageId === email.messageId)?.user, USER);
    });

    it('fails with SECRET_UNDECRYPTABLE in another environment until the password is entered again', async () => {
      assert.equal(toPublic(await readParameters(moved.ctx)).smtp.passwordSet, true, 'reading the settings needs no key');

      const { email } = await queueEmail(moved.ctx, world.alice, { to: 'bob@fabrikam.test', subject: 'After the move', body: 'x' });
      const run = await runDistributorPass(moved.ctx, moved.providers);
      assert.equal(run.failed, 1);
      const failed = await getEmail(moved.ctx, world.alice, email.id);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.failure?.code, 'SECRET_UNDECRYPTABLE');
      assert.equal(failed.failure?.retryable, false);
      const test = await sendTestEmail(moved.ctx, moved.providers, world.admin, 'admin@contoso.test');
      assert.equal(test.failure?.code, 'SECRET_UNDECRYPTABLE');
      assert.equal(world.smtp.mails.some((m) => m.messageId === email.messageId || m.messageId === test.messageId), false);

      // Email parameters > SMTP settings: clear the password, then enter it again.
      assert.equal(toPublic(await updateParameters(moved.ctx, { smtp: { password: null } })).smtp.passwordSet, false);
      assert.equal(toPublic(await updateParameters(moved.ctx, { smtp: { password: PASSWORD } })).smtp.passwordSet, true);

      const again = await sendTestEmail(moved.ctx, moved.providers, world.admin, 'admin@contoso.test');
      assert.equal(again.status, 'sent');
      await resendEmail(moved.ctx, world.alice, email.id);
      await runDistributorPass(moved.ctx, moved.providers);
      const sent = await getEmail(moved.ctx, world.alice, email.id);
      assert.equal(sent.status, 'sent');
      assert.equal(sent.messageId, email.messageId);
      assert.equal(world.smtp.mails.find((m) => m.messageId === email.messageId)?.user, USER);

      // Now sealed with the new environment's key, the old one cannot read it.
      const { email: old } = await queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test', subject: 'Old key', body: 'x' });
      await runDistributorPass(world.ctx, world.providers);
      assert.equal((await getEmail(world.ctx, world.alice, old.id)).failure?.code, 'SECRET_UNDECRYPTABLE');
    });
  });
}
