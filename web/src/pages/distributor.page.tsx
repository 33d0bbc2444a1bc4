import { useState, type FormEvent } from 'react';
import { api, toApiError, type ApiError } from '../api/client.ts';
import type { DistributorRun, DistributorStatus } from '../api/schema.ts';
import { ErrorMessage, Notice } from '../components/error-message.tsx';
import { CheckboxField, parseNumber, TextField } from '../components/fields.tsx';
import { describeWorker, formatTime, relativeTime } from '../components/format.ts';
import { FormError } from '../components/form-error.tsx';
import { Page, Section } from '../components/page.tsx';
import { BusyButton, Progress } from '../components/progress.tsx';
import { useApiMutation, useApiQuery } from '../lib/query.ts';
import { Link } from 'react-router';

/** Email distributor batch: batch processing on or off, how often it runs, its last and next run. */
export function DistributorPage() {
  const status = useApiQuery<DistributorStatus>('/api/distributor', { pollMs: 5_000 });
  const runNow = useApiMutation(() => api<DistributorRun>('POST', '/api/distributor/run'), { invalidates: ['/api/distributor', '/api/queue', '/api/emails', '/api/summary'] });

  return (
    <Page title="Email distributor batch" intro={<>The distributor sends what waits in the queue (see <Link to="/sending-status">Batch email sending status</Link>).</>}
      actions={<BusyButton type="button" busy={runNow.isPending} busyLabel="Running…" onClick={() => runNow.mutate()}>Run now</BusyButton>}>
      <ErrorMessage error={status.error ?? runNow.error} />
      {runNow.data && <Notice kind="success">The run is done: {describeRun(runNow.data)}</Notice>}
      {!status.data && !status.error && <Progress label="Loading…" />}
      {status.data && (
        <div className="grid-2">
          <SettingsForm key={`${status.data.enabled}-${status.data.recurrenceSeconds}`} status={status.data} onSaved={() => void status.refetch()} />
          <Section title="Runs">
            <dl className="details" data-testid="distributor-runs">
              <dt>Batch processing</dt><dd data-enabled={String(status.data.enabled)}>{status.data.enabled ? 'On' : 'Off: queued email waits'}</dd>
              <dt>Last run</dt>
              <dd>{status.data.lastRun ? <>{formatTime(status.data.lastRun.at)} ({relativeTime(status.data.lastRun.at)}) by {describeWorker(status.data.lastRun.worker)}</> : 'Not yet'}</dd>
              {status.data.lastRun && <><dt>What it did</dt><dd>{describeRun(status.data.lastRun)}</dd></>}
              <dt>Next run</dt>
              <dd>{status.data.nextRunAt ? <>{formatTime(status.data.nextRunAt)} ({relativeTime(status.data.nextRunAt)})</> : 'None while batch processing is off'}</dd>
            </dl>
          </Section>
        </div>
      )}
    </Page>
  );
}

function describeRun(r: DistributorRun): string {
  return `${r.claimed} taken from the queue, ${r.sent} sent, ${r.failed} failed, ${r.retried} to retry, ${r.deferred} deferred, ${r.expired} expired, ${r.purged} old history entries removed.`;
}

function SettingsForm({ status, onSaved }: { status: DistributorStatus; onSaved(): void }) {
  const [enabled, setEnabled] = useState(status.enabled);
  const [recurrence, setRecurrence] = useState(String(status.recurrenceSeconds));
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const seconds = parseNumber(recurrence);
    if (seconds === null) { setFields({ recurrenceSeconds: 'Enter a number of seconds.' }); return; }
    setBusy(true);
    setError(null);
    try {
      await api<DistributorStatus>('PATCH', '/api/distributor', { enabled, recurrenceSeconds: seconds });
      setFields({});
      setSaved(true);
      onSaved();
    } catch (err) {
      const apiError = toApiError(err);
      setError(apiError);
      setFields(apiError.fieldErrors());
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Settings">
      <form onSubmit={submit} noValidate>
        <CheckboxField label="Batch processing" checked={enabled} onChange={(e) => setEnabled(e.target.checked)}
          hint="When off, email handed to the queue waits until it is turned on again." />
        <TextField label="Recurrence (seconds)" type="number" inputMode="numeric" name="recurrenceSeconds" value={recurrence}
          error={fields.recurrenceSeconds} onChange={(e) => setRecurrence(e.target.value)}
          hint="How often the distributor runs, from 5 seconds to a day. New email is also picked up at once." />
        <FormError error={error} fields={fields} />
        {saved && <Notice kind="success">The distributor settings were saved.</Notice>}
        <BusyButton type="submit" busy={busy} busyLabel="Saving…">Save</BusyButton>
      </form>
    </Section>
  );
}
