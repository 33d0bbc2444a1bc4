// What the account, contact, lead and activity pages share: the search form with paging kept in
// the address (so a search can be linked and Back works), the three email fields, the state
// field, and the email activities regarding a record.
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { query, type ApiError } from '../../api/client.ts';
import { ACTIVITY_STATUS_LABELS } from '../../api/values.ts';
import type { Activity, RecordPage } from '../../api/schema.ts';
import { ComposeActivity } from './compose-activity.tsx';
import { ErrorMessage, Notice } from '../../components/error-message.tsx';
import { SelectField, TextField } from '../../components/fields.tsx';
import { formatTime } from '../../components/format.ts';
import { Section } from '../../components/page.tsx';
import { BusyButton, Progress } from '../../components/progress.tsx';
import { useApiQuery } from '../../lib/query.ts';

/** A list from the API with the search words, filters and page cursor of the address. */
export function useRecordList<T>(path: string, filters: readonly string[] = []) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(['q', 'state', 'cursor', ...filters].map((k) => [k, params.get(k) ?? undefined]));
  const list = useApiQuery<RecordPage<T>>(`${path}${query({ ...values, limit: 25 })}`);
  const search = (next: Record<string, string>) => setParams(Object.fromEntries(Object.entries(next).filter(([, v]) => v)));
  const nextPage = () => list.data?.nextCursor && setParams({ ...Object.fromEntries(params), cursor: list.data.nextCursor });
  const firstPage = () => { const p = Object.fromEntries(params); delete p.cursor; setParams(p); };
  return { list, values, search, nextPage, firstPage, paged: !!values.cursor };
}

const STATE_OPTIONS = [{ value: '', label: 'Active' }, { value: 'inactive', label: 'Inactive' }, { value: 'all', label: 'All' }];

/** The search form: words, state (or other filters given as `extra`), Search. */
export function SearchForm({ label, values, onSearch, extra }: {
  label: string;
  values: Record<string, string | undefined>;
  onSearch: (v: Record<string, string>) => void;
  extra?: (form: Record<string, string>, set: (k: string, v: string) => void) => ReactNode;
}) {
  const [form, setForm] = useState<Record<string, string>>(() => Object.fromEntries(Object.entries(values).filter(([k, v]) => k !== 'cursor' && v)) as Record<string, string>);
  const set = (k: string, v: string) => setForm({ ...form, [k]: v });
  const submit = (e: FormEvent) => { e.preventDefault(); onSearch(form); };
  return (
    <form className="row" role="search" aria-label={label} onSubmit={submit}>
      <TextField label="Search" type="search" value={form.q ?? ''} onChange={(e) => set('q', e.target.value)} autoComplete="off" />
      {extra ? extra(form, set) : <SelectField label="State" value={form.state ?? ''} onChange={(e) => set('state', e.target.value)} options={STATE_OPTIONS} />}
      <button type="submit" className="button">Search</button>
    </form>
  );
}

export function Pager({ hasNext, paged, onNext, onFirst }: { hasNext: boolean; paged: boolean; onNext: () => void; onFirst: () => void }) {
  if (!hasNext && !paged) return null;
  return (
    <div className="row">
      {paged && <button type="button" className="button" onClick={onFirst}>First page</button>}
      {hasNext && <button type="button" className="button" onClick={onNext}>Next page</button>}
    </div>
  );
}

/** Primary email and the two additional ones (Dynamics' emailaddress1..3). */
export function EmailFields({ emails, onChange, error }: { emails: string[]; onChange: (emails: string[]) => void; error?: string }) {
  const set = (i: number, v: string) => { const next = [...emails]; next[i] = v; onChange(next); };
  return (
    <>
      <TextField label="Primary email" type="email" value={emails[0] ?? ''} onChange={(e) => set(0, e.target.value)} error={error} autoComplete="off" />
      <TextField label="Email 2" type="email" value={emails[1] ?? ''} onChange={(e) => set(1, e.target.value)} autoComplete="off" />
      <TextField label="Email 3" type="email" value={emails[2] ?? ''} onChange={(e) => set(2, e.target.value)} autoComplete="off" />
    </>
  );
}

