import type { EmailStatus } from '../api/schema.ts';
import { STATUS_LABELS } from './format.ts';

export function StatusBadge({ status }: { status: EmailStatus }) {
  return <span className={`badge badge-${status}`} data-status={status}>{STATUS_LABELS[status] ?? status}</span>;
}
