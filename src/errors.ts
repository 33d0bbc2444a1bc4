// The one registry of error codes. Every failure Mailroom reports to a person or stores on an
// email carries one of these codes. docs/errors.md lists exactly these codes (a test checks).

export interface ErrorSpec {
  readonly status: number;
  readonly retryable: boolean;
  readonly message: string;
  /** What is going on, for failures an administrator can act on. */
  readonly explanation?: string;
  /** What to do about it. */
  readonly fix?: string;
}

const spec = <T extends Record<string, ErrorSpec>>(specs: T) => specs;

export const ERRORS = spec({
  // ── requests and input ────────────────────────────────────────────────────────────────
  VALIDATION_FAILED: { status: 400, retryable: false, message: 'The request is not valid.' },
  INVALID_ADDRESS: {
    status: 400, retryable: false, message: 'An email address is not valid.',
    fix: 'Write the address as name@domain.example, one address per entry.',
  },
  NO_RECIPIENTS: {
    status: 400, retryable: false, message: 'The email has no recipient.',
    fix: 'Give at least one address in To, Cc or Bcc.',
  },
  HEADER_INJECTION: {
    status: 400, retryable: false, message: 'A header value contains a line break.',
    explanation: 'Line breaks in a subject, name or address could add headers of their own to the message.',
    fix: 'Remove the line breaks from the value.',
  },
  MESSAGE_TOO_LARGE: {
    status: 413, retryable: false, message: 'The email is larger than the attachment size limit.',
    explanation: 'The whole message, with its attachments encoded for sending, is bigger than the limit set on the Email parameters page, or than the mail server accepts.',
    fix: 'Send fewer or smaller attachments, or raise the attachment size limit if the mail server accepts bigger messages.',
  },
  UNKNOWN_PROVIDER: {
    status: 400, retryable: false, message: 'There is no email provider with this ID.',
    fix: 'Use one of: smtp, eml.',
  },
  PROVIDER_NOT_AVAILABLE: {
    status: 409, retryable: false, message: 'This email provider is not available in this installation yet.',
    explanation: 'Microsoft Graph and Exchange are known provider IDs, but Mailroom cannot send through them yet.',
    fix: 'Choose SMTP or the email app (.eml) instead.',
  },
  PROVIDER_CHOICE_REQUIRED: {
    status: 409, retryable: false, message: 'Choose how to send this email.',
    explanation: 'The user has no email provider set in their options, so each send asks which one to use.',
    fix: 'Pass a provider (smtp or eml), or set the Email provider ID in the user options.',
  },
  SMTP_NOT_CONFIGURED: {
    status: 409, retryable: false, message: 'No outgoing mail server is set.',
    fix: 'Enter the outgoing mail server on the SMTP settings tab of the Email parameters page.',
  },
  INVALID_PARAMETER: { status: 400, retryable: false, message: 'A parameter value is not valid.' },
  CONFIG_INVALID: {
    status: 500, retryable: false, message: 'The configuration is not valid.',
    fix: 'Correct the values named in the error and start again.',
  },
  NOT_FOUND: { status: 404, retryable: false, message: 'Not found.' },
  CONFLICT: { status: 409, retryable: false, message: 'The record already exists.' },
  NOT_RESENDABLE: {
    status: 409, retryable: false, message: 'Only failed or expired emails can be sent again.',
  },
  NOT_CANCELLABLE: {
    status: 409, retryable: false, message: 'Only emails that are still waiting can be cancelled.',
  },

  // ── access ───────────────────────────────────────────────────────────────────────────
  UNAUTHENTICATED: {
    status: 401, retryable: false, message: 'Sign in first.',
    fix: 'Send a valid token in the Authorization header (Bearer …), or sign in again.',
  },
  BAD_CREDENTIALS: { status: 401, retryable: false, message: 'The user name or password is wrong.' },
  FORBIDDEN: { status: 403, retryable: false, message: 'You may not do this.' },
  SEND_AS_DENIED: {
    status: 403, retryable: false, message: 'The sender may not send as this address.',
    explanation: 'Either Mailroom found no Send-As grant for this user and address, or the mail server refused to let the SMTP account send as this sender.',
    fix: 'Grant the user Send-As for the address on the Users page, and give the SMTP account Send As and Send On Behalf Of rights for it on the mail server. Using the sender\'s own account in the SMTP settings is the simplest way.',
  },

  // ── secrets ──────────────────────────────────────────────────────────────────────────
  SECRET_UNDECRYPTABLE: {
    status: 409, retryable: false, message: 'A stored secret cannot be decrypted with this environment\'s key.',
    explanation: 'Secrets such as the SMTP password are encrypted with a key that belongs to one environment. When the database is moved to another environment, that environment\'s key cannot read them.',
    fix: 'Clear the SMTP password on the SMTP settings tab of the Email parameters page and enter it again.',
  },

  // ── SMTP: the troubleshooting list ───────────────────────────────────────────────────
  SINGLE_LABEL_DOMAIN: {
    status: 502, retryable: false, message: 'The server does not accept recipients in single-label domains.',
    explanation: 'A recipient\'s domain has no suffix (for example "contoso" instead of "contoso.com"). Office 365 and many other servers refuse such domains.',
    fix: 'Use recipient addresses whose domain has a suffix such as .com, .net or .local.',
  },
  MAILBOX_FULL: {
    status: 502, retryable: false, message: 'A recipient\'s mailbox is full.',
    explanation: 'The receiving server refused the message because at least one recipient has no room left.',
    fix: 'Use another address for that recipient, or reach them some other way before sending again.',
  },
  AUTH_CRITERIA_NOT_MET: {
    status: 502, retryable: false, message: 'The server wants more than a user name and password to sign in.',
    explanation: 'The SMTP account has extra sign-in requirements, usually multifactor authentication, which SMTP basic authentication cannot satisfy.',
    fix: 'Change the SMTP account in Office 365 (or your mail system) so that it can sign in with a password alone, for example a dedicated account without MFA, then send again.',
  },
  SMTP_CLIENT_AUTH_DISABLED: {
    status: 502, retryable: false, message: 'SMTP client authentication is turned off for the mailbox.',
    explanation: 'The mail server does not allow the SMTP account to submit mail with a user name and password.',
    fix: 'Turn on authenticated SMTP (SMTP AUTH) for the account in Office 365 or your mail system, then send again.',
  },
  AUTH_NOT_SUPPORTED: {
    status: 502, retryable: false, message: 'The server offers no authentication, but a user name is set.',
    explanation: 'When a user name is set, Mailroom signs in before sending and never falls back to sending without signing in. This server does not support signing in at all.',
    fix: 'On the SMTP settings tab of the Email parameters page, clear the user name and password (and turn off Authentication required).',
  },
  AUTH_FAILED: {
    status: 502, retryable: false, message: 'The server did not accept the SMTP credentials.',
    explanation: 'The mail server says the client is not authenticated, or that the user name and password are wrong (5.7.57 and 535 replies).',
    fix: 'Check the user name and password on the SMTP settings tab; sign in to the account elsewhere to make sure they work.',
  },
  TLS_REQUIRED: {
    status: 502, retryable: false, message: 'SSL is required but the server offers no secure connection.',
    explanation: 'With SSL required, Mailroom never sends credentials or mail in clear. The server did not offer STARTTLS.',
    fix: 'Use the server\'s secure port (587 with STARTTLS or 465 with implicit TLS), or turn off SSL required only for an internal server you trust.',
  },
  TLS_FAILED: {
    status: 502, retryable: false, message: 'The secure connection to the server could not be set up.',
    explanation: 'The TLS handshake failed, most often because the server\'s certificate is not trusted or does not match its name.',
    fix: 'Check the server name and port. For an internal server with its own certificate, turn off certificate verification on the SMTP settings tab.',
  },
  CONNECTION_FAILED: {
    status: 502, retryable: true, message: 'Mailroom could not connect to the mail server.',
    fix: 'Check the outgoing mail server name and port, and that the server is running and reachable from Mailroom.',
  },
  CONNECTION_DROPPED: {
    status: 502, retryable: true, message: 'The mail server closed the connection before the email was accepted.',
    explanation: 'The email will be tried again until it is sent or expires.',
  },
  TIMEOUT: {
    status: 504, retryable: true, message: 'The mail server did not answer in time.',
    explanation: 'The email will be tried again until it is sent or expires.',
  },
  SMTP_TRANSIENT: {
    status: 502, retryable: true, message: 'The mail server refused the email for now.',
    explanation: 'The server answered with a temporary (4xx) error. Mailroom tries again later, until the email expires.',
  },
  SMTP_REJECTED: {
    status: 502, retryable: false, message: 'The mail server refused the email.',
    explanation: 'The server answered with a permanent (5xx) error; sending the same email again will fail the same way.',
    fix: 'Read the server\'s reply in the failure details, correct the cause, then resend.',
  },
  RECIPIENTS_REJECTED: {
    status: 502, retryable: false, message: 'The mail server refused every recipient.',
    fix: 'Check the recipient addresses; the per-recipient results show each server reply.',
  },

  // ── Microsoft Graph and Exchange (recognised now; those providers come later) ─────────
  MAILBOX_UNAUTHORIZED: {
    status: 502, retryable: false, message: 'Exchange refused the mailbox (401 Unauthorized or 403 Forbidden).',
    explanation: 'The sending mailbox does not exist as set up in Office 365, or lacks the permissions to send.',
    fix: 'Make sure the user in the Email sender column of the failed emails exists in Office 365 and has the needed permissions.',
  },
  MAILBOX_NOT_FOUND: {
    status: 502, retryable: false, message: 'Exchange has no mailbox for the sender (404 Not Found).',
    fix: 'Create a mailbox for the user in the Email sender column of the failed emails, or send as a user who has one.',
  },

  // ── email templates, workflow, statements ───────────────────────────────────────────
  TEMPLATE_PLACEHOLDER_UNKNOWN: {
    status: 400, retryable: false, message: 'The template uses a placeholder this kind of template does not offer.',
    explanation: 'Every kind of template (workflow notification, customer statement, general) fills a fixed set of %name% placeholders. A name outside that set would stay in the mail as typed, so Mailroom refuses to save it.',
    fix: 'Correct the spelling or pick a placeholder from the list for this kind of template; write %% for a percent sign that is not part of a placeholder.',
  },
  TEMPLATE_BLOCK_INVALID: {
    status: 400, retryable: false, message: 'A repeating block in the template is not well formed.',
    explanation: 'Line items repeat between <!--%tablebegin.name%--> and <!--%tableend.name%-->. A block that is not closed, closes another name, sits inside another block, appears in a subject, or names a table this kind of template does not offer cannot be filled.',
    fix: 'Pair each tablebegin with a tableend of the same name, one block at a time, in the HTML body only.',
  },
  TEMPLATE_LANGUAGE_MISSING: {
    status: 400, retryable: false, message: 'The template has no message in its default language.',
    explanation: 'When a recipient\'s language has no message of its own, the default language\'s message is sent, so that one must exist.',
    fix: 'Add a message (subject and body) for the default language, or choose a default language the template has.',
  },
  TEMPLATE_SENDER_INVALID: {
    status: 400, retryable: false, message: 'The template\'s sender email is missing or not valid.',
    explanation: 'Workflow notifications and other mail sent by the system go out from the Sender email of their template; without a valid address they cannot be sent.',
    fix: 'Enter a valid Sender email (name@domain.example) on the system or organization email template.',
  },
  WORKFLOW_TEMPLATE_MISSING: {
    status: 409, retryable: false, message: 'The workflow\'s email template does not exist where the workflow looks for it.',
    explanation: 'A system-level workflow takes its notification template from the system email templates; an organization-level workflow takes it from that organization\'s email templates. The template must be a workflow notification template.',
    fix: 'Create a workflow notification template with this Email ID in the right store, or choose another template on the workflow.',
  },
  WORKFLOW_NO_DEFINITION: {
    status: 409, retryable: false, message: 'No enabled workflow handles this kind of document.',
    fix: 'Create and enable a workflow for the document type, at system level or for the document\'s organization.',
  },
  WORKFLOW_NO_ASSIGNEE: {
    status: 409, retryable: false, message: 'An approval step found no user to assign its work item to.',
    explanation: 'The step assigns to a role without members or to users that no longer exist, so the workflow stopped with an error.',
    fix: 'Change the step\'s assignment in the workflow, then submit the document again.',
  },
  WORKFLOW_NOT_OWNER: {
    status: 403, retryable: false, message: 'This work item is assigned to someone else.',
  },
  WORKFLOW_ITEM_CLOSED: {
    status: 409, retryable: false, message: 'The work item is no longer waiting for an action.',
    explanation: 'It was already completed, delegated away, or cancelled because the step or the workflow ended.',
  },
  WORKFLOW_ACTION_INVALID: {
    status: 409, retryable: false, message: 'This action does not apply to this work item.',
    explanation: 'Approval work items are approved, rejected, sent back for a change or delegated; a change request to the originator is resubmitted.',
  },
  WORKFLOW_INSTANCE_CLOSED: {
    status: 409, retryable: false, message: 'The workflow has already ended.',
  },
  STATEMENT_NO_CONTACT: {
    status: 409, retryable: false, message: 'The customer has no contact for statements.',
    fix: 'Add a contact with the purpose Statements and an email address to the customer, or type the To address in the Send email dialog.',
  },

  // ── the queue ────────────────────────────────────────────────────────────────────────
  EXPIRED: {
    status: 410, retryable: false, message: 'The email was not sent before it expired.',
    explanation: 'Every try failed for a temporary reason until the email expiration period ran out.',
    fix: 'Look at the last error in the attempts, correct it, then resend the email.',
  },
  INTERNAL: { status: 500, retryable: true, message: 'Something went wrong inside Mailroom.' },
});

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export interface MailroomErrorOptions {
  readonly message?: string;
  readonly details?: unknown;
  /** The server's own words, kept verbatim. */
  readonly response?: string;
  /** The protocol command that failed (MAIL FROM, RCPT TO, DATA, AUTH…). */
  readonly command?: string;
  readonly cause?: unknown;
}

export class MailroomError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  readonly response?: string;
  readonly command?: string;

  constructor(code: ErrorCode, options: MailroomErrorOptions = {}) {
    super(options.message ?? ERRORS[code].message, { cause: options.cause });
    this.name = 'MailroomError';
    this.code = code;
    this.details = options.details;
    this.response = options.response;
    this.command = options.command;
  }

  get status(): number { return ERRORS[this.code].status; }
  get retryable(): boolean { return ERRORS[this.code].retryable; }
}

export function isMailroomError(err: unknown, code?: ErrorCode): err is MailroomError {
  return err instanceof MailroomError && (code === undefined || err.code === code);
}

/** The public face of a code: what an API answer or a history row shows. */
export function describeError(code: ErrorCode) {
  const { message, explanation, fix, retryable }: ErrorSpec = ERRORS[code];
  return { code, message, explanation, fix, retryable };
}
