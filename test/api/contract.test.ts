// The API contract: every operation /openapi.json lists is called on a running Mailroom (as an
// administrator, as a plain user, and without a token), and every answer — status and body — is
// checked against the document. An operation no call reaches fails the suite, and so does an
// answer the document does not describe.
//
// Adding a route? Add its calls to CALLS below: the key is `METHOD /path` as the document writes
// it, the value the calls to make (at least one success; errors where the route has its own).
// Build what the calls need in `setUp` or inside the entry (entries run in order, and each may
// call the API first).
//
// Each answer is checked twice: the body sent, and what the handler handed to the serializer
// (a preSerialization hook keeps it) against the document with every object closed. The
// serializer drops a field its schema lacks without a word, so a handler that returns a field the
// schema forgot (or relies on the schema to strip one) fails here instead.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCaptureServer, type CaptureServer } from '../../src/demo/capture-server.ts';
import { capturedRoutes } from '../../src/demo/captured.routes.ts';
import { attachment, startApi, type Answer, type ApiHarness, type Json } from '../fixtures/api.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import { DOVECOT_CA, startDovecot, type RunningDovecot } from '../fixtures/dovecot.ts';
import { QUEUE_EXAMPLES, SEND_EXAMPLES } from '../../src/api/schemas.ts';
import { answerChecker, closedDocument, documentProblems, exampleProblems, operationsOf } from './contract-validator.ts';

type Who = 'admin' | 'alice' | 'nobody';
interface Call {
  readonly as: Who;
  /** Values for the path's {placeholders}. */
  readonly params?: Record<string, string | number>;
  readonly query?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly expect: number;
}

/** What the calls work on, made once per dialect in setUp. */
interface World {
  readonly h: ApiHarness;
  readonly capture: CaptureServer;
  readonly ids: Record<string, string>;
  /** Calls the API (outside the contract's bookkeeping) and returns the JSON body, failing on an unexpected status. */
  api(as: Who, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, expect?: number): Promise<Json>;
}

const template = (emailId: string, kind = 'general') => ({
  emailId, kind, description: `${emailId} template`, senderName: 'Contoso', senderEmail: 'noreply@contoso.test', defaultLanguage: 'en-us',
  messages: [{ language: 'en-us', subject: `${emailId} subject`, html: '<p>Hello</p>' }],
});
const workflow = (code: string) => ({
  code, name: `${code} approval`, documentType: 'purchase-requisition', templateEmailId: 'WFNOTIFY',
  steps: [{ name: 'Approval', assignTo: { type: 'user', users: ['alice'] } }],
});
const pendingItemOf = async (w: World, instanceId: string, as: Who = 'alice') => {
  const items = (await w.api(as, 'GET', '/api/work-items')) as { id: string; instanceId: string }[];
  const item = items.find((i) => i.instanceId === instanceId);
  assert.ok(item, `no pending work item for ${as} in ${instanceId}`);
  return item.id;
};

