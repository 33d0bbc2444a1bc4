// The console's pages: one file per page in pages/, one line here per page (react-router matches
// the paths; a page reads its `:id` parts with useParams()). A line with a `nav`
// label appears in the menu under its group; `access: 'admin'` pages refuse other users.
import type { ComponentType } from 'react';
import { CapturedDetailPage } from './pages/captured-detail.page.tsx';
import { CapturedMailPage } from './pages/captured-mail.page.tsx';
import { DistributorPage } from './pages/distributor.page.tsx';
import { EmailDetailPage } from './pages/email-detail.page.tsx';
import { EmailHistoryPage } from './pages/email-history.page.tsx';
import { EmailParametersPage } from './pages/email-parameters.page.tsx';
import { HomePage } from './pages/home.page.tsx';
import { SendEmailPage } from './pages/send-email.page.tsx';
import { SendingStatusPage } from './pages/sending-status.page.tsx';
import { UserOptionsPage } from './pages/user-options.page.tsx';
import { EmailTrackingPage } from './pages/email-tracking.page.tsx';
import { UsersPage } from './pages/users.page.tsx';
import { AccountPage, AccountsPage } from './pages/crm/accounts.page.tsx';
import { ActivitiesPage, ActivityPage } from './pages/crm/activities.page.tsx';
import { ContactPage, ContactsPage } from './pages/crm/contacts.page.tsx';
import { LeadPage, LeadsPage } from './pages/crm/leads.page.tsx';
import { OrganizationTemplatesPage, SystemTemplatesPage } from './pages/email-templates.page.tsx';
import { OrganizationsPage } from './pages/organizations.page.tsx';
import { SendStatementPage } from './pages/send-statement.page.tsx';
import { WorkItemsPage } from './pages/work-items.page.tsx';
import { WorkflowHistoryPage } from './pages/workflow-history.page.tsx';
import { WorkflowInstancesPage } from './pages/workflow-instances.page.tsx';
import { WorkflowsPage } from './pages/workflows.page.tsx';
import { AlertsWallPage, EmailSettingsPage, MailboxesPage, QueuesPage, ServerProfilesPage } from './pages/sync.pages.tsx';

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
