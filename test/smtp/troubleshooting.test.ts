// Seed 001's "Specific SMTP email issues", one by one: a real SMTP server answers the way Office 365
// or Postfix does, and the failed email carries the code, the server's own reply, and what to do.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { openContext, type AppContext } from '../../src/app-context.ts';
import type { ErrorCode } from '../../src/errors.ts';
import type { ParametersChange } from '../../src/outbound/email-parameters.ts';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { cancelEmail, queueEmail, sendTestEmail } from '../../src/outbound/outbound.service.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { pointSmtpAt } from '../fixtures/mailroom.ts';
import type { SmtpServerOptions } from '../fixtures/smtp-server.ts';
import { openHarness, type SmtpHarness } from './smtp-harness.ts';

const ACCOUNT = { user: 'mailer@contoso.test', pass: 'right-password' };
const SIGN_IN = { username: ACCOUNT.user, password: ACCOUNT.pass };
const O365_TAG = '[PR3P191CA0012.EURP191.PROD.OUTLOOK.COM 2026-11-23T09:00:00.000Z 08DE2A1B2C3D4E5F]';
const hasNoDot = (address: string) => !address.split('@')[1]!.includes('.');

interface TroubleCase {
  readonly title: string;
  readonly code: ErrorCode;
  readonly server: SmtpServerOptions;
  readonly smtp?: ParametersChange['smtp'];
  readonly to?: string;
  /** The reply the failure must keep, word for word, and the command it answered. */
  readonly reply: string;
  readonly command: string;
}

