// Demo data for templates, workflow, statements and the CRM: organization USMF, account US-008
// Sparrow Retail (owned by June) with its Statements contact and open invoices, a lead, an
// incoming email activity regarding the account, the notification and statement templates, and
// a two-step purchase requisition workflow. Made once; later demo starts keep it.
import type { AppContext } from '../app-context.ts';
import { addAccountInvoice, createAccount } from '../crm/accounts.service.ts';
import { createContact } from '../crm/contacts.service.ts';
import { createIncomingActivity } from '../crm/email-activity.service.ts';
import { createLead } from '../crm/leads.service.ts';
import { createOrganization, listOrganizations } from '../crm/organizations.service.ts';
import { createTemplate } from '../templates/templates.service.ts';
import { findUser, listUsers } from '../users/users.service.ts';
import { createDefinition } from '../workflow/workflow-definitions.service.ts';

const NOTIFICATION_HTML = `<p>Hello %for%,</p>
<p>%message%</p>
<table>
  <tr><th align="left">Event</th><td>%event% (%occurred%)</td></tr>
  <tr><th align="left">Document</th><td>%document% %document.ref%</td></tr>
  <tr><th align="left">Submitted by</th><td>%originator%</td></tr>
  <tr><th align="left">Work item owner</th><td>%workitem.owner%</td></tr>
</table>
<p>%workflow% · %company%</p>`;

const STATEMENT_HTML = `<p>Dear %contact.name%,</p>
<p>Please find the statement of account %customer.account% as of %statement.date% attached. Open invoices:</p>
<table>
  <tr><th align="left">Invoice</th><th align="left">Date</th><th align="left">Due</th><th align="right">Open</th></tr>
  <!--%tablebegin.invoice%--><tr><td>%invoice.number%</td><td>%invoice.date%</td><td>%invoice.due%</td><td align="right">%invoice.open%</td></tr><!--%tableend.invoice%-->
</table>
<p>Total open: %statement.total% %currency%</p>
<p>Kind regards,<br>%sender%<br>%company%</p>`;

