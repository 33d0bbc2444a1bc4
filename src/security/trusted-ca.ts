// Certificates of a private authority (a company CA that signs its own mail servers), trusted
// for one set of servers in addition to the system's authorities, never instead of them.
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { MailroomError } from '../errors.ts';

const MAX_CHARS = 65_536;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

const invalid = (field: string, message: string) => new MailroomError('INVALID_PARAMETER', { message: `${field}: ${message}`, details: [{ field, message }] });

/** The PEM certificate blocks in a text, in order. */
export const pemBlocks = (text: string): string[] => text.match(PEM_BLOCK) ?? [];

/** The subject of each certificate, for a listing ("CN=localhost"). */
export const certificateSubjects = (pem: string): string[] => pemBlocks(pem).map((b) => new X509Certificate(b).subject.replace(/\n/g, ', '));

/** One or more PEM certificates that Node can read, normalized to the blocks alone; '' for none. */
export function readTrustedCa(field: string, value: string | null): string {
  const text = (value ?? '').trim();
  if (text === '') return '';
  if (text.length > MAX_CHARS) throw invalid(field, `Give at most ${MAX_CHARS.toLocaleString('en-US')} characters of PEM certificates.`);
  const blocks = pemBlocks(text);
  const rest = blocks.reduce((left, block) => left.replace(block, ''), text).trim();
  if (blocks.length === 0 || rest !== '') throw invalid(field, 'Give PEM certificates only (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----), never a private key.');
  for (const [i, block] of blocks.entries()) {
    try { new X509Certificate(block); } catch { throw invalid(field, `Certificate ${i + 1} of ${blocks.length} cannot be read; paste it again from its file.`); }
  }
  return `${blocks.join('\n')}\n`;
}

/** The `ca` option of a TLS connection: Node's own authorities plus these (giving `ca` alone would replace them). */
export function withSystemAuthorities(pem: string): string[] {
  return [...rootCertificates, pem];
}
