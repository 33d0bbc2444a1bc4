import { XMLParser } from 'fast-xml-parser';

// Exchange Web Services SOAP: the two operations Mailroom uses, and the answers it reads.
const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  t: 'http://schemas.microsoft.com/exchange/services/2006/types',
  m: 'http://schemas.microsoft.com/exchange/services/2006/messages',
} as const;

/** The oldest schema with everything used here; Exchange 2016, 2019 and Subscription Edition accept it. */
export const SERVER_VERSION = 'Exchange2013_SP1';

export const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

function envelope(body: string, impersonate: string | undefined): string {
  const impersonation = impersonate
    ? `<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${escapeXml(impersonate)}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`
    : '';
  return `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="${NS.soap}" xmlns:t="${NS.t}" xmlns:m="${NS.m}">` +
    `<soap:Header><t:RequestServerVersion Version="${SERVER_VERSION}"/>${impersonation}</soap:Header>` +
    `<soap:Body>${body}</soap:Body></soap:Envelope>`;
}

const mailboxes = (addresses: readonly string[]) =>
  addresses.map((a) => `<t:Mailbox><t:EmailAddress>${escapeXml(a)}</t:EmailAddress></t:Mailbox>`).join('');

export interface CreateItemRequest {
  /** The message exactly as stored; its attachments travel inside the MIME. */
  readonly mime: Buffer;
  /** Recipients the MIME headers do not name (Bcc). */
  readonly bcc: readonly string[];
  /** The mailbox whose Sent Items keep the copy. */
  readonly mailbox: string;
  readonly impersonate?: string;
}

/** CreateItem with MessageDisposition="SendAndSaveCopy": send, and keep a copy in Sent Items. */
export function createItemEnvelope(r: CreateItemRequest): string {
  const bcc = r.bcc.length > 0 ? `<t:BccRecipients>${mailboxes(r.bcc)}</t:BccRecipients>` : '';
  return envelope(
    `<m:CreateItem MessageDisposition="SendAndSaveCopy">` +
      `<m:SavedItemFolderId><t:DistinguishedFolderId Id="sentitems">${mailboxes([r.mailbox])}</t:DistinguishedFolderId></m:SavedItemFolderId>` +
      `<m:Items><t:Message><t:MimeContent CharacterSet="UTF-8">${r.mime.toString('base64')}</t:MimeContent>${bcc}</t:Message></m:Items>` +
    `</m:CreateItem>`,
    r.impersonate,
  );
}

/** GetFolder on the mailbox's Sent Items: signs in, and proves the mailbox exists and may be used. */
export function getFolderEnvelope(mailbox: string, impersonate?: string): string {
  return envelope(
    `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>` +
      `<m:FolderIds><t:DistinguishedFolderId Id="sentitems">${mailboxes([mailbox])}</t:DistinguishedFolderId></m:FolderIds>` +
    `</m:GetFolder>`,
    impersonate,
  );
}

/** What a SOAP answer said: success, an error response message, or a SOAP fault. */
export type EwsAnswer =
  | { readonly kind: 'success' }
  | { readonly kind: 'error' | 'fault'; readonly responseCode: string; readonly text: string; readonly backOffMs?: number };

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: () => false });

type Node = Record<string, unknown>;
const node = (v: unknown): Node => (v && typeof v === 'object' ? (v as Node) : {});
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'object' && v && '#text' in v ? String((v as Node)['#text']) : '');

/** Reads an EWS answer; throws when the text is not a SOAP envelope at all. */
export function readEwsAnswer(xml: string, operation: 'CreateItem' | 'GetFolder'): EwsAnswer {
  const root = node(parser.parse(xml));
  const body = node(node(root.Envelope).Body);
  if (!('Envelope' in root)) throw new Error('not a SOAP envelope');
  if ('Fault' in body) {
    const fault = node(body.Fault);
    const detail = node(fault.detail);
    return {
      kind: 'fault',
      responseCode: text(detail.ResponseCode) || text(fault.faultcode),
      text: text(fault.faultstring) || text(detail.Message),
      backOffMs: backOff(detail.MessageXml),
    };
  }
  const message = node(node(node(body[`${operation}Response`]).ResponseMessages)[`${operation}ResponseMessage`]);
  const cls = String(message['@ResponseClass'] ?? '');
  const code = text(message.ResponseCode);
  if (cls === 'Success' && (code === '' || code === 'NoError')) return { kind: 'success' };
  return { kind: 'error', responseCode: code || 'ErrorInternalServerError', text: text(message.MessageText), backOffMs: backOff(message.MessageXml) };
}

/** ErrorServerBusy carries `<t:Value Name="BackOffMilliseconds">n</t:Value>` in MessageXml. */
function backOff(messageXml: unknown): number | undefined {
  const values = node(messageXml).Value;
  for (const v of Array.isArray(values) ? values : [values]) {
    if (node(v)['@Name'] === 'BackOffMilliseconds' && /^\d+$/.test(text(v))) return Number(text(v));
  }
  return undefined;
}