const CALLS: Record<string, (w: World) => Call[] | Promise<Call[]>> = {
  // ── meta and session ──
  'GET /api/errors': () => [{ as: 'nobody', expect: 200 }],
  'POST /api/session': () => [
    { as: 'nobody', body: { username: 'alice', password: 'alice-password' }, expect: 200 },
    { as: 'nobody', body: { username: 'alice', password: 'wrong-password' }, expect: 401 },
    { as: 'nobody', body: { username: 'alice' }, expect: 400 },
  ],
  'GET /api/me': () => [{ as: 'alice', expect: 200 }, { as: 'admin', expect: 200 }],
  'DELETE /api/session': async (w) => {
    // Signs out a session of its own, so the other calls keep theirs.
    w.ids.spareToken = await w.h.signIn('alice', 'alice-password');
    return [{ as: 'alice', headers: { authorization: `Bearer ${w.ids.spareToken}` }, expect: 204 }];
  },

  // ── users ──
  'GET /api/users': () => [{ as: 'admin', expect: 200 }, { as: 'alice', expect: 403 }],
  'POST /api/users': () => [
    { as: 'admin', body: { username: 'bob', email: 'bob@contoso.test', password: 'bob-password-1' }, expect: 201 },
    { as: 'admin', body: { username: 'bob', email: 'bob@contoso.test' }, expect: 409 },
    { as: 'admin', body: { username: 'carol', email: 'carol@contoso.test', shoeSize: 9 }, expect: 400 },
  ],
  'GET /api/users/{id}': (w) => [
    { as: 'alice', params: { id: w.h.users.alice.id }, expect: 200 },
    { as: 'alice', params: { id: w.h.users.admin.id }, expect: 403 },
    { as: 'admin', params: { id: 'no-such-user' }, expect: 404 },
  ],
  'PATCH /api/users/{id}': (w) => [
    { as: 'admin', params: { id: w.ids.dave! }, body: { name: 'Dave Delegate', password: 'dave-password-2' }, expect: 200 },
    { as: 'admin', params: { id: w.ids.dave! }, body: { email: 'not an address' }, expect: 400 },
  ],
  'GET /api/users/{id}/options': (w) => [{ as: 'alice', params: { id: w.h.users.alice.id }, expect: 200 }],
  'PATCH /api/users/{id}/options': (w) => [
    { as: 'alice', params: { id: w.h.users.alice.id }, body: { providerId: 'smtp' }, expect: 200 },
    { as: 'alice', params: { id: w.h.users.alice.id }, body: { senderEmail: 'boss@contoso.test' }, expect: 403 },
  ],
  'POST /api/users/{id}/send-as': (w) => [{ as: 'admin', params: { id: w.h.users.alice.id }, body: { address: 'sales@contoso.test' }, expect: 200 }],
  'DELETE /api/users/{id}/send-as/{address}': (w) => [{ as: 'admin', params: { id: w.h.users.alice.id, address: 'sales@contoso.test' }, expect: 200 }],
  'POST /api/users/{id}/tokens': (w) => [{ as: 'alice', params: { id: w.h.users.alice.id }, body: { name: 'erp', password: 'alice-password' }, expect: 201 }],
  'GET /api/users/{id}/tokens': (w) => [{ as: 'alice', params: { id: w.h.users.alice.id }, expect: 200 }],
  'DELETE /api/users/{id}/tokens/{tokenId}': async (w) => {
    const [token] = (await w.api('alice', 'GET', `/api/users/${w.h.users.alice.id}/tokens`)) as { id: string }[];
    return [
      { as: 'alice', params: { id: w.h.users.alice.id, tokenId: token!.id }, expect: 204 },
      { as: 'alice', params: { id: w.h.users.alice.id, tokenId: token!.id }, expect: 404 },
    ];
  },

  // ── parameters and distributor ──
  'GET /api/parameters': () => [{ as: 'admin', expect: 200 }, { as: 'alice', expect: 403 }],
  'PATCH /api/parameters': (w) => [
    { as: 'admin', body: { smtp: { host: w.ids.smtpHost!, port: Number(w.ids.smtpPort), sslRequired: false, password: 'secret' } }, expect: 200 },
    { as: 'admin', body: { expirationDays: 9999 }, expect: 400 },
  ],
  'POST /api/parameters/test-email': () => [{ as: 'admin', body: { to: 'it@fabrikam.test' }, expect: 200 }],
  'POST /api/parameters/test-connection': () => [
    { as: 'admin', body: { provider: 'smtp' }, expect: 200 },
    { as: 'admin', body: { provider: 'graph' }, expect: 409 },
  ],
  'GET /api/distributor': () => [{ as: 'admin', expect: 200 }],
  'PATCH /api/distributor': () => [{ as: 'admin', body: { recurrenceSeconds: 30 }, expect: 200 }, { as: 'admin', body: { recurrenceSeconds: 1 }, expect: 400 }],
  'POST /api/distributor/run': () => [{ as: 'admin', expect: 200 }],

  // ── emails ──
  'POST /api/emails': () => [
    // The document's examples, as an integrator would paste them.
    { as: 'alice', body: QUEUE_EXAMPLES.plain.value, expect: 201 },
    { as: 'alice', body: QUEUE_EXAMPLES.withAttachment.value, expect: 201 },
    { as: 'alice', body: { to: 'bob@fabrikam.test', subject: 'Invoice 42', body: 'Attached.', idempotencyKey: 'contract-1' }, expect: 201 },
    { as: 'alice', body: { to: 'bob@fabrikam.test', subject: 'Invoice 42', body: 'Attached.', idempotencyKey: 'contract-1' }, expect: 200 },
    { as: 'alice', body: { to: 'not an address', subject: 'x' }, expect: 400 },
    { as: 'alice', body: { to: 'bob@fabrikam.test', from: 'ceo@contoso.test', subject: 'x' }, expect: 403 },
  ],
  'POST /api/compose': () => [{ as: 'alice', body: { to: ['bob@fabrikam.test'], subject: 'Hello' }, expect: 200 }],
  'POST /api/send': () => [
    { as: 'alice', body: SEND_EXAMPLES.sendNow.value, expect: 200 },
    { as: 'alice', body: { to: 'bob@fabrikam.test', subject: 'Now', body: 'Sent at once', provider: 'smtp' }, expect: 200 },
    { as: 'alice', body: { to: 'bob@fabrikam.test', subject: 'As a file', provider: 'eml' }, expect: 200 },
    { as: 'alice', body: { to: 'bob@fabrikam.test', subject: 'Graph', provider: 'graph' }, expect: 409 },
  ],
  'GET /api/emails': () => [
    { as: 'alice', expect: 200 }, { as: 'admin', query: 'status=sent,failed&limit=2', expect: 200 },
    { as: 'admin', query: 'limit=0', expect: 400 },
  ],
  'GET /api/queue': () => [{ as: 'admin', expect: 200 }],
  'GET /api/summary': () => [{ as: 'alice', expect: 200 }],
  'GET /api/emails/{id}': (w) => [
    { as: 'alice', params: { id: w.ids.failedEmail! }, expect: 200 },
    { as: 'alice', params: { id: 'no-such-email' }, expect: 404 },
  ],
  'GET /api/emails/{id}/eml': (w) => [{ as: 'alice', params: { id: w.ids.sentEmail! }, expect: 200 }],
  'GET /api/emails/{id}/content': (w) => [{ as: 'alice', params: { id: w.ids.sentEmail! }, expect: 200 }],
  'GET /api/emails/{id}/attachments/{index}': (w) => [
    { as: 'alice', params: { id: w.ids.sentEmail!, index: 0 }, expect: 200 },
    { as: 'alice', params: { id: w.ids.sentEmail!, index: 5 }, expect: 404 },
  ],
  'POST /api/emails/{id}/resend': (w) => [
    { as: 'alice', params: { id: w.ids.failedEmail! }, expect: 200 },
    { as: 'alice', params: { id: w.ids.sentEmail! }, expect: 409 },
  ],
  'POST /api/emails/{id}/retry-now': async (w) => {
    const queued = await w.api('alice', 'POST', '/api/emails', { to: 'bob@fabrikam.test', subject: 'Retry me' }, 201);
    return [{ as: 'admin', params: { id: queued.email.id }, expect: 200 }, { as: 'admin', params: { id: 'none' }, expect: 404 }];
  },
  'POST /api/emails/{id}/cancel': async (w) => {
    const queued = await w.api('alice', 'POST', '/api/emails', { to: 'bob@fabrikam.test', subject: 'Cancel me' }, 201);
    return [
      { as: 'alice', params: { id: queued.email.id }, expect: 200 },
      { as: 'alice', params: { id: queued.email.id }, expect: 409 },
    ];
  },

  // ── templates ──
  'GET /api/template-kinds': () => [{ as: 'alice', expect: 200 }],
  'GET /api/templates': () => [{ as: 'admin', expect: 200 }, { as: 'admin', query: 'scope=system&kind=general', expect: 200 }],
  'POST /api/templates': () => [
    { as: 'admin', body: template('WELCOME'), expect: 201 },
    { as: 'admin', body: template('WELCOME'), expect: 409 },
    { as: 'admin', body: { ...template('BROKEN'), messages: [{ language: 'en-us', subject: '%nope%', html: '' }] }, expect: 400 },
  ],
  'GET /api/templates/{id}': (w) => [{ as: 'admin', params: { id: w.ids.template! }, expect: 200 }, { as: 'admin', params: { id: 'none' }, expect: 404 }],
  'PUT /api/templates/{id}': (w) => [{ as: 'admin', params: { id: w.ids.template! }, body: { ...template('CONTRACT'), description: 'Changed' }, expect: 200 }],
  'POST /api/templates/{id}/preview': (w) => [{ as: 'admin', params: { id: w.ids.template! }, body: { language: 'en-us' }, expect: 200 }],
  'POST /api/templates/{id}/test-send': (w) => [{ as: 'admin', params: { id: w.ids.template! }, body: { to: 'qa@fabrikam.test' }, expect: 201 }],
  'DELETE /api/templates/{id}': async (w) => {
    const doomed = await w.api('admin', 'POST', '/api/templates', template('DOOMED'), 201);
    return [{ as: 'admin', params: { id: doomed.id }, expect: 204 }, { as: 'admin', params: { id: doomed.id }, expect: 404 }];
  },

  // ── workflow ──
  'GET /api/workflow-events': () => [{ as: 'alice', expect: 200 }],
  'GET /api/workflows': () => [{ as: 'admin', expect: 200 }],
  'POST /api/workflows': () => [
    { as: 'admin', body: workflow('PURCH2'), expect: 201 },
    { as: 'admin', body: { ...workflow('PURCH3'), templateEmailId: 'NOSUCH' }, expect: 409 },
  ],
  'GET /api/workflows/{id}': (w) => [{ as: 'admin', params: { id: w.ids.workflow! }, expect: 200 }],
  'PUT /api/workflows/{id}': (w) => [{ as: 'admin', params: { id: w.ids.workflow! }, body: { ...workflow('PURCH'), name: 'Renamed' }, expect: 200 }],
  'DELETE /api/workflows/{id}': async (w) => {
    const unused = await w.api('admin', 'POST', '/api/workflows', workflow('UNUSED'), 201);
    return [{ as: 'admin', params: { id: unused.id }, expect: 204 }, { as: 'admin', params: { id: w.ids.workflow! }, expect: 409 }];
  },
  'POST /api/workflow/submit': () => [
    { as: 'admin', body: { documentType: 'purchase-requisition', title: 'Chairs', ref: 'PR-1' }, expect: 201 },
    { as: 'admin', body: { documentType: 'no-such-type', title: 'Desks' }, expect: 409 },
  ],
  'GET /api/workflow/instances': () => [{ as: 'admin', expect: 200 }, { as: 'alice', query: 'limit=5', expect: 200 }],
  'GET /api/workflow/instances/{id}': (w) => [{ as: 'admin', params: { id: w.ids.instance! }, expect: 200 }],
  'GET /api/workflow/instances/{id}/history': (w) => [{ as: 'admin', params: { id: w.ids.instance! }, expect: 200 }],
  'POST /api/workflow/instances/{id}/cancel': async (w) => {
    const doc = await w.api('admin', 'POST', '/api/workflow/submit', { documentType: 'purchase-requisition', title: 'Lamps' }, 201);
    return [
      { as: 'admin', params: { id: doc.id }, body: { comment: 'not needed' }, expect: 200 },
      { as: 'admin', params: { id: doc.id }, body: {}, expect: 409 },
    ];
  },
  'GET /api/work-items': () => [{ as: 'alice', expect: 200 }, { as: 'alice', query: 'all=true', expect: 200 }],
  'POST /api/work-items/{id}/approve': async (w) => {
    const item = await pendingItemOf(w, w.ids.instance!);
    return [{ as: 'alice', params: { id: item }, body: { comment: 'ok' }, expect: 200 }, { as: 'alice', params: { id: item }, body: {}, expect: 409 }];
  },
  'POST /api/work-items/{id}/reject': async (w) => {
    const doc = await w.api('admin', 'POST', '/api/workflow/submit', { documentType: 'purchase-requisition', title: 'Gold taps' }, 201);
    const item = await pendingItemOf(w, doc.id);
    return [{ as: 'admin', params: { id: item }, body: {}, expect: 403 }, { as: 'alice', params: { id: item }, body: { comment: 'no' }, expect: 200 }];
  },
  'POST /api/work-items/{id}/request-change': async (w) => {
    const doc = await w.api('admin', 'POST', '/api/workflow/submit', { documentType: 'purchase-requisition', title: 'Monitors' }, 201);
    w.ids.changed = doc.id;
    return [{ as: 'alice', params: { id: await pendingItemOf(w, doc.id) }, body: { comment: 'Which brand?' }, expect: 200 }];
  },
  'POST /api/work-items/{id}/resubmit': async (w) => [{ as: 'admin', params: { id: await pendingItemOf(w, w.ids.changed!, 'admin') }, body: { comment: 'Any' }, expect: 200 }],
  'POST /api/work-items/{id}/delegate': async (w) => {
    const doc = await w.api('admin', 'POST', '/api/workflow/submit', { documentType: 'purchase-requisition', title: 'Keyboards' }, 201);
    const item = await pendingItemOf(w, doc.id);
    return [{ as: 'alice', params: { id: item }, body: {}, expect: 400 }, { as: 'alice', params: { id: item }, body: { to: 'dave' }, expect: 200 }];
  },
  'POST /api/workflow/escalate': () => [{ as: 'admin', expect: 200 }],
  'POST /api/workflow/notifications/dispatch': () => [{ as: 'admin', expect: 200 }],
  'GET /api/workflow/parameters': () => [{ as: 'admin', expect: 200 }, { as: 'alice', expect: 403 }],
  'PATCH /api/workflow/parameters': () => [
    { as: 'admin', body: { disallowApprovalBySubmitter: true }, expect: 200 },
    { as: 'admin', body: {}, expect: 400 }, { as: 'admin', body: { disallowApprovalBySubmitter: 'no' }, expect: 400 },
  ],
  'GET /api/workflow/options': () => [{ as: 'alice', expect: 200 }],
  'PATCH /api/workflow/options': () => [{ as: 'alice', body: { sendNotificationsInEmail: false }, expect: 200 }, { as: 'alice', body: {}, expect: 400 }],

  // ── organizations and customers ──
  'GET /api/organizations': () => [{ as: 'alice', expect: 200 }],
  'POST /api/organizations': () => [{ as: 'admin', body: { code: 'USRT', name: 'Contoso Retail' }, expect: 201 }, { as: 'admin', body: { code: 'USRT', name: 'Again' }, expect: 409 }],
  'PATCH /api/organizations/{id}': () => [{ as: 'admin', params: { id: 'USRT' }, body: { name: 'Contoso Retail USA' }, expect: 200 }],
  'DELETE /api/organizations/{id}': () => [{ as: 'admin', params: { id: 'USRT' }, expect: 204 }, { as: 'admin', params: { id: 'USRT' }, expect: 404 }],
  'GET /api/accounts': () => [{ as: 'alice', expect: 200 }, { as: 'alice', query: 'q=sparrow&limit=5', expect: 200 }],
  'POST /api/accounts': () => [
    { as: 'alice', body: { name: 'Fabrikam', accountNumber: 'US-002', emails: ['info@fabrikam.test'], currency: 'USD' }, expect: 201 },
    { as: 'alice', body: { name: 'Fabrikam', accountNumber: 'US-002' }, expect: 409 },
    { as: 'alice', body: { name: 'Nope', rating: 5 }, expect: 400 },
  ],
  'GET /api/accounts/{id}': () => [{ as: 'alice', params: { id: 'US-001' }, expect: 200 }, { as: 'alice', params: { id: 'US-999' }, expect: 404 }],
  'PATCH /api/accounts/{id}': () => [{ as: 'alice', params: { id: 'US-002' }, body: { name: 'Fabrikam Inc.' }, expect: 200 }, { as: 'alice', params: { id: 'US-001' }, body: { name: 'Mine now' }, expect: 403 }],
  'POST /api/accounts/{id}/invoices': () => [{ as: 'alice', params: { id: 'US-002' }, body: { number: 'INV-9', invoiceDate: '2026-11-01', dueDate: '2026-12-01', amount: 99.5 }, expect: 201 }],
  'POST /api/accounts/{id}/statement/draft': () => [
    { as: 'alice', params: { id: 'US-001' }, body: { asOf: '2026-11-30' }, expect: 200 },
    { as: 'alice', params: { id: 'US-003' }, body: {}, expect: 409 },
  ],
  'POST /api/accounts/{id}/statement/send': () => [{ as: 'alice', params: { id: 'US-001' }, body: { provider: 'eml' }, expect: 200 }],
  'DELETE /api/accounts/{id}': () => [{ as: 'alice', params: { id: 'US-002' }, expect: 204 }, { as: 'alice', params: { id: 'US-002' }, expect: 404 }],
  'GET /api/contacts': () => [{ as: 'alice', expect: 200 }, { as: 'alice', query: 'account=US-001', expect: 200 }],
  'POST /api/contacts': () => [{ as: 'alice', body: { name: 'Pat Payables', emails: ['pat@sparrow.test'], account: 'US-003' }, expect: 201 }],
  'GET /api/contacts/{id}': (w) => [{ as: 'alice', params: { id: w.ids.contact! }, expect: 200 }, { as: 'alice', params: { id: 'none' }, expect: 404 }],
  'PATCH /api/contacts/{id}': (w) => [{ as: 'admin', params: { id: w.ids.contact! }, body: { purpose: 'Statements' }, expect: 200 }],
  'DELETE /api/contacts/{id}': async (w) => {
    const made = await w.api('alice', 'POST', '/api/contacts', { name: 'Temp Contact' }, 201);
    return [{ as: 'alice', params: { id: made.id }, expect: 204 }];
  },
  'GET /api/leads': () => [{ as: 'alice', expect: 200 }],
  'POST /api/leads': () => [{ as: 'alice', body: { name: 'Robin Prospect', companyName: 'Northwind', emails: ['robin@northwind.test'] }, expect: 201 }],
  'GET /api/leads/{id}': (w) => [{ as: 'alice', params: { id: w.ids.lead! }, expect: 200 }],
  'PATCH /api/leads/{id}': (w) => [{ as: 'alice', params: { id: w.ids.lead! }, body: { topic: 'Bulk order' }, expect: 200 }],
  'DELETE /api/leads/{id}': (w) => [{ as: 'alice', params: { id: w.ids.lead! }, expect: 204 }],
  'GET /api/activities': () => [{ as: 'alice', expect: 200 }, { as: 'alice', query: 'direction=outgoing', expect: 200 }],
  'POST /api/activities': () => [{ as: 'alice', body: { direction: 'outgoing', subject: 'Follow-up', text: 'Call me', to: ['casey@sparrow.test'] }, expect: 201 }],
  'GET /api/activities/{id}': (w) => [{ as: 'alice', params: { id: w.ids.activity! }, expect: 200 }, { as: 'alice', params: { id: 'none' }, expect: 404 }],
  'PATCH /api/activities/{id}': (w) => [{ as: 'alice', params: { id: w.ids.activity! }, body: { subject: 'Samples (2)' }, expect: 200 }],
  'GET /api/activities/{id}/attachments/{attachmentId}': (w) => [{ as: 'alice', params: { id: w.ids.activity!, attachmentId: w.ids.activityAttachment! }, expect: 200 }],
  'POST /api/activities/send': () => [
    { as: 'alice', body: { subject: 'Your samples', text: 'Here they are', to: ['casey@sparrow.test'] }, expect: 201 },
    { as: 'alice', body: { subject: 'x', to: ['casey@sparrow.test'], queue: 'no-such-queue' }, expect: 404 },
    { as: 'alice', body: { subject: 'x', to: ['casey@sparrow.test'], priority: 'high' }, expect: 400 },
    { as: 'nobody', body: { subject: 'x', to: ['casey@sparrow.test'] }, expect: 401 },
  ],
  'POST /api/activities/{id}/send': async (w) => {
    w.ids.sendDraft = String((await w.api('alice', 'POST', '/api/activities', { direction: 'outgoing', subject: 'Draft to send', text: 'Hello', to: ['casey@sparrow.test'] }, 201)).id);
    const id = w.ids.sendDraft;
    return [
      { as: 'admin', params: { id }, body: {}, expect: 403 },
      { as: 'alice', params: { id }, body: {}, expect: 200 },
      { as: 'alice', params: { id }, body: {}, expect: 409 },
      { as: 'alice', params: { id: 'none' }, body: {}, expect: 404 },
    ];
  },
  'POST /api/activities/{id}/cancel': (w) => [
    { as: 'alice', params: { id: w.ids.sendDraft! }, expect: 200 },
    { as: 'alice', params: { id: w.ids.sendDraft! }, expect: 409 },
  ],
  'DELETE /api/activities/{id}': (w) => [{ as: 'alice', params: { id: w.ids.activity! }, expect: 204 }],
  'GET /api/activity-templates': (w) => [
    { as: 'alice', expect: 200 }, { as: 'alice', query: `regarding=contact:${w.ids.contact}`, expect: 200 },
    { as: 'alice', query: 'regarding=contact:none', expect: 400 }, { as: 'nobody', expect: 401 },
  ],
  'POST /api/activity-templates/{id}/render': (w) => [
    { as: 'alice', params: { id: 'CONTRACT' }, body: { regarding: { type: 'contact', id: w.ids.contact! }, to: ['casey@sparrow.test'] }, expect: 200 },
    { as: 'alice', params: { id: 'WFNOTIFY' }, body: {}, expect: 400 },
    { as: 'alice', params: { id: 'none' }, body: {}, expect: 404 },
  ],

  // ── synchronization control plane (no mail server answers here: the tests report the failure) ──
  'GET /api/email-settings': () => [{ as: 'admin', expect: 200 }, { as: 'alice', expect: 403 }],
  'PATCH /api/email-settings': () => [{ as: 'admin', body: { transientRetries: 3 }, expect: 200 }, { as: 'admin', body: { maxAttachmentKB: 10 }, expect: 400 }],
  'GET /api/email-server-profiles': () => [{ as: 'admin', expect: 200 }],
  'POST /api/email-server-profiles': () => [
    { as: 'admin', body: { name: 'Contoso IMAP', serverType: 'imap', incomingHost: '127.0.0.1', incomingPort: 1, incomingSsl: false, outgoingHost: '127.0.0.1', outgoingPort: 1, outgoingSsl: false }, expect: 201 },
  ],
  'GET /api/email-server-profiles/{id}': () => [{ as: 'admin', params: { id: 'Contoso IMAP' }, expect: 200 }, { as: 'admin', params: { id: 'none' }, expect: 404 }],
  'PATCH /api/email-server-profiles/{id}': () => [{ as: 'admin', params: { id: 'Contoso IMAP' }, body: { description: 'Test servers' }, expect: 200 }],
  'POST /api/email-server-profiles/{id}/test': () => [{ as: 'admin', params: { id: 'Contoso IMAP' }, expect: 200 }],
  'GET /api/mailboxes': () => [{ as: 'admin', expect: 200 }, { as: 'alice', expect: 200 }],
  'GET /api/mailboxes/{id}': () => [{ as: 'alice', params: { id: 'alice@contoso.test' }, expect: 200 }, { as: 'alice', params: { id: 'admin@contoso.test' }, expect: 404 }],
  'PATCH /api/mailboxes/{id}': () => [{ as: 'admin', params: { id: 'alice@contoso.test' }, body: { profile: 'Contoso IMAP', incoming: 'sss' }, expect: 200 }],
  'POST /api/mailboxes/{id}/approve': () => [{ as: 'admin', params: { id: 'alice@contoso.test' }, expect: 200 }],
  'POST /api/mailboxes/{id}/reject': () => [{ as: 'admin', params: { id: 'admin@contoso.test' }, expect: 200 }, { as: 'alice', params: { id: 'admin@contoso.test' }, expect: 403 }],
  'POST /api/mailboxes/{id}/test-enable': () => [{ as: 'admin', params: { id: 'alice@contoso.test' }, expect: 200 }],
  'GET /api/mailboxes/{id}/alerts': () => [{ as: 'admin', params: { id: 'alice@contoso.test' }, expect: 200 }],
  'GET /api/alerts': () => [{ as: 'admin', query: 'limit=10', expect: 200 }],
  'POST /api/email-server-profiles/{id}/test-enable': () => [{ as: 'admin', params: { id: 'Contoso IMAP' }, expect: 202 }],
  'GET /api/sync-jobs/{id}': async (w) => {
    const job = await w.api('admin', 'POST', `/api/email-server-profiles/${encodeURIComponent('Contoso IMAP')}/test-enable`, undefined, 202);
    return [{ as: 'admin', params: { id: job.id }, expect: 200 }, { as: 'admin', params: { id: 'none' }, expect: 404 }];
  },
  'GET /api/mailbox-approvers': () => [{ as: 'admin', expect: 200 }],
  'POST /api/mailbox-approvers': () => [{ as: 'admin', body: { user: 'alice' }, expect: 200 }],
  'DELETE /api/mailbox-approvers/{id}': () => [{ as: 'admin', params: { id: 'alice' }, expect: 200 }],
  'GET /api/queues': () => [{ as: 'alice', expect: 200 }],
  'POST /api/queues': () => [{ as: 'admin', body: { name: 'Support', email: 'support@contoso.test', members: ['admin'] }, expect: 201 }, { as: 'alice', body: { name: 'X', email: 'x@contoso.test' }, expect: 403 }],
  'GET /api/queues/{id}': () => [{ as: 'alice', params: { id: 'Support' }, expect: 200 }],
  'PATCH /api/queues/{id}': () => [{ as: 'admin', params: { id: 'Support' }, body: { active: false }, expect: 200 }],

  // ── incoming synchronization: alice's mailbox synchronizes from a real Dovecot ──
  'GET /api/users/{id}/email-options': (w) => [{ as: 'alice', params: { id: 'me' }, expect: 200 }, { as: 'alice', params: { id: w.h.users.admin.id }, expect: 403 }],
  'PATCH /api/users/{id}/email-options': () => [
    { as: 'alice', params: { id: 'me' }, body: { tracking: 'all', autoCreate: true }, expect: 200 },
    { as: 'alice', params: { id: 'me' }, body: { tracking: 'everything' }, expect: 400 },
    { as: 'alice', params: { id: 'me' }, body: { colour: 'red' }, expect: 400 },
  ],
  'GET /api/users/{id}/folder-rules': () => [{ as: 'alice', params: { id: 'me' }, expect: 200 }],
  'POST /api/users/{id}/folder-rules': (w) => [
    { as: 'alice', params: { id: 'me' }, body: { folder: 'INBOX/Projects', regarding: `contact:${w.ids.contact}` }, expect: 201 },
    { as: 'alice', params: { id: 'me' }, body: { folder: 'INBOX/Projects' }, expect: 409 },
    { as: 'alice', params: { id: 'me' }, body: { folder: 'Projects' }, expect: 400 },
  ],
  'DELETE /api/users/{id}/folder-rules/{ruleId}': () => [
    { as: 'alice', params: { id: 'me', ruleId: 'INBOX/Projects' }, expect: 204 },
    { as: 'alice', params: { id: 'me', ruleId: 'INBOX/Projects' }, expect: 404 },
  ],
  'POST /api/mailboxes/{id}/sync': async (w) => {
    await syncFromDovecot(w);
    return [
      { as: 'alice', params: { id: 'alice@contoso.test' }, expect: 200 },
      { as: 'alice', params: { id: 'admin@contoso.test' }, expect: 404 },
      { as: 'admin', params: { id: 'dave@contoso.test' }, expect: 409 },
    ];
  },
  'POST /api/mailboxes/{id}/reconcile': () => [{ as: 'alice', params: { id: 'alice@contoso.test' }, expect: 200 }],
  'GET /api/mailboxes/{id}/sync-status': () => [{ as: 'alice', params: { id: 'alice@contoso.test' }, expect: 200 }, { as: 'alice', params: { id: 'admin@contoso.test' }, expect: 404 }],
  // Alice's mailbox sends through its own SMTP server, which refuses this recipient: the activity
  // fails, and is sent again.
  'POST /api/activities/{id}/resend': async (w) => {
    const sent = await w.api('alice', 'POST', '/api/activities/send', { subject: 'Fails to go', text: 'x', to: ['refuse-rcpt@sparrow.test'] }, 201);
    await w.api('admin', 'POST', '/api/distributor/run');
    const failed = await w.api('alice', 'GET', `/api/activities/${sent.id}`);
    assert.equal(failed.status, 'failed', JSON.stringify(failed));
    assert.match(failed.statusDetail, /^RECIPIENTS_REJECTED: 550/);
    return [
      { as: 'alice', params: { id: w.ids.sendDraft! }, expect: 409 },
      { as: 'alice', params: { id: 'none' }, expect: 404 },
      { as: 'alice', params: { id: sent.id }, expect: 200 },
    ];
  },

  // ── demo ──
  'GET /api/demo/refusals': () => [{ as: 'alice', expect: 200 }],
  'GET /api/demo/captured': () => [{ as: 'alice', expect: 200 }],
  'GET /api/demo/captured/{id}': (w) => [{ as: 'alice', params: { id: w.capture.list()[0]!.id }, expect: 200 }, { as: 'alice', params: { id: 'none' }, expect: 404 }],
  'GET /api/demo/captured/{id}/eml': (w) => [{ as: 'alice', params: { id: w.capture.list()[0]!.id }, expect: 200 }],
  'DELETE /api/demo/captured': () => [{ as: 'alice', expect: 403 }, { as: 'admin', expect: 204 }],
};