const CASES: readonly TroubleCase[] = [
  {
    title: 'single-label recipient domain, Office 365', code: 'SINGLE_LABEL_DOMAIN', to: 'bob@contoso', command: 'RCPT TO',
    server: { onRcpt: (a) => (hasNoDot(a) ? { code: 550, text: '5.1.6 Recipient addresses in single-label domains not accepted' } : undefined) },
    reply: '550 5.1.6 Recipient addresses in single-label domains not accepted',
  },
  {
    title: 'single-label recipient domain, Postfix reject_non_fqdn_recipient', code: 'SINGLE_LABEL_DOMAIN', to: 'bob@contoso', command: 'RCPT TO',
    server: { onRcpt: (a) => (hasNoDot(a) ? { code: 504, text: `5.5.2 <${a}>: Recipient address rejected: need fully-qualified address` } : undefined) },
    reply: '504 5.5.2 <bob@contoso>: Recipient address rejected: need fully-qualified address',
  },
  {
    title: 'mailbox full, Office 365 after DATA', code: 'MAILBOX_FULL', command: 'DATA',
    server: { onData: () => ({ code: 554, text: '5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception' }) },
    reply: '554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception',
  },
  {
    title: 'mailbox full, Dovecot quota at RCPT', code: 'MAILBOX_FULL', command: 'RCPT TO',
    server: { onRcpt: (a) => ({ code: 552, text: `5.2.2 <${a}>: Quota exceeded (mailbox for user is full)` }) },
    reply: '552 5.2.2 <bob@fabrikam.test>: Quota exceeded (mailbox for user is full)',
  },
  {
    title: 'sign-in did not meet the criteria (MFA)', code: 'AUTH_CRITERIA_NOT_MET', smtp: SIGN_IN, command: 'AUTH PLAIN',
    server: { auth: ACCOUNT, authReply: { code: 535, text: `5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator. ${O365_TAG}` } },
    reply: `535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator. ${O365_TAG}`,
  },
  {
    title: 'sign-in blocked by security defaults (MFA)', code: 'AUTH_CRITERIA_NOT_MET', smtp: SIGN_IN, command: 'AUTH PLAIN',
    server: { auth: ACCOUNT, authReply: { code: 535, text: `5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator. ${O365_TAG}` } },
    reply: `535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator. ${O365_TAG}`,
  },
  {
    title: 'SmtpClientAuthentication is disabled for the mailbox', code: 'SMTP_CLIENT_AUTH_DISABLED', smtp: SIGN_IN, command: 'AUTH PLAIN',
    server: { auth: ACCOUNT, authReply: { code: 535, text: `5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information. ${O365_TAG}` } },
    reply: `535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information. ${O365_TAG}`,
  },
  {
    title: 'basic authentication is disabled for the tenant', code: 'SMTP_CLIENT_AUTH_DISABLED', smtp: SIGN_IN, command: 'AUTH PLAIN',
    server: { auth: ACCOUNT, authReply: { code: 535, text: `5.7.139 Authentication unsuccessful, basic authentication is disabled. ${O365_TAG}` } },
    reply: `535 5.7.139 Authentication unsuccessful, basic authentication is disabled. ${O365_TAG}`,
  },
  {
    title: 'user name set, server offers no AUTH (smtp-server)', code: 'AUTH_NOT_SUPPORTED', smtp: SIGN_IN, command: 'AUTH PLAIN',
    server: { auth: false },
    reply: '500 Error: command not recognized',
  },
  {
    title: 'user name set, server offers no AUTH (Exchange wording)', code: 'AUTH_NOT_SUPPORTED', smtp: SIGN_IN, command: 'AUTH PLAIN',
    server: { auth: ACCOUNT, authReply: { code: 504, text: '5.7.4 Unrecognized authentication type [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]' } },
    reply: '504 5.7.4 Unrecognized authentication type [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]',
  },
  {
    title: '5.7.57 client not authenticated, Office 365', code: 'AUTH_FAILED', command: 'MAIL FROM',
    server: { auth: false, onMailFrom: () => ({ code: 530, text: `5.7.57 Client not authenticated to send mail. ${O365_TAG}` }) },
    reply: `530 5.7.57 Client not authenticated to send mail. ${O365_TAG}`,
  },
  {
    title: 'authentication required, no user name set', code: 'AUTH_FAILED', command: 'MAIL FROM',
    server: { auth: ACCOUNT },
    reply: '530 Error: authentication Required',
  },
  {
    title: 'wrong password, Postfix 5.7.8', code: 'AUTH_FAILED', smtp: { ...SIGN_IN, password: 'wrong-password' }, command: 'AUTH PLAIN',
    server: { auth: ACCOUNT },
    reply: '535 5.7.8 Error: authentication failed: bad credentials',
  },
  {
    title: 'wrong password, Office 365 5.7.3', code: 'AUTH_FAILED', smtp: SIGN_IN, command: 'AUTH PLAIN',
    server: { auth: ACCOUNT, authReply: { code: 535, text: `5.7.3 Authentication unsuccessful ${O365_TAG}` } },
    reply: `535 5.7.3 Authentication unsuccessful ${O365_TAG}`,
  },
  {
    title: 'no permission to send as this sender, at MAIL FROM', code: 'SEND_AS_DENIED', command: 'MAIL FROM',
    server: { onMailFrom: () => ({ code: 550, text: '5.7.60 SMTP; Client does not have permissions to send as this sender' }) },
    reply: '550 5.7.60 SMTP; Client does not have permissions to send as this sender',
  },
  {
    title: 'no permission to send as this sender, after DATA', code: 'SEND_AS_DENIED', command: 'DATA',
    server: { onData: () => ({ code: 554, text: '5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception' }) },
    reply: '554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception',
  },
];

type EmailDetails = Awaited<ReturnType<SmtpHarness['view']>>;

function assertTroubleshot(view: EmailDetails, expected: { code: ErrorCode; reply?: string; command?: string | null }) {
  assert.equal(view.status, 'failed');
  assert.equal(view.attempts, 1);
  assert.deepEqual(view.attemptLog.map((a) => [a.outcome, a.code]), [['failed', expected.code]]);
  const failure = view.failure;
  assert.ok(failure, 'a failed email has failure details');
  assert.equal(failure.code, expected.code);
  assert.equal(failure.retryable, false);
  if (expected.reply !== undefined) {
    assert.equal(failure.response, expected.reply);
    assert.equal(view.attemptLog[0]!.response, expected.reply);
  }
  if (expected.command !== undefined) assert.equal(failure.command, expected.command);
  assert.ok(failure.explanation, `${expected.code} explains itself`);
  assert.ok(failure.fix, `${expected.code} says what to do`);
}

