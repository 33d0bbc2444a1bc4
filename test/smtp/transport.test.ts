// The SMTP provider on the wire: STARTTLS and implicit TLS, AUTH PLAIN and LOGIN, and what becomes of
// an email when the server refuses for now, drops the line, or is not there at all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { queueEmail } from '../../src/outbound/outbound.service.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import type { RunningSmtpServer } from '../fixtures/smtp-server.ts';
import { closedPort, openHarness, type SmtpHarness } from './smtp-harness.ts';

const ACCOUNT = { user: 'mailer@contoso.test', pass: 'right-password' };
const SIGN_IN = { username: ACCOUNT.user, password: ACCOUNT.pass };
/** What may cross the wire before TLS when SSL is required. */
const CLEAR_TEXT_ALLOWED = ['EHLO', 'HELO', 'STARTTLS', 'QUIT', 'RSET'];

for (const dialect of DIALECTS) {
  describe(`SMTP transport on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: SmtpHarness;
    before(async () => { h = await openHarness(dialect); });
    after(async () => { await h.close(); });

    /** Queues one email from Alice and runs one distributor pass; returns the email's details. */
    async function sendOne(subject: string, body = 'Hello.') {
      const { email } = await queueEmail(h.env.ctx, h.alice, { to: 'bob@fabrikam.test', subject, body });
      await runDistributorPass(h.env.ctx, h.providers);
      return h.view(email.id);
    }

    function assertWaitingToRetry(view: Awaited<ReturnType<SmtpHarness['view']>>, code: string) {
      assert.equal(view.status, 'waiting');
      assert.equal(view.attempts, 1);
      assert.equal(view.failure?.code, code);
      assert.equal(view.failure?.retryable, true);
      assert.ok(view.nextAttemptAt !== null && view.nextAttemptAt > h.clock.now(), 'the next try is later, not now');
    }

    describe('TLS', () => {
      it('STARTTLS to a self-signed certificate without verification: sent over a secure session', async () => {
        const server = await h.server({ tls: 'starttls' });
        await h.point(server, { sslRequired: true, verifyCertificate: false });
        const view = await sendOne('Over STARTTLS');
        assert.equal(view.status, 'sent');
        const [mail] = await server.waitForMails(1);
        assert.equal(mail!.secure, true);
        assert.equal(mail!.messageId, view.messageId);
        assert.ok(server.commands.includes('STARTTLS'));
      });

      it('STARTTLS to a self-signed certificate with verification: TLS_FAILED, nothing sent', async () => {
        const server = await h.server({ tls: 'starttls', auth: ACCOUNT });
        await h.point(server, { sslRequired: true, verifyCertificate: true, ...SIGN_IN });
        const view = await sendOne('Untrusted certificate');
        assert.equal(view.status, 'failed');
        assert.equal(view.failure?.code, 'TLS_FAILED');
        assert.equal(server.mails.length, 0);
        assertOnlyClearTextAllowed(server);
      });

      it('SSL required against a server without STARTTLS: TLS_REQUIRED, no credentials or mail in clear', async () => {
        const server = await h.server({ tls: 'none', auth: ACCOUNT });
        await h.point(server, { sslRequired: true, ...SIGN_IN });
        const view = await sendOne('No STARTTLS offered');
        assert.equal(view.status, 'failed');
        assert.equal(view.attempts, 1);
        assert.equal(view.failure?.code, 'TLS_REQUIRED');
        assert.equal(view.failure?.command, 'STARTTLS');
        assert.equal(server.mails.length, 0);
        assertOnlyClearTextAllowed(server);
      });

      it('implicit TLS (SMTPS): sent over a secure session from the first byte', async () => {
        const server = await h.server({ tls: 'implicit', auth: ACCOUNT });
        await h.point(server, { sslRequired: true, implicitTls: true, verifyCertificate: false, ...SIGN_IN });
        const view = await sendOne('Over implicit TLS');
        assert.equal(view.status, 'sent');
        const [mail] = await server.waitForMails(1);
        assert.equal(mail!.secure, true);
        assert.equal(mail!.user, ACCOUNT.user);
        assert.ok(!server.commands.includes('STARTTLS'));
      });
    });

    describe('AUTH', () => {
      for (const method of ['PLAIN', 'LOGIN']) {
        it(`AUTH ${method}: signs in and the server sees the user`, async () => {
          const server = await h.server({ tls: 'starttls', auth: ACCOUNT, authMethods: [method] });
          await h.point(server, { sslRequired: true, verifyCertificate: false, authRequired: true, ...SIGN_IN });
          const view = await sendOne(`Signed in with ${method}`);
          assert.equal(view.status, 'sent');
          const [mail] = await server.waitForMails(1);
          assert.equal(mail!.user, ACCOUNT.user);
          assert.equal(mail!.secure, true);
        });
      }

      it('a wrong password: AUTH_FAILED, failed at once, nothing sent', async () => {
        const server = await h.server({ tls: 'starttls', auth: ACCOUNT, authMethods: ['LOGIN'] });
        await h.point(server, { sslRequired: true, verifyCertificate: false, ...SIGN_IN, password: 'not-the-password' });
        const view = await sendOne('Wrong password');
        assert.equal(view.status, 'failed');
        assert.equal(view.attempts, 1);
        assert.equal(view.failure?.code, 'AUTH_FAILED');
        assert.match(view.failure?.response ?? '', /^535 /);
        assert.equal(view.failure?.command, 'AUTH LOGIN');
        assert.equal(server.mails.length, 0);
        assert.ok(!server.commands.includes('MAIL'));
      });
    });

    describe('retries', () => {
      it('a temporary refusal (451 4.3.0) is retried later, then the same email is sent', async () => {
        let busy = true;
        const server = await h.server({ onData: () => (busy ? { code: 451, text: '4.3.0 Temporary server error. Please try again later' } : undefined) });
        await h.point(server);
        const first = await sendOne('Busy server');
        assertWaitingToRetry(first, 'SMTP_TRANSIENT');
        assert.equal(first.failure?.response, '451 4.3.0 Temporary server error. Please try again later');
        assert.equal((await runDistributorPass(h.env.ctx, h.providers)).claimed, 0, 'not due again yet');

        busy = false;
        h.clock.set(first.nextAttemptAt!);
        await runDistributorPass(h.env.ctx, h.providers);
        const done = await h.view(first.id);
        assert.equal(done.status, 'sent');
        assert.equal(done.attempts, 2);
        assert.deepEqual(done.attemptLog.map((a) => a.outcome), ['retry', 'sent']);
        assert.deepEqual(server.mails.map((m) => m.messageId), [first.messageId]);
      });

      it('a connection dropped mid-DATA is retried; a healthy server then gets the same message exactly once', async () => {
        const flaky = await h.server({ dropAfterBytes: 4096 });
        await h.point(flaky);
        const first = await sendOne('Dropped line', 'Invoice lines follow.\n'.repeat(2000));
        assertWaitingToRetry(first, 'CONNECTION_DROPPED');
        assert.equal(flaky.mails.length, 0);

        const healthy = await h.server();
        await h.point(healthy);
        h.clock.set(first.nextAttemptAt!);
        await runDistributorPass(h.env.ctx, h.providers);
        h.clock.advance(24 * 3600_000);
        await runDistributorPass(h.env.ctx, h.providers);
        const done = await h.view(first.id);
        assert.equal(done.status, 'sent');
        assert.deepEqual(done.attemptLog.map((a) => [a.outcome, a.code]), [['retry', 'CONNECTION_DROPPED'], ['sent', null]]);
        assert.deepEqual(healthy.mails.map((m) => m.messageId), [first.messageId]);
      });

      it('a refused connection (nothing listening): CONNECTION_FAILED, retried later', async () => {
        await h.point({ host: '127.0.0.1', port: await closedPort() });
        const view = await sendOne('Nobody home');
        assertWaitingToRetry(view, 'CONNECTION_FAILED');
        assert.equal(view.attemptLog[0]?.outcome, 'retry');
      });
    });
  });
}

function assertOnlyClearTextAllowed(server: RunningSmtpServer) {
  const leaked = server.commands.filter((c) => !CLEAR_TEXT_ALLOWED.includes(c));
  assert.deepEqual(leaked, [], 'no AUTH, MAIL, RCPT or DATA before TLS');
}