let dovecot: RunningDovecot | undefined;
let mailboxSmtp: RunningSmtpServer | undefined;
/** Alice's mailbox on a Dovecot profile, tested and enabled, with one message in her Inbox. */
async function syncFromDovecot(w: World): Promise<void> {
  dovecot ??= await startDovecot();
  // The mailbox's outgoing server: STARTTLS and sign-in, as a mailbox's channel always uses.
  mailboxSmtp ??= await startSmtpServer({ tls: 'starttls', accounts: () => true, onRcpt: (address) => (address.startsWith('refuse-rcpt@') ? { code: 550, text: '5.1.1 User unknown' } : undefined) });
  const server = dovecot.addUser('contract');
  await w.api('admin', 'POST', '/api/email-server-profiles', {
    name: `Dovecot ${server.username}`, serverType: 'imap', incomingHost: dovecot.host, incomingPort: dovecot.imapPort, incomingSsl: true,
    outgoingHost: mailboxSmtp.host, outgoingPort: mailboxSmtp.port, outgoingSsl: true, trustedCa: DOVECOT_CA,
  }, 201);
  await w.api('admin', 'PATCH', '/api/mailboxes/alice@contoso.test', { profile: `Dovecot ${server.username}`, incoming: 'sss', username: server.username, password: server.password, allowCredentials: true });
  await w.api('admin', 'POST', '/api/mailboxes/alice@contoso.test/approve');
  const enabled = await w.api('admin', 'POST', '/api/mailboxes/alice@contoso.test/test-enable');
  assert.equal(enabled.channels.incoming.enabled, true, JSON.stringify(enabled.channels.incoming));
  assert.equal(enabled.channels.outgoing.enabled, true, JSON.stringify(enabled.channels.outgoing));
  await dovecot.deliver(server, ['From: Robin <robin@northwind.test>\r\nTo: alice@contoso.test\r\nSubject: Hello\r\nMessage-ID: <contract-1@northwind.test>\r\n\r\nHi\r\n']);
}

