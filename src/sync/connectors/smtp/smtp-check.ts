// The outgoing channel's connection check: nodemailer's verify() against the profile's SMTP server
// (connect, TLS, sign in), failures mapped by the SMTP provider's own classifier.
import nodemailer from 'nodemailer';
import { ERRORS, type ErrorCode } from '../../../errors.ts';
import { toSmtpError } from '../../../providers/smtp/smtp-errors.ts';
import type { ConnectionTestReport, ServerEndpoint, TestStep, TestStepName } from '../connector.ts';
import { DEFAULT_TIMEOUT_MS, tlsOptions, usesImplicitTls } from '../tls-options.ts';

function stepOfSmtp(code: ErrorCode): TestStepName {
  if (code === 'TLS_FAILED' || code === 'TLS_REQUIRED') return 'tls';
  if (code.startsWith('AUTH_') || code === 'SMTP_CLIENT_AUTH_DISABLED' || code === 'SMTP_TRANSIENT' || code === 'SMTP_REJECTED') return 'authenticate';
  return 'connect';
}

const ORDER: readonly TestStepName[] = ['connect', 'tls', 'authenticate'];

export async function checkSmtp(endpoint: ServerEndpoint | undefined, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ConnectionTestReport> {
  if (!endpoint) {
    return { channel: 'outgoing', ok: false, steps: [], failure: { code: 'SMTP_NOT_CONFIGURED', transient: false, message: 'The profile has no outgoing server.' } };
  }
  const implicit = usesImplicitTls(endpoint);
  const transport = nodemailer.createTransport({
    host: endpoint.host, port: endpoint.port, secure: implicit,
    requireTLS: endpoint.ssl && !implicit, ignoreTLS: !endpoint.ssl,
    auth: endpoint.username ? { user: endpoint.username, pass: endpoint.password } : undefined,
    // As the mailbox's sends do: with a user name, signing in is part of the check, so a server
    // that offers no AUTH fails here instead of passing and failing every send afterwards.
    forceAuth: Boolean(endpoint.username),
    tls: tlsOptions(endpoint),
    connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs,
  });
  const passed: Record<TestStepName, string> = {
    connect: `Connected to ${endpoint.host}:${endpoint.port}`,
    tls: endpoint.ssl ? (implicit ? 'TLS from the first byte' : 'STARTTLS') : 'Not used: SSL is off',
    authenticate: endpoint.username ? `Signed in as ${endpoint.username}` : 'No sign-in: no user name is set',
    'open-inbox': '',
  };
  try {
    await transport.verify();
    return { channel: 'outgoing', ok: true, steps: ORDER.map((step) => ({ step, ok: true, detail: passed[step] })) };
  } catch (err) {
    const error = toSmtpError(err);
    const failed = stepOfSmtp(error.code);
    const steps: TestStep[] = ORDER.slice(0, ORDER.indexOf(failed)).map((step) => ({ step, ok: true, detail: passed[step] }));
    steps.push({ step: failed, ok: false, detail: error.response ?? error.message });
    return {
      channel: 'outgoing', ok: false, steps,
      failure: { code: error.code, transient: ERRORS[error.code].retryable, message: error.message, response: error.response },
    };
  } finally {
    transport.close();
  }
}
