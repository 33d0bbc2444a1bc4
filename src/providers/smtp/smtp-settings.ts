/** The SMTP settings tab, with the password already decrypted. */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  readonly sslRequired: boolean;
  /** TLS from the first byte (SMTPS) instead of STARTTLS. Port 465 always means this. */
  readonly implicitTls: boolean;
  readonly authRequired: boolean;
  readonly username: string;
  readonly password: string;
  /** Check the server's certificate against the trusted authorities and its name. */
  readonly verifyCertificate: boolean;
  /** PEM certificates of a private authority trusted besides the system's (a sync profile's). */
  readonly trustedCa?: string;
}

export const OFFICE365_SMTP_HOST = 'smtp.office365.com';
/** Exchange Online's message rate limit for SMTP client submission, per minute. */
export const OFFICE365_PER_MINUTE_LIMIT = 30;
/** Exchange Online refuses a fourth concurrent SMTP client submission connection per mailbox (432 4.3.2). */
export const OFFICE365_MAX_CONNECTIONS = 3;

export function isOffice365(host: string): boolean {
  return host.trim().toLowerCase() === OFFICE365_SMTP_HOST;
}