async function setUp(h: ApiHarness, smtp: RunningSmtpServer, capture: CaptureServer): Promise<World> {
  const tokenOf = (as: Who) => (as === 'nobody' ? null : h.tokens[as]);
  const api: World['api'] = async (as, method, url, body, expect) => {
    const res = await h.call(method, url, { token: tokenOf(as), body });
    assert.equal(res.status, expect ?? 200, `${method} ${url}: ${res.text}`);
    return res.body;
  };
  const ids: Record<string, string> = { smtpHost: smtp.host, smtpPort: String(smtp.port) };
  await api('admin', 'PATCH', '/api/parameters', { smtp: { host: smtp.host, port: smtp.port, sslRequired: false } });
  ids.dave = (await api('admin', 'POST', '/api/users', { username: 'dave', email: 'dave@contoso.test' }, 201)).id;

  ids.sentEmail = (await api('alice', 'POST', '/api/emails', {
    to: 'bob@fabrikam.test', subject: 'With a file', body: 'See the attachment.', attachments: [attachment('terms.txt', Buffer.from('Net 30'), 'text/plain')],
  }, 201)).email.id;
  ids.failedEmail = (await api('alice', 'POST', '/api/emails', { to: 'refuse-rcpt@fabrikam.test', subject: 'Refused' }, 201)).email.id;
  await api('admin', 'POST', '/api/distributor/run');

  await api('admin', 'POST', '/api/templates', { ...template('WFNOTIFY', 'workflow') }, 201);
  await api('admin', 'POST', '/api/templates', { ...template('STATEMENT', 'statement') }, 201);
  ids.template = (await api('admin', 'POST', '/api/templates', template('CONTRACT'), 201)).id;
  ids.workflow = (await api('admin', 'POST', '/api/workflows', workflow('PURCH'), 201)).id;
  ids.instance = (await api('admin', 'POST', '/api/workflow/submit', { documentType: 'purchase-requisition', title: 'Office chairs', ref: 'PR-0' }, 201)).id;

  await api('admin', 'POST', '/api/accounts', { accountNumber: 'US-001', name: 'Sparrow Retail', currency: 'USD' }, 201);
  ids.contact = (await api('admin', 'POST', '/api/contacts', { name: 'Casey Collections', emails: ['casey@sparrow.test'], purpose: 'Statements', account: 'US-001' }, 201)).id;
  await api('admin', 'POST', '/api/accounts/US-001/invoices', { number: 'INV-1', invoiceDate: '2026-10-01', dueDate: '2026-10-31', amount: 120 }, 201);
  await api('admin', 'POST', '/api/accounts', { accountNumber: 'US-003', name: 'No Contacts Ltd', currency: 'USD' }, 201);
  ids.lead = (await api('alice', 'POST', '/api/leads', { name: 'Sam Lead' }, 201)).id;
  const activity = await api('alice', 'POST', '/api/activities', {
    direction: 'outgoing', subject: 'Samples', html: '<p>See attached</p>', to: ['casey@sparrow.test'],
    attachments: [attachment('samples.csv', Buffer.from('a,b\n1,2\n'), 'text/csv')],
  }, 201);
  ids.activity = activity.id;
  ids.activityAttachment = activity.attachments[0].id;

  // The demo's capture server receives one email, through Mailroom.
  await api('admin', 'PATCH', '/api/parameters', { smtp: { host: capture.host, port: capture.port } });
  await api('alice', 'POST', '/api/send', { to: 'demo@fabrikam.test', subject: 'Captured', provider: 'smtp' });
  await api('admin', 'PATCH', '/api/parameters', { smtp: { host: smtp.host, port: smtp.port } });
  assert.equal(capture.list().length, 1);
  return { h, capture, ids, api };
}