export const cleanEmails = (emails: readonly string[]) => emails.map((e) => e.trim()).filter(Boolean);

export function StateField({ value, onChange }: { value: string; onChange: (v: 'active' | 'inactive') => void }) {
  return <SelectField label="State" value={value} onChange={(e) => onChange(e.target.value as 'active' | 'inactive')} options={[{ value: 'active', label: 'Active' }, { value: 'inactive', label: 'Inactive' }]} />;
}

/** The field errors of a refused save, with `emails.0` style paths folded onto their field. */
export function fieldErrors(error: ApiError | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(error?.fieldErrors() ?? {})) out[k.split('.')[0]!] ??= v;
  return out;
}

/** Email activities regarding a record, newest first. */
/** The email regarding a record; with `compose`, a form to write one to the record's addresses. */
export function RegardingActivities({ type, id, compose }: { type: string; id: string; compose?: { readonly to: readonly string[] } }) {
  const list = useApiQuery<RecordPage<Activity>>(`/api/activities${query({ regarding: `${type}:${id}`, limit: 50 })}`);
  return (
    <>
      <Section title="Email activities">
        <ErrorMessage error={list.error} />
        {list.isLoading && <Progress label="Loading email activities…" />}
        {list.data && (list.data.items.length === 0 ? <p className="empty">No email activity regards this record.</p> : <ActivityTable items={list.data.items} />)}
      </Section>
      {compose && <ComposeActivity regarding={{ type, id }} to={compose.to} />}
    </>
  );
}

export function ActivityTable({ items }: { items: readonly Activity[] }) {
  return (
    <table className="grid">
      <thead><tr><th scope="col">Subject</th><th scope="col">Direction</th><th scope="col">Status</th><th scope="col">From</th><th scope="col">Regarding</th><th scope="col">Received or created</th></tr></thead>
      <tbody>
        {items.map((a) => (
          <tr key={a.id} data-activity={a.id}>
            <td><Link to={`/activities/${encodeURIComponent(a.id)}`}>{a.subject || '(no subject)'}</Link></td>
            <td>{a.direction === 'incoming' ? 'Incoming' : 'Outgoing'}</td>
            <td>{ACTIVITY_STATUS_LABELS[a.status]}</td>
            <td>{a.from?.address ?? ''}</td>
            <td>{a.regarding ? a.regarding.name ?? a.regarding.id : ''}</td>
            <td>{formatTime(a.receivedAt ?? a.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface Saving {
  readonly isPending: boolean;
  readonly isSuccess: boolean;
  readonly error: ApiError | null;
  mutate(variables: undefined): void;
}

/** A record's Details form: its fields, Save, and what the server said. */
export function DetailsForm({ label, save, children }: { label: string; save: Saving; children: ReactNode }) {
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(undefined); };
  return (
    <Section title="Details">
      <form aria-label={label} onSubmit={submit} noValidate>
        {children}
        <BusyButton type="submit" busy={save.isPending} busyLabel="Saving…">Save</BusyButton>
      </form>
      {save.isSuccess && <Notice kind="success">Saved.</Notice>}
      <ErrorMessage error={save.error} />
    </Section>
  );
}

/** The one-line form that adds a record; `onSubmit` runs it. */
export function NewRecordForm({ title, button, busy, error, onSubmit, children }: {
  title: string; button: string; busy: boolean; error: ApiError | null; onSubmit: () => void; children: ReactNode;
}) {
  const submit = (e: FormEvent) => { e.preventDefault(); onSubmit(); };
  return (
    <Section title={title}>
      <form className="row" aria-label={title} onSubmit={submit} noValidate>
        {children}
        <BusyButton type="submit" busy={busy} busyLabel="Adding…">{button}</BusyButton>
      </form>
      <ErrorMessage error={error} />
    </Section>
  );
}
