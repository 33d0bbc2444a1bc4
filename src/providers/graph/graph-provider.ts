import { MailroomError, isMailroomError } from '../../errors.ts';
import type { EmailProvider, OutgoingMessage, SendReceipt, TestReport, TestStep, VerifyOptions } from '../provider.ts';
import { toGraphError, toNetworkError, type GraphCall } from './graph-errors.ts';
import { toFileAttachment, toGraphMessage, type GraphMessage, type MessageAttachment } from './graph-message.ts';
import { origin, type GraphSettings } from './graph-settings.ts';
import { createGraphTokenSource, type GraphTokenSource } from './graph-token.ts';

export interface GraphProviderConfig {
  readonly settings: GraphSettings;
  readonly timeoutMs?: number;
}

/** An attachment under 3 MB may travel in a request of its own; larger ones need an upload session. */
export const INLINE_ATTACHMENT_LIMIT = 3 * 1024 * 1024;
/** Graph refuses a request body over 4 MB, so sendMail with its base64 attachments must stay under it. */
export const REQUEST_LIMIT = 4 * 1024 * 1024;
// Room for the JSON around the attachments: recipients, subject, names.
const JSON_OVERHEAD = 64 * 1024;
/** Each PUT of an upload session carries at most 4 MB; Graph asks for multiples of 320 KiB. */
export const UPLOAD_CHUNK_BYTES = 10 * 320 * 1024;

/**
 * Sends through Microsoft Graph as the sending mailbox (application permission Mail.Send):
 * one sendMail request while it stays under Graph's 4 MB request limit with every attachment
 * under 3 MB, otherwise a draft whose attachments are added one by one, the large ones through
 * upload sessions (this needs Mail.ReadWrite too), then send.
 */
export function createGraphProvider({ settings, timeoutMs = 60_000 }: GraphProviderConfig): EmailProvider {
  if (!settings.tenantId || !settings.clientId || !settings.clientSecret) throw new MailroomError('GRAPH_NOT_CONFIGURED');
  const tokens = createGraphTokenSource(settings);
  const graph = createGraphClient(settings, tokens, timeoutMs);

  return {
    id: 'graph',
    async send(message: OutgoingMessage): Promise<SendReceipt> {
      const mailbox = message.mode === 'batch' && settings.batchAccount ? settings.batchAccount : message.envelope.from;
      const { message: body, attachments } = await toGraphMessage(message);
      const response = fitsOneRequest(body, attachments)
        ? await sendInline(graph, mailbox, body, attachments, settings.saveToSentItems)
        : await sendThroughDraft(graph, mailbox, body, attachments);
      return { recipients: message.envelope.to.map((address) => ({ address, accepted: true })), response };
    },
    async verify(options: VerifyOptions = {}): Promise<TestReport> {
      return verifyGraph(graph, tokens, options.mailbox || settings.batchAccount);
    },
  };
}

interface GraphClient {
  /** A JSON request to Graph as the mailbox; resolves with the answer's JSON (or null), throws a mapped failure. */
  request(method: string, path: string, mailbox: string, body?: unknown): Promise<unknown>;
  /** One PUT of an upload session: pre-authorised by its URL, so it carries no token. */
  upload(url: string, chunk: Buffer, start: number, total: number, mailbox: string): Promise<{ done: boolean; next?: number }>;
}

