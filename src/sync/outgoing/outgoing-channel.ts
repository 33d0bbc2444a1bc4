// A mailbox's outgoing channel as the email distributor uses it: whether the mailbox may send now
// (approved as Email settings require, outgoing by server-side synchronization, tested and
// enabled), and the SMTP settings of its profile's outgoing server with the credentials the
// profile says (the mailbox's or its own). Emails of a mailbox that may not send yet wait.
import type { AppContext } from '../../app-context.ts';
import { isMailroomError, MailroomError, type ErrorCode } from '../../errors.ts';
import type { SmtpSettings } from '../../providers/smtp/smtp-settings.ts';
import { approvalAllows } from '../approval.service.ts';
import { credentialsFor, type MailboxRow } from '../mailboxes.service.ts';
import { findProfileRow, type ProfileRow } from '../server-profiles.service.ts';

/** How long a waiting email stays put before the mailbox is looked at again (approving or enabling it wakes them sooner). */
export const HOLD_RECHECK_MS = 5 * 60_000;

export type OutgoingChannel =
  | { readonly kind: 'ready'; readonly mailbox: MailboxRow; readonly profile: ProfileRow; readonly settings: SmtpSettings }
  | { readonly kind: 'wait'; readonly code: ErrorCode; readonly message: string };

const wait = (code: ErrorCode, message: string): OutgoingChannel => ({ kind: 'wait', code, message });

/** Throws MAILBOX_GONE when the mailbox no longer exists: its emails fail rather than wait forever. */
export async function outgoingChannel(ctx: AppContext, mailboxId: string): Promise<OutgoingChannel> {
  const mailbox = await ctx.db.selectFrom('mailbox').selectAll().where('id', '=', mailboxId).executeTakeFirst();
  if (!mailbox) throw new MailroomError('MAILBOX_GONE', { message: `The mailbox ${mailboxId} that was to send this email no longer exists.` });
  const who = mailbox.email;
  if (!(await approvalAllows(ctx, mailbox))) {
    return wait('MAILBOX_NOT_APPROVED', `The mailbox ${who} is not approved (its email address is ${mailbox.approval === 'rejected' ? 'rejected' : 'pending approval'}); the email is sent once it is approved.`);
  }
  if (mailbox.outgoing_method !== 'sss') return wait('MAILBOX_OUTGOING_OFF', `The mailbox ${who} does not send email by server-side synchronization (outgoing: none).`);
  if (!mailbox.profile_id) return wait('MAILBOX_NO_PROFILE', `The mailbox ${who} has no email server profile.`);
  if (mailbox.outgoing_enabled !== 1) {
    if (mailbox.outgoing_status === 'failure') {
      const last = mailbox.last_error_channel === 'outgoing' && mailbox.last_error_code ? ` (${mailbox.last_error_code}: ${mailbox.last_error_response ?? ''})` : '';
      return wait('MAILBOX_OUTGOING_FAILING', `The outgoing channel of the mailbox ${who} is failing${last}; the email is sent once it passes Test and enable.`);
    }
    return wait('MAILBOX_OUTGOING_NOT_ENABLED', `The mailbox ${who} is not enabled for outgoing email; the email is sent once it passes Test and enable.`);
  }
  const profile = await findProfileRow(ctx, mailbox.profile_id);
  let credentials: { username: string; password: string };
  try {
    credentials = credentialsFor(ctx, mailbox, profile, 'outgoing');
  } catch (err) {
    if (isMailroomError(err) && err.code === 'MAILBOX_CREDENTIALS_MISSING') return wait(err.code, `${err.message} (mailbox ${who})`);
    throw err;
  }
  const ssl = profile.outgoing_ssl === 1;
  return {
    kind: 'ready', mailbox, profile,
    settings: {
      host: profile.outgoing_host, port: profile.outgoing_port, sslRequired: ssl, implicitTls: ssl && profile.outgoing_port === 465,
      authRequired: true, username: credentials.username, password: credentials.password, verifyCertificate: profile.verify_certificate === 1,
      ...(profile.trusted_ca ? { trustedCa: profile.trusted_ca } : {}),
    },
  };
}