const urlOf = (path: string, call: Call) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = call.params?.[name];
    assert.ok(value !== undefined, `${path}: no value for {${name}}`);
    return encodeURIComponent(String(value));
  }) + (call.query ? `?${call.query}` : '');

for (const dialect of DIALECTS) {
  describe(`the API contract on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    let smtp: RunningSmtpServer;
    let capture: CaptureServer;
    let doc: Json;
    /** What the last request's handler gave the serializer (as JSON would write it), if any. */
    let handed: { payload: unknown } | null = null;

    before(async () => {
      smtp = await startSmtpServer({ onRcpt: (address) => (address.startsWith('refuse-rcpt@') ? { code: 550, text: '5.1.1 User unknown' } : undefined) });
      capture = await startCaptureServer({ port: 0 });
      h = await startApi(dialect, {
        extraRoutes: (app, ctx) => {
          capturedRoutes(app, capture, ctx);
          app.addHook('preSerialization', async (_request, _reply, payload) => {
            handed = { payload: JSON.parse(JSON.stringify(payload ?? null)) };
            return payload;
          });
        },
      });
      doc = (await h.call('GET', '/openapi.json')).body;
    });
    after(async () => {
      await h.close();
      await smtp.close();
      await capture.close();
      await dovecot?.stop();
      dovecot = undefined;
      await mailboxSmtp?.close();
      mailboxSmtp = undefined;
    });

    it('publishes a valid OpenAPI 3.1 document, every operation with a success answer and its security', async () => {
      assert.equal(await documentProblems(doc), null);
      assert.deepEqual(exampleProblems(doc), [], 'request examples that their schema refuses');
      for (const op of ['POST /api/emails', 'POST /api/send', 'POST /api/session']) {
        const [method, path] = op.split(' ') as [string, string];
        assert.ok(doc.paths[path][method.toLowerCase()].requestBody.content['application/json'].examples, `${op} has no request examples`);
      }
      assert.equal(doc.openapi, '3.1.0');
      for (const op of operationsOf(doc)) {
        const [method, path] = op.split(' ') as [string, string];
        const operation = doc.paths[path][method.toLowerCase()];
        assert.ok(Object.keys(operation.responses).some((s) => /^2\d\d$/.test(s)), `${op} declares no success answer`);
        assert.ok(Array.isArray(operation.security), `${op} declares no security`);
        assert.ok(operation.tags?.length && operation.summary, `${op} needs a tag and a summary`);
      }
    });

    it('answers every operation as the document says, for an administrator, a user and nobody', async () => {
      const check = answerChecker(doc);
      const checkHanded = answerChecker(closedDocument(doc));
      const world = await setUp(h, smtp, capture);
      const operations = operationsOf(doc);
      const stale = Object.keys(CALLS).filter((op) => !operations.includes(op));
      assert.deepEqual(stale, [], 'CALLS lists operations the document does not have');
      const problems: string[] = [];
      const reached = new Set<string>();
      const call_ = async (method: Parameters<ApiHarness['call']>[0], url: string, options: Parameters<ApiHarness['call']>[2]) => {
        handed = null;
        return { answer: await h.call(method, url, options), handed: handed as { payload: unknown } | null };
      };
      const record = (op: string, call: Call, { answer, handed }: { answer: Answer; handed: { payload: unknown } | null }) => {
        if (answer.status !== call.expect) problems.push(`${op} as ${call.as} answered ${answer.status}, expected ${call.expect}: ${answer.text.slice(0, 300)}`);
        const mismatch = check(op, answer);
        if (mismatch) problems.push(`${mismatch} (as ${call.as})`);
        const json = String(answer.headers['content-type'] ?? '').startsWith('application/json');
        if (json && !handed) problems.push(`${op} as ${call.as}: no payload reached the serializer hook, so its fields went unchecked`);
        if (handed && !mismatch) {
          const undeclared = checkHanded(op, { ...answer, body: handed.payload, text: JSON.stringify(handed.payload) });
          if (undeclared) problems.push(`the handler's own payload: ${undeclared} (as ${call.as})`);
        }
        if (answer.status === call.expect && /^2/.test(String(answer.status))) reached.add(op);
      };

      for (const [op, calls] of Object.entries(CALLS)) {
        const [method, path] = op.split(' ') as [Parameters<ApiHarness['call']>[0], string];
        for (const call of await calls(world)) {
          const token = call.as === 'nobody' ? null : h.tokens[call.as];
          record(op, call, await call_(method, urlOf(path, call), { token, body: call.body, headers: call.headers }));
        }
      }
      // Nobody: every operation that needs a token refuses, in the registry's shape.
      for (const op of operations) {
        const [method, path] = op.split(' ') as [Parameters<ApiHarness['call']>[0], string];
        const security = doc.paths[path][method.toLowerCase()].security as unknown[];
        if (security.length === 0) continue;
        const url = path.replace(/\{\w+\}/g, 'x');
        record(op, { as: 'nobody', expect: 401 }, await call_(method, url, { body: method === 'GET' || method === 'DELETE' ? undefined : {} }));
      }

      const unreached = operations.filter((op) => !reached.has(op));
      assert.deepEqual(problems, [], 'answers that do not match the document');
      assert.deepEqual(unreached, [], 'operations no call reached with a success answer: add them to CALLS in test/api/contract.test.ts');
    });
  });
}