function createGraphClient(settings: GraphSettings, tokens: GraphTokenSource, timeoutMs: number): GraphClient {
  const base = `${origin(settings.graphEndpoint)}/v1.0`;
  async function fetchOrFail(url: string, init: RequestInit, call: GraphCall): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw toNetworkError(err, call);
    }
    if (!res.ok) throw await toGraphError(res, call);
    return res;
  }
  return {
    async request(method, path, mailbox, body) {
      const { accessToken } = await tokens.token();
      const call = { mailbox, command: `${method} ${path}` };
      const res = await fetchOrFail(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }, call);
      const text = await res.text();
      return text ? JSON.parse(text) : null;
    },
    async upload(url, chunk, start, total, mailbox) {
      const end = start + chunk.length - 1;
      const res = await fetchOrFail(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end}/${total}` },
        body: chunk,
      }, { mailbox, command: `PUT upload session bytes ${start}-${end}/${total}` });
      if (res.status === 201) { await res.arrayBuffer(); return { done: true }; }
      const answer = (await res.json()) as { nextExpectedRanges?: string[] };
      return { done: false, next: firstExpected(answer.nextExpectedRanges) };
    },
  };
}

const base64Length = (bytes: number) => Math.ceil(bytes / 3) * 4;

/** sendMail alone while every attachment is under 3 MB and the whole request under 4 MB. */
function fitsOneRequest(message: GraphMessage, attachments: readonly MessageAttachment[]): boolean {
  if (attachments.some((a) => a.content.length >= INLINE_ATTACHMENT_LIMIT)) return false;
  const encoded = attachments.reduce((n, a) => n + base64Length(a.content.length), 0);
  return encoded + Buffer.byteLength(message.body.content) + JSON_OVERHEAD < REQUEST_LIMIT;
}

const userPath = (mailbox: string) => `/users/${encodeURIComponent(mailbox)}`;

async function sendInline(graph: GraphClient, mailbox: string, message: GraphMessage, attachments: readonly MessageAttachment[], saveToSentItems: boolean) {
  const path = `${userPath(mailbox)}/sendMail`;
  await graph.request('POST', path, mailbox, { message: { ...message, attachments: attachments.map(toFileAttachment) }, saveToSentItems });
  return `202 Accepted: POST ${path}`;
}

/**
 * Large attachments: a draft, each attachment added to it (small ones in one POST each, large ones
 * through an upload session), then send. A draft left by a failure is deleted, so a retry starts clean.
 * Graph moves a sent draft to Sent Items whatever saveToSentItems says.
 */
async function sendThroughDraft(graph: GraphClient, mailbox: string, message: GraphMessage, attachments: readonly MessageAttachment[]) {
  const draft = (await graph.request('POST', `${userPath(mailbox)}/messages`, mailbox, message)) as { id?: string } | null;
  if (!draft?.id) throw new MailroomError('GRAPH_REJECTED', { message: 'Graph created the draft without an id.', command: `POST ${userPath(mailbox)}/messages` });
  const draftPath = `${userPath(mailbox)}/messages/${encodeURIComponent(draft.id)}`;
  try {
    for (const attachment of attachments) {
      if (attachment.content.length < INLINE_ATTACHMENT_LIMIT) await graph.request('POST', `${draftPath}/attachments`, mailbox, toFileAttachment(attachment));
      else await uploadAttachment(graph, mailbox, draftPath, attachment);
    }
    await graph.request('POST', `${draftPath}/send`, mailbox);
  } catch (err) {
    await graph.request('DELETE', draftPath, mailbox).catch(() => undefined);
    throw err;
  }
  return `202 Accepted: POST ${draftPath}/send (${attachments.length} attachments added to the draft)`;
}

async function uploadAttachment(graph: GraphClient, mailbox: string, draftPath: string, a: MessageAttachment) {
  const total = a.content.length;
  const session = (await graph.request('POST', `${draftPath}/attachments/createUploadSession`, mailbox, {
    AttachmentItem: {
      attachmentType: 'file', name: a.name, size: total, contentType: a.contentType, isInline: a.isInline,
      ...(a.contentId ? { contentId: a.contentId } : {}),
    },
  })) as { uploadUrl?: string; nextExpectedRanges?: string[] } | null;
  if (!session?.uploadUrl) throw new MailroomError('GRAPH_REJECTED', { message: 'Graph opened the upload session without an upload URL.' });
  let start = firstExpected(session.nextExpectedRanges) ?? 0;
  for (;;) {
    const chunk = a.content.subarray(start, Math.min(start + UPLOAD_CHUNK_BYTES, total));
    const result = await graph.upload(session.uploadUrl, chunk, start, total, mailbox);
    if (result.done) return;
    if (result.next === undefined || result.next <= start || result.next >= total) {
      throw new MailroomError('GRAPH_REJECTED', { message: `The upload session expects bytes from ${result.next ?? 'nowhere'} of ${total}.`, command: 'PUT upload session' });
    }
    start = result.next;
  }
}

/** "12345-" or "12345-67890": the start of the first range Graph still expects. */
function firstExpected(ranges: readonly string[] | undefined): number | undefined {
  const match = /^(\d+)-/.exec(ranges?.[0] ?? '');
  return match ? Number(match[1]) : undefined;
}

/** The connection test: a token, the Mail.Send role in it, then the mailbox looked up. */
async function verifyGraph(graph: GraphClient, tokens: GraphTokenSource, mailbox: string): Promise<TestReport> {
  const steps: TestStep[] = [];
  const fail = (err: unknown, step: string): never => {
    const e = isMailroomError(err) ? err : toNetworkError(err, { mailbox, command: step });
    steps.push({ step, ok: false, detail: `${e.code}: ${e.message}` });
    throw new MailroomError(e.code, { message: e.message, response: e.response, command: e.command, details: { steps }, cause: e });
  };
  const token = await tokens.token().catch((err) => fail(err, 'token'));
  steps.push({ step: 'token', ok: true, detail: `Entra ID issued a token (${tokens.endpoint}).` });
  if (token.roles !== undefined && !token.roles.includes('Mail.Send')) {
    fail(new MailroomError('GRAPH_CONSENT_MISSING', { response: `roles: ${token.roles.join(', ') || '(none)'}` }), 'permission');
  }
  steps.push({ step: 'permission', ok: true, detail: token.roles === undefined ? 'The token cannot be read; the test email shows whether Mail.Send is granted.' : 'The token carries the Mail.Send application permission.' });
  if (!mailbox) return { ok: true, steps };
  try {
    const user = (await graph.request('GET', `${userPath(mailbox)}?$select=id,mail,userPrincipalName`, mailbox)) as { mail?: string; userPrincipalName?: string };
    steps.push({ step: 'mailbox', ok: true, detail: `Found ${user.mail || user.userPrincipalName || mailbox}.` });
  } catch (err) {
    // Mail.Send alone may not read users: then only a test email can tell whether the mailbox exists.
    if (isMailroomError(err, 'MAILBOX_UNAUTHORIZED')) {
      steps.push({ step: 'mailbox', ok: true, detail: `Not checked: the app may not read users (it needs User.Read.All for this lookup). Send a test email from ${mailbox} to check it.` });
    } else {
      fail(err, 'mailbox');
    }
  }
  return { ok: true, steps };
}
