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
  TOO_MANY_RECIPIENTS: {
    status: 400, retryable: false, message: 'The email has more recipients than the recipient limit.',
    explanation: 'To, Cc and Bcc together, each entry\'s comma-separated list counted address by address, are more than the Recipient limit on the Email parameters page (500 unless changed, as in Exchange Online).',
    fix: 'Send to fewer people at once (split the list over several emails, or use a distribution list the mail server expands), or raise the recipient limit if the mail server accepts more.',
  },
  SENDER_NAME_MISLEADING: {
    status: 400, retryable: false, message: 'The sender name shows an email address that is not the sender\'s.',
    explanation: 'Mail apps show the display name before the address, so a name such as "admin@example.com" makes the email look as if it came from that address.',
    fix: 'Use a sender name without an email address in it (the sender\'s own address is allowed), or the user\'s Name from the Users page.',
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
    fix: 'Use one of: smtp, graph, exchange, eml.',
  },
  PROVIDER_CHOICE_REQUIRED: {
    status: 409, retryable: false, message: 'Choose how to send this email.',
    explanation: 'The user has no email provider set in their options, so each send asks which one to use.',
    fix: 'Pass a provider (smtp, graph, exchange or eml), or set the Email provider ID in the user options.',
  },
  SMTP_NOT_CONFIGURED: {
    status: 409, retryable: false, message: 'No outgoing mail server is set.',
    fix: 'Enter the outgoing mail server on the SMTP settings tab of the Email parameters page.',
  },
  SMTP_AUTH_INCOMPLETE: {
    status: 409, retryable: false, message: 'Authentication is required, but no SMTP user name is set.',
    explanation: 'The SMTP settings say the server needs a sign-in, and give no user name to sign in with, so Mailroom does not connect.',
    fix: 'Enter the SMTP user name and password on the SMTP settings tab of the Email parameters page, or turn Authentication required off.',
  },
  INVALID_PARAMETER: { status: 400, retryable: false, message: 'A parameter value is not valid.' },
  CONFIG_INVALID: {
    status: 500, retryable: false, message: 'The configuration is not valid.',
    fix: 'Correct the values named in the error and start again.',
  },
  PORT_IN_USE: {
    status: 500, retryable: false, message: 'The port Mailroom should listen on is taken.',
    fix: 'Stop the program that holds the port, or pick another one: MAILROOM_PORT=8641 npm run demo (or serve --port 8641).',
  },
  PORT_UNAVAILABLE: {
    status: 500, retryable: false, message: 'Mailroom cannot listen on the configured address.',
    fix: 'Check MAILROOM_HOST (an address of this machine) and MAILROOM_PORT (1024 or above unless run with privileges).',
  },
  NOT_FOUND: { status: 404, retryable: false, message: 'Not found.' },
  CONFLICT: { status: 409, retryable: false, message: 'The record already exists.' },
  NOT_RESENDABLE: {
    status: 409, retryable: false, message: 'Only failed or expired emails can be sent again.',
  },
  NOT_RETRYABLE_NOW: {
    status: 409, retryable: false, message: 'Only an email that is waiting or deferred can be tried again now.',
    fix: 'A failed or expired email is sent again with Resend; a sent one needs nothing.',
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
  SIGN_IN_THROTTLED: {
    status: 429, retryable: true, message: 'Too many failed sign-ins; wait before trying again.',
    explanation: 'Mailroom counts failed sign-ins per user name and per client address; after too many in a short time it refuses further attempts for a while, even with the right password.',
    fix: 'Wait the number of seconds in details.retryAfterSeconds, then sign in again. An administrator can set a new password meanwhile.',
  },
  FORBIDDEN: { status: 403, retryable: false, message: 'You may not do this.' },
  SEND_AS_DENIED: {
    status: 403, retryable: false, message: 'The sender may not send as this address.',
    explanation: 'Either Mailroom found no Send-As grant for this user and address, or the mail server refused to let the SMTP account send as this sender.',
    fix: 'Grant the user Send-As for the address on the Users page, and give the SMTP account Send As and Send On Behalf Of rights for it on the mail server. Using the sender\'s own account in the SMTP settings is the simplest way.',
  },

  // ── secrets ──────────────────────────────────────────────────────────────────────────
  SECRET_UNDECRYPTABLE: {
    status: 409, retryable: false, message: 'A stored secret cannot be decrypted with this environment\'s key.',
    explanation: 'Secrets such as the SMTP password or the Graph Application secret are encrypted with a key that belongs to one environment. When the database is moved to another environment, that environment\'s key cannot read them.',
    fix: 'Clear the secret on its tab of the Email parameters page (the SMTP password, the Microsoft Graph Application secret or the Exchange password) and enter it again.',
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

  // ── Microsoft Graph and Exchange: the troubleshooting list, and the setup behind them ──
  MAILBOX_UNAUTHORIZED: {
    status: 502, retryable: false, message: 'Exchange refused the mailbox (401 Unauthorized or 403 Forbidden).',
    explanation: 'The sending mailbox is not valid or not set up correctly in Office 365 (or Exchange Server), or the account Mailroom signs in with may not send from it.',
    fix: 'Make sure the user named as the Email sender of the failed emails exists in Office 365 and has the permissions to send; filter Email history on Failed to find every such sender.',
  },
  MAILBOX_NOT_FOUND: {
    status: 502, retryable: false, message: 'Exchange has no mailbox for the sender (404 Not Found).',
    explanation: 'No mailbox exists in Exchange for the user account that sends.',
    fix: 'Make sure the user named as the Email sender of the failed emails exists in Office 365 with a mailbox and the permissions to send, or send as a user who has a valid Exchange mailbox.',
  },
  SERVICE_BUSY: {
    status: 503, retryable: true, message: 'The mail service asked Mailroom to slow down or is busy.',
    explanation: 'Microsoft Graph or Exchange answered 429 Too Many Requests, 503 Service Unavailable, 504 Gateway Timeout or ErrorServerBusy. Mailroom tries again no sooner than the service asked (Retry-After or BackOffMilliseconds), until the email expires.',
  },
  GRAPH_NOT_CONFIGURED: {
    status: 409, retryable: false, message: 'Microsoft Graph is not set up.',
    fix: 'Enter the tenant ID, Application ID and Application secret on the Microsoft Graph settings tab of the Email parameters page.',
  },
  GRAPH_SECRET_INVALID: {
    status: 502, retryable: false, message: 'Microsoft Entra ID refused the Application secret (invalid_client).',
    explanation: 'The secret is wrong, expired, or belongs to another app registration.',
    fix: 'Create a new client secret under Certificates & secrets of the app registration and enter its value (not its ID) as the Application secret.',
  },
  GRAPH_CONSENT_MISSING: {
    status: 502, retryable: false, message: 'The app has no admin consent for the Mail.Send application permission.',
    explanation: 'Entra ID issued no Mail.Send role to the app (AADSTS65001, or a token without the Mail.Send role), so Graph will refuse to send.',
    fix: 'In the app registration, under API permissions, add the Microsoft Graph application permission Mail.Send and select Grant admin consent.',
  },
  GRAPH_APP_NOT_FOUND: {
    status: 502, retryable: false, message: 'Entra ID does not know this tenant or Application ID.',
    explanation: 'The tenant (directory) ID or the Application (client) ID is wrong, or the app is registered in another tenant (AADSTS90002, AADSTS700016).',
    fix: 'Copy the Directory (tenant) ID and the Application (client) ID from the app registration\'s Overview page onto the Microsoft Graph settings tab.',
  },
  GRAPH_REJECTED: {
    status: 502, retryable: false, message: 'Microsoft Graph refused the email.',
    explanation: 'Graph answered with a 4xx error other than 401, 403, 404 and 429; sending the same email again fails the same way.',
    fix: 'Read Graph\'s error code and message in the failure details, correct the cause, then resend.',
  },
  EXCHANGE_NOT_CONFIGURED: {
    status: 409, retryable: false, message: 'The Exchange provider is not set up.',
    fix: 'Enter the EWS URL (or turn on Autodiscover) and the user name and password on the Exchange settings tab of the Email parameters page.',
  },
  EXCHANGE_AUTODISCOVER_FAILED: {
    status: 502, retryable: true, message: 'Autodiscover did not find an EWS URL for the address.',
    explanation: 'None of the Autodiscover endpoints for the mailbox\'s domain answered with an Exchange Web Services URL.',
    fix: 'Check the Autodiscover DNS records of the domain, or enter the EWS URL (https://mail.example.com/EWS/Exchange.asmx) on the Exchange settings tab.',
  },
  EXCHANGE_REJECTED: {
    status: 502, retryable: false, message: 'Exchange refused the email.',
    explanation: 'Exchange Web Services answered with an error response code; sending the same email again fails the same way.',
    fix: 'Read the response code and message in the failure details, correct the cause, then resend.',
  },

  // ── mailbox connections (server-side synchronization: IMAP, POP3 and the outgoing check) ──
  MAILBOX_UNREACHABLE: {
    status: 502, retryable: true, message: 'Mailroom could not connect to the mailbox\'s server.',
    explanation: 'The connection was refused or the server name could not be resolved. The check is tried again at the next retry.',
    fix: 'Check the incoming server location and port on the email server profile, and that the server is running and reachable from Mailroom.',
  },
  MAILBOX_TIMEOUT: {
    status: 504, retryable: true, message: 'The mailbox\'s server did not answer in time.',
    explanation: 'The connection opened but the server sent no greeting or answer within the time limit. It is tried again at the next retry.',
    fix: 'Check that the port belongs to the protocol (IMAP, POP3) and the SSL setting matches it (993 and 995 speak TLS from the first byte).',
  },
  MAILBOX_TLS_FAILED: {
    status: 502, retryable: false, message: 'The secure connection to the mailbox\'s server could not be set up.',
    explanation: 'The TLS handshake failed: most often the server\'s certificate is not signed by a trusted authority, has expired, or does not match the server name.',
    fix: 'Check the server name on the profile against the certificate. Install a certificate from a trusted authority on the server, or trust its authority in Mailroom; then test the mailbox again.',
  },
  MAILBOX_TLS_REQUIRED: {
    status: 502, retryable: false, message: 'SSL is required but the server offers no secure connection.',
    explanation: 'With SSL on, Mailroom never sends a password in clear text, and this server offered neither STARTTLS (IMAP) nor STLS (POP3).',
    fix: 'Use the server\'s secure port (993 for IMAP, 995 for POP3), turn TLS on at the server, or turn SSL off on the profile only for a server on a network you trust.',
  },
  MAILBOX_AUTH_FAILED: {
    status: 502, retryable: false, message: 'The mailbox\'s server did not accept the user name and password.',
    explanation: 'The server refused to sign in with the credentials of the mailbox (or of the profile, when it supplies them). Mailroom does not try again with the same password.',
    fix: 'Correct the user name and password on the mailbox (or the profile), check that the account may use IMAP or POP3, then test and enable the mailbox again.',
  },
  MAILBOX_SERVER_BUSY: {
    status: 503, retryable: true, message: 'The mailbox\'s server is busy or the mailbox is in use.',
    explanation: 'The server answered that it cannot serve the mailbox now (IMAP UNAVAILABLE or INUSE, POP3 IN-USE, too many connections). It is tried again at the next retry.',
    fix: 'Nothing, if it passes. If it stays, lower the maximum concurrent connections on the profile or close other clients that hold the mailbox.',
  },
  MAILBOX_FOLDER_MISSING: {
    status: 502, retryable: false, message: 'The folder does not exist in the mailbox.',
    explanation: 'The server says there is no such folder: the Inbox cannot be opened, or a folder tracking rule names a folder that was renamed or deleted.',
    fix: 'Check the mailbox on the server; correct or remove the folder tracking rule, then test the mailbox again.',
  },
  MAILBOX_CONNECTION_DROPPED: {
    status: 502, retryable: true, message: 'The mailbox\'s server closed the connection.',
    explanation: 'The connection was lost in the middle of a command. What was processed before stays processed; the next cycle carries on from the folder\'s cursor.',
    fix: 'Nothing, if it passes. If it repeats, look at the server\'s log for why it drops connections.',
  },
  MAILBOX_PROTOCOL_ERROR: {
    status: 502, retryable: true, message: 'The mailbox\'s server gave an answer Mailroom did not expect.',
    explanation: 'A command failed with a reply that is neither a sign-in failure nor a missing folder. The server\'s own words are kept with the error.',
    fix: 'Read the server\'s reply; check that the port is the one for the profile\'s protocol.',
  },
  MAILBOX_CHANNEL_UNSUPPORTED: {
    status: 409, retryable: false, message: 'This channel cannot be synchronized with this server type.',
    explanation: 'Appointments, contacts and tasks exist only on Exchange; IMAP and POP3 carry email alone.',
    fix: 'Set the appointments, contacts and tasks synchronization method to None for IMAP and POP3 mailboxes.',
  },
  MESSAGE_PARSE_FAILED: {
    status: 422, retryable: true, message: 'A message in the mailbox could not be parsed.',
    explanation: 'The message is not well-formed mail (no header fields, or a structure the parser cannot read). The failure is kept on that message; the rest of the mailbox keeps synchronizing, and the message is tried again on the next cycles before it is set aside as undeliverable.',
    fix: 'Open the message in a mail client to see what it holds; forward a readable copy to the mailbox if it matters.',
  },
  MAILBOX_UIDL_UNSUPPORTED: {
    status: 502, retryable: false, message: 'The POP3 server does not offer UIDL.',
    explanation: 'Without unique IDs for its messages (UIDL), Mailroom cannot tell which messages it has already processed, so it would track them twice.',
    fix: 'Turn on UIDL at the POP3 server, or use IMAP for this mailbox.',
  },

  // ── server-side synchronization: profiles, mailboxes, approval ─────────────────────────
  SERVER_TYPE_NOT_AVAILABLE: {
    status: 409, retryable: false, message: 'This email server type is not available yet.',
    explanation: 'Exchange Server, Exchange Server (Hybrid) and Exchange Online are known server types, but Mailroom cannot synchronize with them yet.',
    fix: 'Choose IMAP/SMTP or POP3/SMTP as the server type.',
  },
  MAILBOX_NO_PROFILE: {
    status: 409, retryable: false, message: 'The mailbox has no email server profile.',
    fix: 'Choose an email server profile for the mailbox, or set a default profile in Email settings.',
  },
  MAILBOX_CREDENTIALS_MISSING: {
    status: 409, retryable: false, message: 'No credentials are set for the mailbox.',
    explanation: 'The profile says the user or queue gives the credentials, but the mailbox has no user name or password, or does not allow the use of its credentials.',
    fix: 'Enter the user name and password on the mailbox and set Allow the use of credentials to yes, or let the profile hold the credentials.',
  },
  MAILBOX_NOT_APPROVED: {
    status: 409, retryable: false, message: 'The mailbox\'s email address is not approved.',
    explanation: 'Email settings process email only for approved mailboxes, so this mailbox is not synchronized and what would be sent through it waits.',
    fix: 'An administrator or a delegated mailbox approver approves the email address on the Mailboxes page (mailroom approve MAILBOX).',
  },
  MAILBOX_INCOMING_DISABLED: {
    status: 409, retryable: false, message: 'The mailbox\'s incoming channel is not enabled.',
    explanation: 'Incoming email is synchronized only for a mailbox whose incoming method is server-side synchronization and whose incoming channel passed Test and enable (a failure that does not go away disables it).',
    fix: 'Set incoming to server-side synchronization on the mailbox and run Test and enable (mailroom test-enable MAILBOX).',
  },
  MAILBOX_HELD: {
    status: 409, retryable: true, message: 'Another worker is synchronizing this mailbox right now.',
    explanation: 'A mailbox is synchronized by one worker at a time; another one holds its lease, usually to wait for new mail with IDLE, which lasts up to the polling interval. Synchronize now asks that worker for the cycle and waits for it; this answer means it did not run it in time (or the profile is at its maximum of concurrent connections).',
    fix: 'Nothing: that worker carries on from the same cursor and runs the cycle it was asked for within seconds (its counts and last success show on the mailbox\'s sync status, mailroom sync-status MAILBOX). A worker that stopped keeps the lease only until it runs out; then another worker takes the mailbox over.',
  },
  RECONCILIATION_PENDING: {
    status: 409, retryable: true, message: 'The reconciliation was asked of the worker that holds the mailbox and has not finished yet.',
    explanation: 'The mailbox is held by another worker (usually waiting for new mail with IDLE), so the reconciliation runs there, on that worker\'s connection, between its waits; it did not store a result within the time this request waits. A big mailbox takes longer to list.',
    fix: 'Nothing: the reconciliation runs (if that worker stopped, the next worker to take the mailbox runs it). Read its result on the mailbox\'s sync status (mailroom sync-status MAILBOX, GET /api/mailboxes/{id}/sync-status, or the Sync status panel), by its reconciled time.',
  },
  RECONCILIATION_GAP: {
    status: 409, retryable: false, message: 'Messages on the server were never processed.',
    explanation: 'Reconciliation compared what the mailbox\'s folders hold with what Mailroom processed and found messages that were neither tracked, skipped with a reason, failing, set aside, nor waiting after the cursor.',
    fix: 'Read the listed messages (UID and Message-ID) on the mailbox\'s sync status; set Process email from earlier or track them by hand, and report the gap: it should never happen.',
  },
  MAILBOX_OUTGOING_OFF: {
    status: 409, retryable: false, message: 'The mailbox does not send email by server-side synchronization.',
    explanation: 'Its outgoing email method is None, so email activities written in the application cannot go out through it; they wait as Pending send.',
    fix: 'Set the mailbox\'s outgoing method to server-side synchronization (mailroom mailboxes set M --outgoing sss), then test and enable it.',
  },
  MAILBOX_OUTGOING_NOT_ENABLED: {
    status: 409, retryable: false, message: 'The mailbox is not enabled for outgoing email.',
    explanation: 'The outgoing channel has not passed Test and enable since its settings last changed, so email activities wait as Pending send.',
    fix: 'Run Test and enable on the mailbox (mailroom test-enable MAILBOX); what waits goes out once the outgoing channel passes.',
  },
  MAILBOX_OUTGOING_FAILING: {
    status: 409, retryable: false, message: 'The mailbox\'s outgoing channel is failing.',
    explanation: 'A send or a test through the mailbox\'s SMTP server failed in a way retrying does not fix (a wrong password, a refused certificate), so the outgoing channel was disabled and email activities wait as Pending send.',
    fix: 'Correct what the mailbox\'s alerts name (its password, the profile\'s server), then run Test and enable; what waits goes out once the outgoing channel passes.',
  },
  MAILBOX_GONE: {
    status: 410, retryable: false, message: 'The mailbox that was to send this email no longer exists.',
    explanation: 'The user or queue of the mailbox was deleted after the email activity was queued.',
    fix: 'Write the email activity again from a mailbox that exists.',
  },
  SENT_FOLDER_APPEND_FAILED: {
    status: 502, retryable: false, message: 'The sent email could not be put in the mailbox\'s Sent folder.',
    explanation: 'The email went out; only the copy in the Sent folder over IMAP failed, so the user\'s mail client does not show it there. It is never sent again for this.',
    fix: 'Check that the mailbox has a folder with the \\Sent attribute or named Sent, and that its IMAP credentials work (Test and enable).',
  },
  ACTIVITY_NOT_SENDABLE: {
    status: 409, retryable: false, message: 'This email activity cannot be sent, resent or canceled in its state.',
    explanation: 'Only an outgoing Draft is sent; only a Failed one is sent again; only a Pending send one is canceled.',
    fix: 'Look at the activity\'s status reason; write a new email activity if this one is already sent.',
  },
  APPROVER_ROLE_FOR_QUEUE: {
    status: 400, retryable: false, message: 'The delegated mailbox approver role cannot be given to a queue.',
    fix: 'Give the role to a user.',
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
  WORKFLOW_SUBMITTER_APPROVAL: {
    status: 403, retryable: false, message: 'You submitted this document, so you may not approve it.',
    explanation: 'The workflow parameter "Disallow approval by submitter" is on (the default): a work item assigned to the user who submitted the document cannot be approved by them.',
    fix: 'Delegate the work item to another approver, or reject it. An administrator can turn the parameter off (PATCH /api/workflow/parameters).',
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
    status: 409, retryable: false, message: 'The account has no contact for statements.',
    fix: 'Add an active contact with the purpose Statements and an email address to the account, or type the To address in the Send email dialog.',
  },

  // ── crm records and email activities ─────────────────────────────────────────────────
  ATTACHMENT_TOO_LARGE: {
    status: 413, retryable: false, message: 'An attachment is larger than the maximum attachment size.',
    explanation: 'Email settings set the maximum size of one attachment of an email activity (5,120 KB unless changed, at most 131,072 KB). An attachment someone adds is refused; one that arrives in synchronized mail is kept by name and size only, and the activity says so.',
    fix: 'Attach a smaller file, or raise the maximum attachment size in Email settings.',
  },
  ACTIVITY_NOT_DRAFT: {
    status: 409, retryable: false, message: 'Only a draft email activity can have its text or recipients changed.',
    explanation: 'A received or sent email is a record of what was said; its regarding record and owner can still change.',
  },

  // ── the queue ────────────────────────────────────────────────────────────────────────
  EXPIRED: {
    status: 410, retryable: false, message: 'The email was not sent before it expired.',
    explanation: 'Every try failed for a temporary reason until the email expiration period ran out.',
    fix: 'Look at the last error in the attempts, correct it, then resend the email.',
  },
  // ── the database ─────────────────────────────────────────────────────────────────────
  DATABASE_UNAVAILABLE: {
    status: 503, retryable: true, message: 'The database cannot be reached right now.',
    explanation: 'PostgreSQL is restarting, failing over, or the network to it is down (or the embedded database file cannot be read). Mailroom keeps running and tries again by itself; nothing half-written was kept.',
    fix: 'Wait and try again (the answer says after how many seconds). If it lasts, check that the database server is running and reachable at DATABASE_URL.',
  },
  DATABASE_BUSY: {
    status: 503, retryable: true, message: 'The database is busy; try again in a moment.',
    explanation: 'The embedded SQLite file stayed locked by another process longer than Mailroom waits (5 seconds), or PostgreSQL ended a transaction in a deadlock. Nothing of the request was written.',
    fix: 'Try again. If it lasts, find the other program that holds the SQLite file open (a backup or a database browser) and close it.',
  },
  DATABASE_FULL: {
    status: 503, retryable: true, message: 'The database has no room left.',
    explanation: 'The disk that holds the database is full, so Mailroom could not write. Nothing of the request was written; the distributor tries again by itself.',
    fix: 'Free disk space where the data folder (MAILROOM_DATA_DIR) or the database lives, or shorten the history retention on the Email parameters page.',
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
  /** The server asked for no new try before this many milliseconds (Retry-After, BackOffMilliseconds). */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

export class MailroomError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  readonly response?: string;
  readonly command?: string;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, options: MailroomErrorOptions = {}) {
    super(options.message ?? ERRORS[code].message, { cause: options.cause });
    this.name = 'MailroomError';
    this.code = code;
    this.details = options.details;
    this.response = options.response;
    this.command = options.command;
    this.retryAfterMs = options.retryAfterMs;
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
