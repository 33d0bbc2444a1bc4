import { useState, type FormEvent } from 'react';
import { query } from '../api/client.ts';
import { EMAIL_STATUSES } from '../api/values.ts';
import type { HistoryPage } from '../api/schema.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { SelectField, TextField } from '../components/fields.tsx';
import { formatMailboxes, formatTime, PROVIDER_LABELS, STATUS_LABELS } from '../components/format.ts';
import { Page } from '../components/page.tsx';
import { Progress } from '../components/progress.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { useApiQuery } from '../lib/query.ts';
import { Link, useNavigate, useSearchParams } from 'react-router';

const FILTERS = ['status', 'sender', 'from', 'to', 'text', 'limit'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** A local calendar day as epoch milliseconds at its start; `to` days are included whole. */
function dayStart(day: string, plusDays = 0): number | undefined {
  if (!day) return undefined;
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d! + plusDays).getTime();
}

/** Email history: every email, newest first, with filters and paging by the API's cursor. */
export function EmailHistoryPage() {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const filters = Object.fromEntries(FILTERS.map((k) => [k, search.get(k) ?? ''])) as Filters;
  const cursor = search.get('cursor') ?? '';
  const [draft, setDraft] = useState<Filters>(filters);
  const [previous, setPrevious] = useState<string[]>([]);

  const path = `/api/emails${query({
    status: filters.status, sender: filters.sender, text: filters.text, cursor,
    from: dayStart(filters.from), to: dayStart(filters.to, 1), limit: filters.limit || 25,
  })}`;
  // Reversed dates match nothing: say so instead of asking the server.
  const reversed = Boolean(filters.from && filters.to && filters.from > filters.to);
  const filtered = FILTERS.some((k) => k !== 'limit' && filters[k]);
  const page = useApiQuery<HistoryPage>(reversed ? null : path);

  const go = (next: Partial<Filters>, nextCursor: string) =>
    navigate(`/history${query({ ...filters, ...next, cursor: nextCursor })}`);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setPrevious([]);
    go(draft, '');
  };
  const clear = () => {
    const empty = Object.fromEntries(FILTERS.map((k) => [k, ''])) as Filters;
    setDraft(empty);
    setPrevious([]);
    navigate('/history');
  };

  return (
    <Page title="Email history" intro="Every email Mailroom handled, interactive and batch, with what became of it.">
      <form className="filters" onSubmit={apply} aria-label="Filters" noValidate>
        <SelectField label="Email status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}
          options={[{ value: '', label: 'Any status' }, ...EMAIL_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))]} />
        <TextField label="Email sender" name="sender" value={draft.sender} onChange={(e) => setDraft({ ...draft, sender: e.target.value })} />
        <TextField label="From date" type="date" name="from" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        <TextField label="To date" type="date" name="to" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })}
          error={reversed ? `The To date (${filters.to}) is before the From date (${filters.from}): swap them to see the emails in between.` : undefined} />
        <TextField label="Text (subject or address)" name="text" type="search" value={draft.text} onChange={(e) => setDraft({ ...draft, text: e.target.value })} />
        <SelectField label="Per page" value={draft.limit || '25'} onChange={(e) => setDraft({ ...draft, limit: e.target.value })}
          options={[...new Set(['10', '25', '50', '100', draft.limit || '25'])].sort((a, b) => Number(a) - Number(b)).map((n) => ({ value: n, label: n }))} />
        <div className="row filter-buttons">
          <button type="submit" className="button primary">Apply filters</button>
          <button type="button" className="button" onClick={clear}>Clear</button>
        </div>
      </form>
      <ErrorMessage error={page.error} />
      {page.isLoading && <Progress label="Loading the history…" />}
      {page.data && page.data.items.length === 0 && (filtered
        ? <p className="empty" data-testid="history-empty">No email matches these filters.</p>
        : <p className="empty" data-testid="history-empty">There is no email yet. <Link to="/send">Send one</Link>, or hand one to Mailroom through the API or the CLI.</p>)}
      {page.data && page.data.items.length > 0 && (
        <table className="grid" aria-label="Emails">
          <thead>
            <tr>
              <th scope="col">Created</th><th scope="col">Email status</th><th scope="col">Subject</th><th scope="col">Email sender</th>
              <th scope="col">To</th><th scope="col">Provider</th><th scope="col">Attempts</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((e) => (
              <tr key={e.id} data-email-id={e.id} data-status={e.status}>
                <td className="nowrap">{formatTime(e.createdAt)}</td>
                <td><StatusBadge status={e.status} /></td>
                <td><Link to={`/history/${encodeURIComponent(e.id)}`}>{e.subject || '(no subject)'}</Link></td>
                <td>{e.sender}</td>
                <td>{formatMailboxes(e.to)}</td>
                <td>{PROVIDER_LABELS[e.provider] ?? e.provider}</td>
                <td>{e.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label="History pages">
        <button type="button" className="button" disabled={!cursor}
          onClick={() => { const rest = previous.slice(0, -1); const back = previous.at(-1) ?? ''; setPrevious(rest); go({}, back); }}>
          {previous.length === 0 && cursor ? 'First page' : 'Newer'}
        </button>
        <button type="button" className="button" disabled={!page.data?.nextCursor}
          onClick={() => { setPrevious([...previous, cursor]); go({}, page.data!.nextCursor!); }}>Older</button>
      </nav>
    </Page>
  );
}
