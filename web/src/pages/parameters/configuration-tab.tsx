import { useState, type FormEvent } from 'react';
import { api, toApiError, type ApiError } from '../../api/client.ts';
import { PROVIDER_IDS } from '../../api/values.ts';
import type { EmailParameters, ProviderId } from '../../api/schema.ts';
import { Notice } from '../../components/error-message.tsx';
import { parseNumber, SelectField, TextField } from '../../components/fields.tsx';
import { PROVIDER_LABELS } from '../../components/format.ts';
import { FormError } from '../../components/form-error.tsx';
import { BusyButton } from '../../components/progress.tsx';
import { Link } from 'react-router';

type NumberKey = 'attachmentSizeLimitMb' | 'expirationDays' | 'historyRetentionDays';

/** Graph and Exchange can be chosen once their settings tab is complete. */
const providerOptions = (params: EmailParameters) => PROVIDER_IDS.map((id) => {
  const configured = id === 'graph' ? params.graph.configured : id === 'exchange' ? params.exchange.configured : true;
  return { value: id, label: configured ? PROVIDER_LABELS[id]! : `${PROVIDER_LABELS[id]} (set it up on its settings tab first)`, disabled: !configured && params.batchProvider !== id };
});

/** Graph and Exchange throttle on their own: a limit of Mailroom's own only slows them down. */
const SELF_THROTTLED: readonly ProviderId[] = ['graph', 'exchange'];

export function ConfigurationTab({ params, onSaved }: { params: EmailParameters; onSaved(p: EmailParameters): void }) {
  const [batchProvider, setBatchProvider] = useState<ProviderId>(params.batchProvider);
  const [numbers, setNumbers] = useState<Record<NumberKey, string>>({
    attachmentSizeLimitMb: String(params.attachmentSizeLimitMb),
    expirationDays: String(params.expirationDays),
    historyRetentionDays: String(params.historyRetentionDays),
  });
  const [throttle, setThrottle] = useState<Record<ProviderId, string>>(
    Object.fromEntries(PROVIDER_IDS.map((p) => [p, String(params.throttle[p] ?? 0)])) as Record<ProviderId, string>);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    setError(null);
    const local: Record<string, string> = {};
    const num = (key: string, text: string) => {
      const n = parseNumber(text);
      if (n === null) local[key] = 'Enter a whole number.';
      return n ?? 0;
    };
    const change = {
      batchProvider,
      attachmentSizeLimitMb: num('attachmentSizeLimitMb', numbers.attachmentSizeLimitMb),
      expirationDays: num('expirationDays', numbers.expirationDays),
      historyRetentionDays: num('historyRetentionDays', numbers.historyRetentionDays),
      throttle: Object.fromEntries(PROVIDER_IDS.map((p) => [p, num(`throttle.${p}`, throttle[p])])),
    };
    setFields(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      const next = await api<EmailParameters>('PATCH', '/api/parameters', change);
      onSaved(next);
      setThrottle(Object.fromEntries(PROVIDER_IDS.map((p) => [p, String(next.throttle[p] ?? 0)])) as Record<ProviderId, string>);
      setDone(true);
    } catch (err) {
      const apiError = toApiError(err);
      setError(apiError);
      setFields(apiError.fieldErrors());
    } finally {
      setBusy(false);
    }
  };

  const setNumber = (key: NumberKey) => (e: { target: { value: string } }) => setNumbers({ ...numbers, [key]: e.target.value });

  return (
    <form onSubmit={save} noValidate aria-label="Configuration">
      <fieldset>
        <legend>Sending</legend>
        <SelectField label="Batch email provider" value={batchProvider} options={providerOptions(params)} error={fields.batchProvider}
          hint="Sends the emails that processes hand in without a person choosing how (the distributor batch)."
          onChange={(e) => setBatchProvider(e.target.value as ProviderId)} />
        <TextField label="Attachment size limit (MB)" type="number" inputMode="numeric" name="attachmentSizeLimitMb"
          value={numbers.attachmentSizeLimitMb} error={fields.attachmentSizeLimitMb} onChange={setNumber('attachmentSizeLimitMb')}
          hint="The largest single email, attachments included, from 1 to 150 MB." />
        <TextField label="Email expiration in days" type="number" inputMode="numeric" name="expirationDays"
          value={numbers.expirationDays} error={fields.expirationDays} onChange={setNumber('expirationDays')}
          hint={`An email not sent by then is marked Expired. 0 keeps the default of 30 days (in effect now: ${params.effective.expirationDays}).`} />
      </fieldset>
      <fieldset>
        <legend>Email history</legend>
        <TextField label="Number of days to retain email history" type="number" inputMode="numeric" name="historyRetentionDays"
          value={numbers.historyRetentionDays} error={fields.historyRetentionDays} onChange={setNumber('historyRetentionDays')}
          hint={`0 keeps the default of 30 days (in effect now: ${params.effective.historyRetentionDays}).`} />
        <p><Link to="/history">Open the Email history</Link></p>
      </fieldset>
      <fieldset>
        <legend>Email throttling</legend>
        <p className="hint">A per-minute sending limit for each provider the batch uses. An email over the limit waits up to a minute;
          after ten such waits it is sent anyway. 0 means no limit. Microsoft Graph and Exchange throttle on their own: leave them at 0.</p>
        <table className="grid">
          <thead><tr><th scope="col">Provider</th><th scope="col">Per-minute email sending limit</th><th scope="col">In effect</th></tr></thead>
          <tbody>
            {PROVIDER_IDS.map((p) => (
              <tr key={p}>
                <th scope="row">{PROVIDER_LABELS[p]}</th>
                <td>
                  <input type="number" inputMode="numeric" aria-label={`Per-minute email sending limit for ${PROVIDER_LABELS[p]}`}
                    name={`throttle.${p}`} value={throttle[p]} aria-invalid={fields[`throttle.${p}`] ? true : undefined}
                    aria-describedby={fields[`throttle.${p}`] ? `throttle-${p}-error` : undefined}
                    onChange={(e) => setThrottle({ ...throttle, [p]: e.target.value })} />
                  {fields[`throttle.${p}`] && <p className="field-error" id={`throttle-${p}-error`} data-field-error>{fields[`throttle.${p}`]}</p>}
                </td>
                <td>{params.effective.throttle[p] || 'no limit'}{p === 'smtp' && params.effective.smtpLimitAutomatic ? ' (set for Office 365)' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {SELF_THROTTLED.filter((p) => (parseNumber(throttle[p]) ?? 0) > 0).map((p) => (
          <div key={p} className="notice notice-warning" role="alert" data-throttle-warning={p}>
            {PROVIDER_LABELS[p]} has its own throttling, so a per-minute limit is not recommended for it. Set it to 0.
          </div>
        ))}
      </fieldset>
      <FormError error={error} fields={fields} />
      {done && <Notice kind="success">The configuration was saved.</Notice>}
      <BusyButton type="submit" busy={busy} busyLabel="Saving…">Save</BusyButton>
    </form>
  );
}
