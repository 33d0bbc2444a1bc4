// The connection checks of Test connection / Test and enable, against a real Dovecot (IMAP with
// STARTTLS, POP3 with STLS) and a real SMTP server: each step with the server's words, and every
// failure mapped to its code (transient or permanent).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConnectorConfig, ConnectorType, ServerEndpoint } from '../../../src/sync/connectors/connector.ts';
import { createConnector } from '../../../src/sync/connectors/create-connector.ts';
import { DOVECOT_CA, refusedPort, skipUnlessDovecot, startDovecot, startSilentServer, type RunningDovecot } from '../../fixtures/dovecot.ts';
import { startSmtpServer, type RunningSmtpServer } from '../../fixtures/smtp-server.ts';

const skip = skipUnlessDovecot();

describe('mailbox connection checks', { skip }, () => {
  let dovecot: RunningDovecot;
  let plainDovecot: RunningDovecot;
  let smtp: RunningSmtpServer;
  let silent: Awaited<ReturnType<typeof startSilentServer>>;

  before(async () => {
    dovecot = await startDovecot();
    plainDovecot = await startDovecot({ tls: false });
    smtp = await startSmtpServer({ tls: 'starttls', auth: { user: 'sender@example.test', pass: 'smtp-secret' } });
    silent = await startSilentServer();
  });
  after(async () => {
    await Promise.all([dovecot.stop(), plainDovecot.stop(), smtp.close(), silent.close()]);
  });

  const portOf = (type: ConnectorType, server = dovecot) => (type === 'imap' ? server.imapPort : server.pop3Port);
  function config(type: ConnectorType, incoming: Partial<ServerEndpoint> & { username: string; password: string }, rest: Partial<ConnectorConfig> = {}): ConnectorConfig {
    return { type, incoming: { host: '127.0.0.1', port: portOf(type), ssl: true, ca: DOVECOT_CA, ...incoming }, timeoutMs: 8000, ...rest };
  }

  for (const type of ['imap', 'pop3'] as const) {
    describe(type, () => {
      it('succeeds step by step: connect (the greeting), TLS, authenticate, open the inbox', async () => {
        const user = dovecot.addUser();
        await dovecot.deliver(user, ['From: a@example.test\r\nSubject: one\r\n\r\nbody\r\n']);
        const connector = createConnector(config(type, user));
        const report = await connector.test('incoming');
        assert.equal(report.ok, true, JSON.stringify(report));
        assert.deepEqual(report.steps.map((s) => [s.step, s.ok]), [['connect', true], ['tls', true], ['authenticate', true], ['open-inbox', true]]);
        assert.match(report.steps[0]!.detail, /Dovecot/);
        assert.match(report.steps[1]!.detail, /^TLS/);
        assert.match(report.steps[3]!.detail, /1 messages/);
        await connector.close();
        assert.equal(await dovecot.connections(user.username), 0);
      });

      it('a wrong password fails at authenticate, permanently, with the server\'s words', async () => {
        const user = dovecot.addUser();
        const report = await createConnector(config(type, { ...user, password: 'wrong' })).test('incoming');
        assert.equal(report.ok, false);
        assert.equal(report.failure?.code, 'MAILBOX_AUTH_FAILED');
        assert.equal(report.failure?.transient, false);
        assert.deepEqual(report.steps.map((s) => [s.step, s.ok]), [['connect', true], ['tls', true], ['authenticate', false]]);
        assert.match(report.steps[2]!.detail, /auth/i);
      });

      it('a refused port fails at connect, transiently', async () => {
        const user = dovecot.addUser();
        const report = await createConnector(config(type, { ...user, port: await refusedPort() })).test('incoming');
        assert.equal(report.failure?.code, 'MAILBOX_UNREACHABLE');
        assert.equal(report.failure?.transient, true);
        assert.deepEqual(report.steps.map((s) => [s.step, s.ok]), [['connect', false]]);
      });

      it('a server that accepts and never answers times out, transiently', async () => {
        const user = dovecot.addUser();
        const report = await createConnector(config(type, { ...user, port: silent.port }, { timeoutMs: 1000 })).test('incoming');
        assert.equal(report.failure?.code, 'MAILBOX_TIMEOUT');
        assert.equal(report.failure?.transient, true);
        assert.equal(report.steps.at(-1)?.step, 'connect');
      });

      it('a certificate that does not verify fails at TLS, permanently, before any password is sent', async () => {
        const user = dovecot.addUser();
        const report = await createConnector(config(type, { ...user, ca: undefined })).test('incoming');
        assert.equal(report.failure?.code, 'MAILBOX_TLS_FAILED');
        assert.equal(report.failure?.transient, false);
        assert.deepEqual(report.steps.map((s) => [s.step, s.ok]), [['connect', true], ['tls', false]]);
        assert.match(report.steps[1]!.detail, /certificate/i);
        assert.doesNotMatch(dovecot.log(), new RegExp(`${user.username}.*(auth failed|Login)`));
      });

      it('SSL required on a server without STARTTLS/STLS is refused before signing in', async () => {
        const user = plainDovecot.addUser();
        const report = await createConnector(config(type, { ...user, port: portOf(type, plainDovecot) })).test('incoming');
        assert.equal(report.failure?.code, 'MAILBOX_TLS_REQUIRED');
        assert.equal(report.steps.at(-1)?.step, 'tls');
      });

      it('SSL off signs in over plain text', async () => {
        const user = plainDovecot.addUser();
        const report = await createConnector(config(type, { ...user, port: portOf(type, plainDovecot), ssl: false })).test('incoming');
        assert.equal(report.ok, true, JSON.stringify(report));
        assert.match(report.steps[1]!.detail, /SSL is off/);
      });

      it('appointments, contacts and tasks are refused with the reason', async () => {
        const report = await createConnector(config(type, dovecot.addUser())).test('act');
        assert.equal(report.failure?.code, 'MAILBOX_CHANNEL_UNSUPPORTED');
      });
    });
  }

  describe('the outgoing channel (SMTP, nodemailer verify)', () => {
    const outgoing = (over: Partial<ServerEndpoint> = {}): ServerEndpoint => ({
      host: '127.0.0.1', port: smtp.port, ssl: true, ca: DOVECOT_CA, username: 'sender@example.test', password: 'smtp-secret', ...over,
    });
    it('succeeds with STARTTLS and the right password', async () => {
      const report = await createConnector(config('imap', dovecot.addUser(), { outgoing: outgoing() })).test('outgoing');
      assert.equal(report.ok, true, JSON.stringify(report));
      assert.deepEqual(report.steps.map((s) => s.step), ['connect', 'tls', 'authenticate']);
    });
    it('a wrong password fails at authenticate with the SMTP code', async () => {
      const report = await createConnector(config('pop3', dovecot.addUser(), { outgoing: outgoing({ password: 'nope' }) })).test('outgoing');
      assert.equal(report.failure?.code, 'AUTH_FAILED');
      assert.equal(report.steps.at(-1)?.step, 'authenticate');
      assert.match(report.steps.at(-1)!.detail, /535/);
    });
    it('an untrusted certificate fails at TLS', async () => {
      const report = await createConnector(config('imap', dovecot.addUser(), { outgoing: outgoing({ ca: undefined }) })).test('outgoing');
      assert.equal(report.failure?.code, 'TLS_FAILED');
      assert.equal(report.steps.at(-1)?.step, 'tls');
    });
    it('a server that offers no sign-in fails at authenticate when a user name is set, as every send would', async () => {
      const open = await startSmtpServer({ tls: 'starttls' });
      try {
        const report = await createConnector(config('imap', dovecot.addUser(), { outgoing: outgoing({ port: open.port }) })).test('outgoing');
        assert.equal(report.failure?.code, 'AUTH_NOT_SUPPORTED', JSON.stringify(report));
        assert.equal(report.steps.at(-1)?.step, 'authenticate');
      } finally {
        await open.close();
      }
    });
  });
});
