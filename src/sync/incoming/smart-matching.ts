// Smart matching (§2.4 item 37): subject word hashes after the noise (RE:, FW: …) is removed, and
// one hash per distinct address; a match needs the same subject hashes and at least two addresses.
import { createHash } from 'node:crypto';

const NOISE = /^[\s]*([\w]+\s?:[\s]*)+/;
export const MIN_ADDRESS_MATCHES = 2;
export const MAX_HASHES = 20;

const hash = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 16);

export function subjectHashes(subject: string): string[] {
  const words = subject.replace(NOISE, '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return [...new Set(words)].slice(0, MAX_HASHES).map(hash).sort();
}

export function addressHashes(addresses: readonly string[]): string[] {
  return [...new Set(addresses.map((a) => a.trim().toLowerCase()).filter(Boolean))].slice(0, MAX_HASHES).map(hash).sort();
}

/** True when the candidate has the same subject hashes and shares enough addresses. */
export function smartMatch(a: { subject: readonly string[]; addresses: readonly string[] }, b: { subject: readonly string[]; addresses: readonly string[] }): boolean {
  if (a.subject.length === 0 || a.subject.join() !== b.subject.join()) return false;
  const shared = a.addresses.filter((h) => b.addresses.includes(h)).length;
  return shared >= MIN_ADDRESS_MATCHES;
}
