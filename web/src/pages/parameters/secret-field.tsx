import { useId } from 'react';
import { TextField } from '../../components/fields.tsx';
import { BusyButton } from '../../components/progress.tsx';

/**
 * A stored secret shown only as set or not set, with a way to enter a new one or clear it.
 * `value` null means "keep the stored secret".
 */
export function SecretField({ label, name, isSet, value, error, clearing, onChange, onClear }: {
  label: string; name: string; isSet: boolean; value: string | null; error?: string; clearing: boolean;
  onChange(value: string | null): void; onClear(): void;
}) {
  const id = useId();
  return (
    <>
      <div className="field">
        <span className="label" id={`${id}-label`}>{label}</span>
        <p aria-labelledby={`${id}-label`} data-secret-state={isSet ? 'set' : 'not-set'}>
          <span className={`badge ${isSet ? 'badge-sent' : 'badge-cancelled'}`}>{isSet ? 'Set' : 'Not set'}</span>
          <span className="muted"> Mailroom never shows a stored secret.</span>
        </p>
        <div className="row">
          {value === null && (
            <button type="button" className="button" onClick={() => onChange('')}>{isSet ? `Enter a new ${label.toLowerCase()}` : `Enter the ${label.toLowerCase()}`}</button>
          )}
          {isSet && (
            <BusyButton type="button" className="button danger" busy={clearing} busyLabel="Clearing…" onClick={onClear}>Clear {label.toLowerCase()}</BusyButton>
          )}
        </div>
      </div>
      {value !== null && (
        <div className="row">
          <TextField label={`New ${label.toLowerCase()}`} name={name} type="password" autoComplete="new-password" value={value} error={error}
            hint="Saved with the other settings; encrypted with this environment's key." onChange={(e) => onChange(e.target.value)} autoFocus />
          <button type="button" className="button" onClick={() => onChange(null)}>Keep the current {label.toLowerCase()}</button>
        </div>
      )}
    </>
  );
}
