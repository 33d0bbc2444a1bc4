// The console's pages: one file per page in pages/, one line here per page (react-router matches
// the paths; a page reads its `:id` parts with useParams()). A line with a `nav`
// label appears in the menu under its group; `access: 'admin'` pages refuse other users.
import { lazy, type ComponentType } from 'react';

/**
 * A page loaded when it is first opened: each page file is a chunk of its own, so the console's
 * first load carries the shell and the page it opens on, not every page and library (TipTap,
 * the chart) at once. The shell shows progress while a page's chunk loads (app.tsx, Suspense).
 */
function lazyPage<M extends Record<K, ComponentType>, K extends keyof M & string>(load: () => Promise<M>, name: K): ComponentType {
  return lazy(async (): Promise<{ default: ComponentType }> => ({ default: (await load())[name] }));
}

const CapturedDetailPage = lazyPage(() => import('./pages/captured-detail.page.tsx'), 'CapturedDetailPage');
const CapturedMailPage = lazyPage(() => import('./pages/captured-mail.page.tsx'), 'CapturedMailPage');
const DistributorPage = lazyPage(() => import('./pages/distributor.page.tsx'), 'DistributorPage');
const EmailDetailPage = lazyPage(() => import('./pages/email-detail.page.tsx'), 'EmailDetailPage');
const EmailHistoryPage = lazyPage(() => import('./pages/email-history.page.tsx'), 'EmailHistoryPage');
const EmailParametersPage = lazyPage(() => import('./pages/email-parameters.page.tsx'), 'EmailParametersPage');
const HomePage = lazyPage(() => import('./pages/home.page.tsx'), 'HomePage');
const SendEmailPage = lazyPage(() => import('./pages/send-email.page.tsx'), 'SendEmailPage');
const SendingStatusPage = lazyPage(() => import('./pages/sending-status.page.tsx'), 'SendingStatusPage');
const UserOptionsPage = lazyPage(() => import('./pages/user-options.page.tsx'), 'UserOptionsPage');
const EmailTrackingPage = lazyPage(() => import('./pages/email-tracking.page.tsx'), 'EmailTrackingPage');
const UsersPage = lazyPage(() => import('./pages/users.page.tsx'), 'UsersPage');
const AccountPage = lazyPage(() => import('./pages/crm/accounts.page.tsx'), 'AccountPage');
const AccountsPage = lazyPage(() => import('./pages/crm/accounts.page.tsx'), 'AccountsPage');
const ActivitiesPage = lazyPage(() => import('./pages/crm/activities.page.tsx'), 'ActivitiesPage');
const ActivityPage = lazyPage(() => import('./pages/crm/activities.page.tsx'), 'ActivityPage');
const ContactPage = lazyPage(() => import('./pages/crm/contacts.page.tsx'), 'ContactPage');
const ContactsPage = lazyPage(() => import('./pages/crm/contacts.page.tsx'), 'ContactsPage');
const LeadPage = lazyPage(() => import('./pages/crm/leads.page.tsx'), 'LeadPage');
const LeadsPage = lazyPage(() => import('./pages/crm/leads.page.tsx'), 'LeadsPage');
const OrganizationTemplatesPage = lazyPage(() => import('./pages/email-templates.page.tsx'), 'OrganizationTemplatesPage');
const SystemTemplatesPage = lazyPage(() => import('./pages/email-templates.page.tsx'), 'SystemTemplatesPage');
const OrganizationsPage = lazyPage(() => import('./pages/organizations.page.tsx'), 'OrganizationsPage');
const SendStatementPage = lazyPage(() => import('./pages/send-statement.page.tsx'), 'SendStatementPage');
const WorkItemsPage = lazyPage(() => import('./pages/work-items.page.tsx'), 'WorkItemsPage');
const WorkflowHistoryPage = lazyPage(() => import('./pages/workflow-history.page.tsx'), 'WorkflowHistoryPage');
const WorkflowInstancesPage = lazyPage(() => import('./pages/workflow-instances.page.tsx'), 'WorkflowInstancesPage');
const WorkflowsPage = lazyPage(() => import('./pages/workflows.page.tsx'), 'WorkflowsPage');
const AlertsWallPage = lazyPage(() => import('./pages/sync.pages.tsx'), 'AlertsWallPage');
const EmailSettingsPage = lazyPage(() => import('./pages/sync.pages.tsx'), 'EmailSettingsPage');
const MailboxesPage = lazyPage(() => import('./pages/sync.pages.tsx'), 'MailboxesPage');
const QueuesPage = lazyPage(() => import('./pages/sync.pages.tsx'), 'QueuesPage');
const ServerProfilesPage = lazyPage(() => import('./pages/sync.pages.tsx'), 'ServerProfilesPage');