for (const dialect of DIALECTS) {
  describe(`SMTP troubleshooting on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: SmtpHarness;
    before(async () => { h = await openHarness(dialect); });
    after(async () => { await h.close(); });

    for (const c of CASES) {
      it(`${c.title} → ${c.code}, in the batch and as a test email`, async () => {
        const server = await h.server(c.server);
        await h.point(server, c.smtp);
        const to = c.to ?? 'bob@fabrikam.test';

        const { email } = await queueEmail(h.env.ctx, h.alice, { to, subject: c.title, body: 'Statement attached.' });
        const run = await runDistributorPass(h.env.ctx, h.providers);
        assert.equal(run.failed, 1);
        assertTroubleshot(await h.view(email.id), c);
        // A permanent failure is final: later passes leave it alone.
        h.clock.advance(3 * 3600_000);
        assert.equal((await runDistributorPass(h.env.ctx, h.providers)).claimed, 0);
        assert.equal((await h.view(email.id)).attempts, 1);

        const test = await sendTestEmail(h.env.ctx, h.providers, h.admin, to);
        assertTroubleshot(await h.view(test.id), c);

        assert.equal(server.mails.length, 0);
        if (c.command.startsWith('AUTH')) assert.ok(!server.commands.includes('MAIL'), 'nothing is sent without signing in');
      });
    }

    it('a full mailbox reported as temporary (452 4.2.2) is retried, not failed', async () => {
      const server = await h.server({ onRcpt: () => ({ code: 452, text: '4.2.2 Mailbox full' }) });
      await h.point(server);
      const { email } = await queueEmail(h.env.ctx, h.alice, { to: 'bob@fabrikam.test', subject: 'Quota', body: 'x' });
      await runDistributorPass(h.env.ctx, h.providers);
      const view = await h.view(email.id);
      assert.equal(view.status, 'waiting');
      assert.equal(view.failure?.code, 'SMTP_TRANSIENT');
      assert.equal(view.failure?.response, '452 4.2.2 Mailbox full');
      await cancelEmail(h.env.ctx, h.admin, email.id);
    });

    it('a password sealed with another environment\'s key fails with SECRET_UNDECRYPTABLE and sends nothing, until it is entered again', async () => {
      const server = await h.server({ auth: ACCOUNT });
      await h.point(server, SIGN_IN);
      await withOtherEnvironment(h, (other) => pointSmtpAt(other, server, SIGN_IN));

      const { email } = await queueEmail(h.env.ctx, h.alice, { to: 'bob@fabrikam.test', subject: 'Moved database', body: 'x' });
      await runDistributorPass(h.env.ctx, h.providers);
      assertTroubleshot(await h.view(email.id), { code: 'SECRET_UNDECRYPTABLE', command: null });
      const test = await sendTestEmail(h.env.ctx, h.providers, h.admin, 'bob@fabrikam.test');
      assertTroubleshot(await h.view(test.id), { code: 'SECRET_UNDECRYPTABLE', command: null });
      assert.deepEqual(server.commands, [], 'Mailroom did not even connect');

      // The fix: clear the password and enter it again, in this environment.
      await h.point(server, { ...SIGN_IN, password: null });
      await h.point(server, SIGN_IN);
      const again = await sendTestEmail(h.env.ctx, h.providers, h.admin, 'bob@fabrikam.test');
      assert.equal(again.status, 'sent');
      assert.equal(server.mails.length, 1);
      assert.equal(server.mails[0]!.user, ACCOUNT.user);
    });
  });
}

/** The same database opened by another environment, with a key of its own. */
async function withOtherEnvironment(h: SmtpHarness, fn: (ctx: AppContext) => Promise<unknown>) {
  const other = await openContext({ ...h.env.config, secretKey: randomBytes(32).toString('base64') }, { clock: h.clock });
  try {
    await fn(other);
  } finally {
    await other.close();
  }
}
