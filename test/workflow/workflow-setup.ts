// Shared set-up for workflow tests: the people of a small approval workflow, a notification
// template in two languages, and a helper that delivers the queue and returns what arrived.
import { simpleParser } from 'mailparser';
import type { AppContext } from '../../src/app-context.ts';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import type { ProviderRegistry } from '../../src/outbound/provider-registry.ts';
import type { TemplateInput } from '../../src/templates/templates.service.ts';
import { createUser, setOptions, type User } from '../../src/users/users.service.ts';
import type { DefinitionInput } from '../../src/workflow/workflow-definition.ts';
import type { RunningSmtpServer } from '../fixtures/smtp-server.ts';

export interface People {
  readonly admin: User;
  readonly omar: User;
  readonly june: User;
  readonly fiona: User;
  readonly ken: User;
  readonly alice: User;
}

/** Omar submits; June (German) approves first; the administrators approve second; Ken has notifications off. */
export async function seedPeople(ctx: AppContext, base: { admin: User; alice: User }): Promise<People> {
  const omar = await createUser(ctx, { username: 'omar', name: 'Omar Haddad', email: 'omar@contoso.test' });
  const june = await createUser(ctx, { username: 'june', name: 'June Park', email: 'june@contoso.test', language: 'de' });
  const fiona = await createUser(ctx, { username: 'fiona', name: 'Fiona Finance', email: 'fiona@contoso.test', role: 'admin' });
  const ken = await createUser(ctx, { username: 'ken', name: 'Ken Quiet', email: 'ken@contoso.test' });
  await setOptions(ctx, ken.id, { sendNotificationsInEmail: false });
  return { ...base, omar, june, fiona, ken };
}

export const notificationTemplate = (overrides: Partial<TemplateInput> = {}): TemplateInput => ({
  emailId: 'WFNOTIFY', kind: 'workflow', description: 'Workflow notifications', senderName: 'Contoso Workflow',
  senderEmail: 'workflow@contoso.test', defaultLanguage: 'en-us',
  messages: [
    { language: 'en-us', subject: '%subject%', html: '<p>Hello %for%,</p><p>%message%</p><p>%event%: %document% (%document.ref%), %occurred%, %company%</p>' },
    { language: 'de', subject: '[DE] %subject%', html: '<p>Hallo %for%,</p><p>%message%</p>' },
  ],
  ...overrides,
});

export const approvalWorkflow = (overrides: Partial<DefinitionInput> = {}): DefinitionInput => ({
  code: 'PURCHREQ', name: 'Purchase requisition approval', documentType: 'purchase-requisition', templateEmailId: 'WFNOTIFY',
  notifications: {
    started: { text: 'Your requisition %document% was submitted.', recipients: [{ type: 'originator' }] },
    completed: { text: 'Requisition %document% is approved.', recipients: [{ type: 'originator' }, { type: 'user', users: ['ken'] }] },
    terminated: { enabled: false, text: '%document% was cancelled.', recipients: [{ type: 'originator' }] },
  },
  steps: [
    {
      name: 'Manager approval', assignTo: { type: 'user', users: ['june'] }, workItemSubject: 'Approve %document.ref%: %document%',
      instructions: 'Check the budget of %originator%.',
      notifications: {
        'workitem-created': { text: 'Please approve %document%.', translations: { de: 'Bitte %document% genehmigen.' }, recipients: [{ type: 'workitem-owner' }] },
        approve: { text: '%actor% approved %document%.', recipients: [{ type: 'originator' }] },
        reject: { text: '%actor% rejected %document%: %comment%', recipients: [{ type: 'originator' }] },
        'request-change': { text: 'Please change %document%: %comment%', recipients: [{ type: 'workitem-owner' }] },
        delegate: { text: '%document% now waits for %workitem.owner%.', recipients: [{ type: 'workitem-owner' }] },
        escalate: { text: '%document% is overdue and now yours.', recipients: [{ type: 'workitem-owner' }, { type: 'originator' }] },
      },
    },
    {
      name: 'Finance approval', assignTo: { type: 'role', role: 'admin' }, completionPolicy: 'all',
      notifications: { 'workitem-created': { text: 'Please approve %document%.', recipients: [{ type: 'workitem-owner' }] } },
    },
  ],
  ...overrides,
});

export interface Arrived {
  readonly to: string;
  readonly from: string;
  readonly subject: string;
  readonly html: string;
}

/** Runs the distributor and returns the mails that arrived since the last call, sorted. */
export function createInbox(ctx: AppContext, providers: ProviderRegistry, smtp: RunningSmtpServer) {
  let seen = 0;
  return async function deliver(): Promise<Arrived[]> {
    await runDistributorPass(ctx, providers);
    const fresh = smtp.mails.slice(seen);
    seen = smtp.mails.length;
    const out: Arrived[] = [];
    for (const m of fresh) {
      const parsed = await simpleParser(m.raw);
      for (const to of m.to) out.push({ to, from: parsed.from?.value[0]?.address ?? '', subject: parsed.subject ?? '', html: String(parsed.html || '') });
    }
    return out.sort((a, b) => (a.to + a.subject).localeCompare(b.to + b.subject));
  };
}

export const pairs = (mails: readonly Arrived[]) => mails.map((m) => `${m.to} | ${m.subject}`);
