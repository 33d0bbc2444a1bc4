import { useState, type FormEvent } from 'react';
import type { EmailParameters, GraphParameters } from '../../api/schema.ts';
import { Notice } from '../../components/error-message.tsx';
import { CheckboxField, TextField } from '../../components/fields.tsx';
import { FormError } from '../../components/form-error.tsx';
import { BusyButton } from '../../components/progress.tsx';
import { useSession } from '../../session.tsx';
import { ConnectionTest } from './connection-test.tsx';
import { SecretField } from './secret-field.tsx';
import { useSectionSave } from './section-save.ts';

type Editable = Pick<GraphParameters, 'tenantId' | 'clientId' | 'authorityHost' | 'graphEndpoint' | 'saveToSentItems' | 'batchAccount'>;

const editable = (g: GraphParameters): Editable => ({
  tenantId: g.tenantId, clientId: g.clientId, authorityHost: g.authorityHost, graphEndpoint: g.graphEndpoint,
  saveToSentItems: g.saveToSentItems, batchAccount: g.batchAccount,
});

/** Microsoft Graph settings: the Entra app registration Mailroom sends with (application permission Mail.Send). */
export function GraphTab({ params, onSaved }: { params: EmailParameters; onSaved(p: EmailParameters): void }) {
  const { me } = useSession();
  const [form, setForm] = useState<Editable>(editable(params.graph));
  const [secret, setSecret] = useState<string | null>(null);
  const { save, fields, error, busy, done } = useSectionSave('graph', onSaved);
  const set = <K extends keyof Editable>(key: K, value: Editable[K]) => setForm({ ...form, [key]: value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const next = await save({ ...form, ...(secret ? { clientSecret: secret } : {}) }, 'save', 'The Microsoft Graph settings were saved.');
    if (next) { setForm(editable(next.graph)); setSecret(null); }
  };

  return (
    <>
      <form onSubmit={submit} noValidate aria-label="Microsoft Graph settings">
        <p className="hint">The recommended provider for Office 365 and Exchange Online. Register a single-tenant app in Microsoft Entra ID,
          give it the Microsoft Graph application permission Mail.Send with admin consent (Mail.ReadWrite too for attachments of 3 MB or more),
          and create a client secret.</p>
        {!params.graph.configured && <Notice kind="info">Microsoft Graph is not set up yet: enter the tenant ID, Application ID and Application secret.</Notice>}
        <fieldset>
          <legend>App registration</legend>
          <TextField label="Tenant (directory) ID" name="graph.tenantId" value={form.tenantId} error={fields['graph.tenantId']} autoComplete="off"
            hint="Directory (tenant) ID from the app registration's Overview, or the tenant's domain." onChange={(e) => set('tenantId', e.target.value)} />
          <TextField label="Application ID" name="graph.clientId" value={form.clientId} error={fields['graph.clientId']} autoComplete="off"
            hint="Application (client) ID from the app registration's Overview." onChange={(e) => set('clientId', e.target.value)} />
          <SecretField label="Application secret" name="graph.clientSecret" isSet={params.graph.clientSecretSet} value={secret}
            error={fields['graph.clientSecret']} clearing={busy === 'clear'} onChange={setSecret}
            onClear={() => void save({ clientSecret: null }, 'clear', 'The Application secret was cleared.')} />
        </fieldset>
        <fieldset>
          <legend>Sending</legend>
          <CheckboxField label="Save a copy in Sent Items" checked={form.saveToSentItems}
            hint="Messages with attachments of 3 MB or more go out through a draft and are always kept in Sent Items."
            onChange={(e) => set('saveToSentItems', e.target.checked)} />
          <TextField label="Batch account" name="graph.batchAccount" type="email" value={form.batchAccount} error={fields['graph.batchAccount']}
            hint="The mailbox batch emails go out from. Empty: each email's own sender. Interactive emails always go out from the user's mailbox."
            onChange={(e) => set('batchAccount', e.target.value)} />
        </fieldset>
        <fieldset>
          <legend>Cloud</legend>
          <TextField label="Authority host" name="graph.authorityHost" value={form.authorityHost} error={fields['graph.authorityHost']}
            hint="https://login.microsoftonline.com for the public cloud; national clouds have their own." onChange={(e) => set('authorityHost', e.target.value)} />
          <TextField label="Graph endpoint" name="graph.graphEndpoint" value={form.graphEndpoint} error={fields['graph.graphEndpoint']}
            hint="https://graph.microsoft.com for the public cloud." onChange={(e) => set('graphEndpoint', e.target.value)} />
        </fieldset>
        <FormError error={error} fields={fields} />
        {done && <Notice kind="success">{done}</Notice>}
        <BusyButton type="submit" busy={busy === 'save'} busyLabel="Saving…">Save</BusyButton>
      </form>
      {params.graph.configured && <ConnectionTest provider="graph" mailbox={params.graph.batchAccount || me.user.email} />}
    </>
  );
}
