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

/** The last 90 days of outgoing activities are searched, the newest first (§2.4 item 37). */
export const SMART_MATCH_DAYS = 90;
/** How many of the newest outgoing activities are compared. */
export const SMART_MATCH_CANDIDATES = 500;

export interface SmartCandidate {
  readonly id: string;
  readonly subject: string;
  readonly addresses: readonly string[];
  readonly createdAt: number;
}

/** The first candidate (newest first) with the message's subject hashes and at least two of its addresses. */
export function bestSmartMatch(message: { subject: string; addresses: readonly string[] }, candidates: readonly SmartCandidate[], now: number): SmartCandidate | null {
  const wanted = { subject: subjectHashes(message.subject), addresses: addressHashes(message.addresses) };
  const since = now - SMART_MATCH_DAYS * 86_400_000;
  for (const c of candidates) {
    if (c.createdAt < since) continue;
    if (smartMatch(wanted, { subject: subjectHashes(c.subject), addresses: addressHashes(c.addresses) })) return c;
  }
  return null;
}
