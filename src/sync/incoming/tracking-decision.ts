// Whether an incoming message becomes an activity: the accepting user's or queue's tracking
// option (§2.4 item 31), a folder tracking rule (tracked regardless, like manual tracking), and
// the automated-sender rule for record creation.
export const TRACKING_OPTIONS = ['all', 'replies', 'records', 'email-enabled'] as const;
export type TrackingOption = (typeof TRACKING_OPTIONS)[number];

export interface TrackingFacts {
  readonly option: TrackingOption;
  /** The message came from a folder with a tracking rule. */
  readonly folderRule: boolean;
  /** It correlated to an activity of the application (a reply to mail sent from it). */
  readonly correlated: boolean;
  /** The record types the sender resolved to (user, contact, account, lead, queue). */
  readonly senderTypes: readonly string[];
}

export type TrackingDecision = { readonly track: true; readonly why: string } | { readonly track: false; readonly reason: string };

const CRM_RECORDS = ['contact', 'account', 'lead'];

export function decideTracking(facts: TrackingFacts): TrackingDecision {
  if (facts.folderRule) return { track: true, why: 'folder tracking rule' };
  switch (facts.option) {
    case 'all': return { track: true, why: 'tracking option: all email' };
    case 'replies':
      return facts.correlated ? { track: true, why: 'a reply to email from the application' } : { track: false, reason: 'not a reply to email sent from the application (tracking option)' };
    case 'records':
      return facts.senderTypes.some((t) => CRM_RECORDS.includes(t)) ? { track: true, why: 'sender is a lead, contact or account' } : { track: false, reason: 'sender is not a lead, contact or account (tracking option)' };
    case 'email-enabled':
      return facts.senderTypes.length > 0 ? { track: true, why: 'sender is a record with an email address' } : { track: false, reason: 'sender matches no record (tracking option)' };
  }
}
