import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ProviderId, SendChoice } from '../api/schema.ts';
import { useSession } from '../session.tsx';

/**
 * "How would you like to send email": the choices the server offers (Microsoft Graph and Exchange
 * only once they are set up), and "Do not ask again". A modal <dialog>: focus stays inside, Escape cancels.
 */
const CHOICE_HINTS: Record<ProviderId, string> = {
  eml: 'You get an .eml file to open, check and send in your own mail program.',
  smtp: 'Mailroom sends it through the SMTP server now.',
  graph: 'Mailroom sends it now from your own mailbox through Microsoft Graph.',
  exchange: 'Mailroom sends it now from your mailbox through the Exchange server.',
};

export function ProviderChoiceDialog({ choices, initial, onChoose, onCancel }: {
  choices: readonly SendChoice[];
  initial: ProviderId | null;
  onChoose(provider: ProviderId, doNotAskAgain: boolean): void;
  onCancel(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const { demo } = useSession();
  // In the demo, the first choice is the one the home page promises: SMTP, to Captured mail.
  const smtp = choices.some((c) => c.id === 'smtp');
  const [choice, setChoice] = useState<ProviderId>(demo && smtp ? 'smtp' : initial ?? choices[0]?.id ?? 'smtp');
  const [doNotAskAgain, setDoNotAskAgain] = useState(false);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    dialog?.querySelector<HTMLInputElement>('input[name="provider"]:checked')?.focus();
    return () => dialog?.close();
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onChoose(choice, doNotAskAgain);
  };

  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${id}-title`} onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <form onSubmit={submit}>
        <h2 id={`${id}-title`}>How would you like to send email</h2>
        <fieldset>
          <legend className="sr-only">Ways to send</legend>
          {choices.map((c) => (
            <div className="field field-check" key={c.id}>
              <input type="radio" id={`${id}-${c.id}`} name="provider" value={c.id} checked={choice === c.id} onChange={() => setChoice(c.id)} />
              <label htmlFor={`${id}-${c.id}`}>{c.label}</label>
              <p className="hint" id={`${id}-${c.id}-hint`}>
                {c.id === 'smtp' && demo ? 'Mailroom sends it now through the demo’s mail server: it appears in Captured mail.' : CHOICE_HINTS[c.id]}
              </p>
            </div>
          ))}
        </fieldset>
        <div className="field field-check">
          <input type="checkbox" id={`${id}-remember`} checked={doNotAskAgain} onChange={(e) => setDoNotAskAgain(e.target.checked)} aria-describedby={`${id}-remember-hint`} />
          <label htmlFor={`${id}-remember`}>Do not ask again</label>
          <p className="hint" id={`${id}-remember-hint`}>Use this choice from now on. You can change it in User options.</p>
        </div>
        <div className="row end">
          <button type="button" className="button" onClick={onCancel}>Cancel</button>
          <button type="submit" className="button primary">OK</button>
        </div>
      </form>
    </dialog>
  );
}
