// The JSON of the CRM routes (src/api/routes/crm-records.routes.ts, activities.routes.ts), as
// the console reads it.
export type RecordState = 'active' | 'inactive';

export interface RecordPage<T> { readonly items: T[]; readonly nextCursor: string | null }

interface Owned {
  readonly id: string;
  readonly name: string;
  readonly emails: string[];
  readonly ownerId: string | null;
  readonly state: RecordState;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Account extends Owned { readonly accountNumber: string | null; readonly organizationId: string | null; readonly currency: string }
export interface Contact extends Owned { readonly accountId: string | null; readonly purpose: string | null; readonly language: string | null }
export interface Lead extends Owned { readonly companyName: string | null; readonly topic: string | null }
export interface Invoice { readonly id: string; readonly number: string; readonly invoiceDate: string; readonly dueDate: string; readonly amountMinor: number; readonly openMinor: number }
export interface AccountDetail extends Account { readonly contacts: Contact[]; readonly openInvoices: Invoice[] }

export interface PartyRecord { readonly type: string; readonly id: string; readonly name: string | null }
export interface ActivityParty { readonly address: string; readonly name: string; readonly records: PartyRecord[] }
export type ActivityStatus = 'draft' | 'pending-send' | 'sending' | 'sent' | 'received' | 'failed' | 'canceled';

export interface Activity {
  readonly id: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly status: ActivityStatus;
  readonly statusDetail: string | null;
  readonly subject: string;
  readonly messageId: string | null;
  readonly inReplyTo: string | null;
  readonly references: string[];
  readonly trackingToken: string | null;
  readonly receivedAt: number | null;
  readonly sentAt: number | null;
  readonly from: ActivityParty | null;
  readonly to: ActivityParty[];
  readonly cc: ActivityParty[];
  readonly bcc: ActivityParty[];
  readonly regarding: PartyRecord | null;
  readonly ownerId: string | null;
  readonly accepting: { type: 'user' | 'queue'; id: string } | null;
  readonly correlatedBy: string | null;
  readonly correlatedActivityId: string | null;
  readonly mailboxes: string[];
  readonly attachments: { id: string; filename: string; contentType: string; contentId: string | null; size: number; stored: boolean; skippedCode: string | null }[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ActivityDetail extends Activity { readonly text: string | null; readonly html: string | null }

export const ACTIVITY_STATUS_LABELS: Record<ActivityStatus, string> = {
  draft: 'Draft', 'pending-send': 'Pending send', sending: 'Sending', sent: 'Sent', received: 'Received', failed: 'Failed', canceled: 'Canceled',
};

export const RECORD_TYPE_LABELS: Record<string, string> = {
  user: 'User', contact: 'Contact', account: 'Account', lead: 'Lead', queue: 'Queue', organization: 'Organization', invoice: 'Invoice', 'workflow-instance': 'Workflow',
};

/** The console page of a record, where it has one. */
export function recordPath(ref: { type: string; id: string }): string | null {
  const base: Record<string, string> = { account: '/accounts', contact: '/contacts', lead: '/leads' };
  return base[ref.type] ? `${base[ref.type]}/${encodeURIComponent(ref.id)}` : null;
}
