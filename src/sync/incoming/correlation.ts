// Correlation in the reference's order (§2.4 items 34–37): In-Reply-To matching a stored
// Message-ID, then the tracking token in the subject, then References, then smart matching (off
// by default). The caller passes the lookups (crm's findByMessageId, findByTrackingToken, …).
import type { ParsedMessage } from './message-parser.ts';
import { findToken, type TokenFormat } from './tracking-token.ts';

export const CORRELATION_ORDER = ['in-reply-to', 'tracking-token', 'references', 'smart-matching'] as const;
export type CorrelationMethod = (typeof CORRELATION_ORDER)[number];

export interface CorrelatedActivity {
  readonly id: string;
  readonly regarding: { readonly type: string; readonly id: string } | null;
}

export interface CorrelationLookups {
  byMessageId(messageId: string): Promise<CorrelatedActivity | null>;
  byTrackingToken(token: string): Promise<CorrelatedActivity | null>;
  bySmartMatch?(message: ParsedMessage): Promise<CorrelatedActivity | null>;
}

export interface CorrelationSettings {
  readonly useCorrelation: boolean;
  readonly useTrackingTokens: boolean;
  readonly smartMatching: boolean;
  readonly token: TokenFormat;
}

export interface Correlation {
  readonly method: CorrelationMethod;
  readonly activity: CorrelatedActivity;
  /** The token found in the subject, whether or not it matched. */
  readonly token: string | null;
}

export async function correlate(message: ParsedMessage, settings: CorrelationSettings, lookups: CorrelationLookups): Promise<{ match: Correlation | null; token: string | null }> {
  const token = settings.useTrackingTokens ? findToken(settings.token, message.subject) : null;
  const found = (method: CorrelationMethod, activity: CorrelatedActivity | null) => (activity ? { match: { method, activity, token }, token } : null);
  if (settings.useCorrelation && message.inReplyTo) {
    const hit = found('in-reply-to', await lookups.byMessageId(message.inReplyTo));
    if (hit) return hit;
  }
  if (token) {
    const hit = found('tracking-token', await lookups.byTrackingToken(token));
    if (hit) return hit;
  }
  if (settings.useCorrelation) {
    // Newest reference first: the message this one most directly answers.
    for (const ref of [...message.references].reverse()) {
      const hit = found('references', await lookups.byMessageId(ref));
      if (hit) return hit;
    }
  }
  if (settings.smartMatching && lookups.bySmartMatch) {
    const hit = found('smart-matching', await lookups.bySmartMatch(message));
    if (hit) return hit;
  }
  return { match: null, token };
}