export interface PageRoute {
  readonly path: string;
  readonly component: ComponentType;
  readonly access: 'user' | 'admin';
  readonly nav?: { readonly label: string; readonly group: NavGroup };
  /** Only when the server runs with --demo. */
  readonly demoOnly?: boolean;
}

export const NAV_GROUPS = ['Email', 'Workflow', 'Customers', 'Synchronization', 'Administration', 'Settings', 'Demo'] as const;
export type NavGroup = (typeof NAV_GROUPS)[number];

export const ROUTES: readonly PageRoute[] = [
  { path: '/', component: HomePage, access: 'user', nav: { label: 'Home', group: 'Email' } },
  { path: '/send', component: SendEmailPage, access: 'user', nav: { label: 'Send email', group: 'Email' } },
  { path: '/history', component: EmailHistoryPage, access: 'user', nav: { label: 'Email history', group: 'Email' } },
  { path: '/history/:id', component: EmailDetailPage, access: 'user' },
  { path: '/sending-status', component: SendingStatusPage, access: 'user', nav: { label: 'Batch email sending status', group: 'Email' } },
  { path: '/parameters', component: EmailParametersPage, access: 'admin', nav: { label: 'Email parameters', group: 'Administration' } },
  { path: '/distributor', component: DistributorPage, access: 'admin', nav: { label: 'Email distributor batch', group: 'Administration' } },
  { path: '/users', component: UsersPage, access: 'admin', nav: { label: 'Users', group: 'Administration' } },
  { path: '/users/:id/options', component: UserOptionsPage, access: 'admin' },
  { path: '/options', component: UserOptionsPage, access: 'user', nav: { label: 'User options', group: 'Settings' } },
  { path: '/email-tracking', component: EmailTrackingPage, access: 'user', nav: { label: 'Email tracking', group: 'Settings' } },
  { path: '/captured', component: CapturedMailPage, access: 'user', demoOnly: true, nav: { label: 'Captured mail', group: 'Demo' } },
  { path: '/captured/:id', component: CapturedDetailPage, access: 'user', demoOnly: true },
  { path: '/work-items', component: WorkItemsPage, access: 'user', nav: { label: 'Work items', group: 'Workflow' } },
  { path: '/workflow/instances', component: WorkflowInstancesPage, access: 'user', nav: { label: 'Submitted workflows', group: 'Workflow' } },
  { path: '/workflow/instances/:id', component: WorkflowHistoryPage, access: 'user' },
  { path: '/accounts', component: AccountsPage, access: 'user', nav: { label: 'Accounts', group: 'Customers' } },
  { path: '/accounts/:id', component: AccountPage, access: 'user' },
  { path: '/accounts/:id/statement', component: SendStatementPage, access: 'user' },
  { path: '/contacts', component: ContactsPage, access: 'user', nav: { label: 'Contacts', group: 'Customers' } },
  { path: '/contacts/:id', component: ContactPage, access: 'user' },
  { path: '/leads', component: LeadsPage, access: 'user', nav: { label: 'Leads', group: 'Customers' } },
  { path: '/leads/:id', component: LeadPage, access: 'user' },
  { path: '/activities', component: ActivitiesPage, access: 'user', nav: { label: 'Email activities', group: 'Customers' } },
  { path: '/activities/:id', component: ActivityPage, access: 'user' },
  { path: '/templates/system', component: SystemTemplatesPage, access: 'admin', nav: { label: 'System email templates', group: 'Administration' } },
  { path: '/templates/organization', component: OrganizationTemplatesPage, access: 'admin', nav: { label: 'Organization email templates', group: 'Administration' } },
  { path: '/organizations', component: OrganizationsPage, access: 'admin', nav: { label: 'Organizations', group: 'Administration' } },
  { path: '/workflows', component: WorkflowsPage, access: 'admin', nav: { label: 'Workflows', group: 'Administration' } },
  { path: '/sync/mailboxes', component: MailboxesPage, access: 'user', nav: { label: 'Mailboxes', group: 'Synchronization' } },
  { path: '/sync/alerts', component: AlertsWallPage, access: 'user', nav: { label: 'Alerts', group: 'Synchronization' } },
  { path: '/sync/queues', component: QueuesPage, access: 'user', nav: { label: 'Queues', group: 'Synchronization' } },
  { path: '/sync/settings', component: EmailSettingsPage, access: 'admin', nav: { label: 'Email settings', group: 'Synchronization' } },
  { path: '/sync/profiles', component: ServerProfilesPage, access: 'admin', nav: { label: 'Email server profiles', group: 'Synchronization' } },
];
