// Each kind of template declares the placeholders it offers, with sample values for previews.
// A template may only use what its kind offers; the check runs when the template is saved.
import type { TemplateData, Vocabulary } from './template-syntax.ts';

export const TEMPLATE_KINDS = ['workflow', 'statement', 'general'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export interface PlaceholderSpec {
  readonly name: string;
  readonly description: string;
  readonly sample: string;
}

export interface KindSpec {
  readonly kind: TemplateKind;
  readonly description: string;
  readonly placeholders: readonly PlaceholderSpec[];
  readonly tables: Readonly<Record<string, TableSpec>>;
}

export interface TableSpec {
  readonly description: string;
  /** Each column with the first sample row's value. */
  readonly columns: readonly PlaceholderSpec[];
  readonly sampleRows: number;
}

/** A repeating block: its columns, and sample rows that read like real ones (and add up where a total is shown). */
function table(description: string, columns: readonly Omit<PlaceholderSpec, 'sample'>[], rows: readonly (readonly string[])[]): TableSpec {
  const spec = { description, sampleRows: rows.length, columns: columns.map((c, i) => ({ ...c, sample: rows[0]![i]! })) };
  SAMPLE_ROWS.set(spec, rows);
  return spec;
}
/** The sample rows of each table, beside its spec (the API answers the spec as it is). */
const SAMPLE_ROWS = new WeakMap<TableSpec, readonly (readonly string[])[]>();

const p = (name: string, description: string, sample: string): PlaceholderSpec => ({ name, description, sample });

/** The merge data of a workflow notification (see the workflow notifier for how each is filled). */
export const WORKFLOW_PLACEHOLDERS: readonly PlaceholderSpec[] = [
  p('subject', 'The notification subject: the work item subject, or the event and the document', 'Approve purchase requisition PR-000123'),
  p('message', 'The notification text set on the workflow event, with its own placeholders filled', 'Please review the requisition for office chairs.'),
  p('event', 'What happened', 'Work item created'),
  p('occurred', 'When it happened (UTC)', '2026-11-23 09:00 UTC'),
  p('for', 'The recipient\'s name', 'June Park'),
  p('company', 'The organization of the document', 'Contoso Entertainment System USA'),
  p('document', 'The submitted document\'s title', 'Office chairs for the Seattle office'),
  p('document.type', 'The kind of document', 'purchase-requisition'),
  p('document.ref', 'The document\'s own reference', 'PR-000123'),
  p('originator', 'Who submitted the document', 'Omar Haddad'),
  p('workitem.owner', 'Who the work item is assigned to', 'June Park'),
  p('workitem.subject', 'The work item subject set on the approval step', 'Approve purchase requisition PR-000123'),
  p('workitem.instructions', 'The work item instructions set on the approval step', 'Check the budget code before approving.'),
  p('workitem.due', 'When the work item is due (UTC), if the step has a time limit', '2026-11-25 09:00 UTC'),
  p('workflow', 'The workflow\'s name', 'Purchase requisition approval'),
  p('step', 'The approval step\'s name', 'Manager approval'),
  p('actor', 'Who took the action', 'June Park'),
  p('comment', 'The comment given with the action', 'Looks fine.'),
];

const KINDS: readonly KindSpec[] = [
  {
    kind: 'workflow',
    description: 'Workflow email notifications: the template chosen in a workflow\'s basic settings.',
    placeholders: WORKFLOW_PLACEHOLDERS,
    tables: {},
  },
  {
    kind: 'statement',
    description: 'Customer statements sent to a customer contact, with the open invoices as line items.',
    placeholders: [
      p('company', 'The organization sending the statement', 'Contoso Entertainment System USA'),
      p('customer.account', 'Customer account', 'US-008'),
      p('customer.name', 'Customer name', 'Sparrow Retail'),
      p('contact.name', 'The contact the statement goes to', 'Casey Collections'),
      p('statement.date', 'The statement date', '2026-11-23'),
      p('statement.total', 'Total open amount', '1,234.50'),
      p('currency', 'Currency code', 'USD'),
      p('sender', 'Who sends the statement', 'June Park'),
    ],
    tables: {
      // The open amounts add up to statement.total's sample.
      invoice: table('One row per open invoice', [
        { name: 'invoice.number', description: 'Invoice number' },
        { name: 'invoice.date', description: 'Invoice date' },
        { name: 'invoice.due', description: 'Due date' },
        { name: 'invoice.amount', description: 'Invoice amount' },
        { name: 'invoice.open', description: 'Amount still open' },
      ], [
        ['INV-1001', '2026-10-01', '2026-10-31', '800.00', '434.50'],
        ['INV-1007', '2026-11-02', '2026-12-02', '800.00', '800.00'],
      ]),
    },
  },
  {
    kind: 'general',
    description: 'Any other mail a process sends from a template.',
    placeholders: [
      p('company', 'The organization', 'Contoso Entertainment System USA'),
      p('for', 'The recipient\'s name', 'June Park'),
      p('date', 'Today (UTC)', '2026-11-23'),
    ],
    tables: {},
  },
];

export const listKinds = (): readonly KindSpec[] => KINDS;

export function kindSpec(kind: TemplateKind): KindSpec {
  return KINDS.find((k) => k.kind === kind)!;
}

export function vocabulary(kind: TemplateKind): Vocabulary {
  const spec = kindSpec(kind);
  return {
    values: spec.placeholders.map((x) => x.name),
    tables: Object.fromEntries(Object.entries(spec.tables).map(([name, t]) => [name, t.columns.map((c) => c.name)])),
  };
}

const sampleRowsOf = (t: TableSpec): readonly (readonly string[])[] => SAMPLE_ROWS.get(t) ?? [t.columns.map((c) => c.sample)];

/** Sample merge data for previews and test sends: every placeholder filled with its sample. */
export function sampleData(kind: TemplateKind): TemplateData {
  const spec = kindSpec(kind);
  const values = Object.fromEntries(spec.placeholders.map((x) => [x.name, x.sample]));
  const tables = Object.fromEntries(Object.entries(spec.tables).map(([name, t]) => [
    name,
    sampleRowsOf(t).map((row) => Object.fromEntries(t.columns.map((c, i) => [c.name, row[i]!]))),
  ]));
  return { values, tables };
}
