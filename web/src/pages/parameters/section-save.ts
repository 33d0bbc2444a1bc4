import { useState } from 'react';
import { api, toApiError, type ApiError } from '../../api/client.ts';
import type { EmailParameters } from '../../api/schema.ts';

/** Saving one section of the Email parameters (graph, exchange): busy state, field errors, the saved notice. */
export function useSectionSave(section: 'graph' | 'exchange', onSaved: (p: EmailParameters) => void) {
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const save = async (change: Record<string, unknown>, what: string, message: string): Promise<EmailParameters | null> => {
    setBusy(what);
    setError(null);
    setDone(null);
    try {
      const next = await api<EmailParameters>('PATCH', '/api/parameters', { [section]: change });
      onSaved(next);
      setFields({});
      setDone(message);
      return next;
    } catch (err) {
      const apiError = toApiError(err);
      setError(apiError);
      setFields(apiError.fieldErrors());
      return null;
    } finally {
      setBusy(null);
    }
  };
  return { save, fields, error, busy, done };
}