export async function seedDemoCrm(ctx: AppContext): Promise<void> {
  if ((await listOrganizations(ctx)).some((o) => o.code === 'USMF')) return;
  await createOrganization(ctx, { code: 'USMF', name: 'Contoso USA' });

  await createTemplate(ctx, null, {
    emailId: 'WFNOTIFY', kind: 'workflow', description: 'Workflow notifications (system)', senderName: 'Mailroom Workflow',
    senderEmail: 'workflow@mailroom.demo', defaultLanguage: 'en-us',
    messages: [
      { language: 'en-us', subject: '%subject%', html: NOTIFICATION_HTML },
      { language: 'de', subject: '[Workflow] %subject%', html: '<p>Hallo %for%,</p><p>%message%</p><p>%event%: %document% (%originator%)</p>' },
    ],
  });
  await createTemplate(ctx, 'USMF', {
    emailId: 'WFNOTIFY', kind: 'workflow', description: 'Workflow notifications (USMF)', senderName: 'Contoso USA Workflow',
    senderEmail: 'workflow@usmf.mailroom.demo', defaultLanguage: 'en-us',
    messages: [{ language: 'en-us', subject: '[USMF] %subject%', html: NOTIFICATION_HTML }],
  });
  await createTemplate(ctx, 'USMF', {
    emailId: 'STATEMENT', kind: 'statement', description: 'Customer statement', senderName: 'Contoso USA Collections',
    senderEmail: 'collections@mailroom.demo', defaultLanguage: 'en-us', priority: 'normal',
    messages: [{ language: 'en-us', subject: 'Statement of account %customer.account% as of %statement.date%', html: STATEMENT_HTML }],
  });

  // June works the collections; without her (tests seed their own users) the first administrator.
  const owner = await findUser(ctx, 'june').catch(async () => (await listUsers(ctx)).find((u) => u.role === 'admin'));
  if (!owner) throw new Error('The demo CRM data needs a user to own it.');
  const account = await createAccount(ctx, owner, { accountNumber: 'US-008', name: 'Sparrow Retail', organization: 'USMF', currency: 'USD', emails: ['info@sparrow-retail.demo'] });
  await createContact(ctx, owner, { account: 'US-008', name: 'Sam Rivera', emails: ['sam.rivera@sparrow-retail.demo'], purpose: 'Purchasing' });
  await createContact(ctx, owner, { account: 'US-008', name: 'Dana Collins', emails: ['collections@sparrow-retail.demo'], purpose: 'Statements' });
  await addAccountInvoice(ctx, owner, 'US-008', { number: 'CIV-000412', invoiceDate: '2026-08-14', dueDate: '2026-09-13', amount: 1840, open: 640 });
  await addAccountInvoice(ctx, owner, 'US-008', { number: 'CIV-000468', invoiceDate: '2026-09-22', dueDate: '2026-10-22', amount: 2315.5 });
  await addAccountInvoice(ctx, owner, 'US-008', { number: 'CIV-000503', invoiceDate: '2026-10-30', dueDate: '2026-11-29', amount: 975.25 });
  await createLead(ctx, owner, { name: 'Riley Chen', companyName: 'Northwind Traders', topic: 'Store fittings for three branches', emails: ['riley.chen@northwind.demo'] });
  await createIncomingActivity(ctx, {
    dedupeKey: 'demo:sparrow-remittance', messageId: '<remittance-0412@sparrow-retail.demo>', subject: 'Remittance advice for CIV-000412',
    text: 'Hello June,\n\nwe paid 1,200.00 of invoice CIV-000412 today; the rest follows with the next run.\n\nDana Collins\nSparrow Retail',
    html: '<p>Hello June,</p><p>we paid <b>1,200.00</b> of invoice CIV-000412 today; the rest follows with the next run.</p><p>Dana Collins<br>Sparrow Retail</p>',
    from: { address: 'collections@sparrow-retail.demo', name: 'Dana Collins' }, to: [{ address: owner.email, name: owner.name }],
    receivedAt: Date.UTC(2026, 10, 20, 14, 5), sentAt: Date.UTC(2026, 10, 20, 14, 4),
    regarding: { type: 'account', id: account.id }, ownerId: owner.id, accepting: { type: 'user', id: owner.id },
  });

  const notify = (text: string, recipients: ('originator' | 'workitem-owner')[]) => ({ text, recipients: recipients.map((type) => ({ type })) });
  await createDefinition(ctx, {
    code: 'PURCHREQ', name: 'Purchase requisition approval', documentType: 'purchase-requisition', templateEmailId: 'WFNOTIFY',
    notifications: {
      started: notify('Your purchase requisition %document% was submitted for approval.', ['originator']),
      completed: notify('Your purchase requisition %document% is approved.', ['originator']),
      terminated: notify('The workflow for %document% was cancelled by %actor%.', ['originator']),
    },
    steps: [
      {
        name: 'Manager approval', assignTo: { type: 'user', users: ['june'] }, workItemSubject: 'Approve purchase requisition %document.ref%: %document%',
        instructions: 'Check the amount against the department budget.',
        notifications: {
          'workitem-created': notify('Please review %document%, submitted by %originator%.', ['workitem-owner']),
          reject: notify('%actor% rejected %document%: %comment%', ['originator']),
          'request-change': notify('Please change %document% and resubmit it: %comment%', ['workitem-owner']),
          delegate: notify('%document% was delegated to you by %actor%.', ['workitem-owner']),
        },
      },
      {
        name: 'Finance approval', assignTo: { type: 'role', role: 'admin' }, completionPolicy: 'single',
        notifications: {
          'workitem-created': notify('Please give the finance approval for %document%.', ['workitem-owner']),
          approve: notify('%actor% gave the finance approval for %document%.', ['originator']),
          reject: notify('%actor% rejected %document%: %comment%', ['originator']),
          'request-change': notify('Please change %document% and resubmit it: %comment%', ['workitem-owner']),
        },
      },
    ],
  });
}
