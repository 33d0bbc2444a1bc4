import { useState, type FormEvent } from 'react';
import { api, toApiError, type ApiError } from '../../api/client.ts';
import { replace } from '../../api/replace.ts';
import type { Organization, WorkflowDefinition, WorkflowEvents } from '../../api/schema.ts';
import { ErrorMessage, Notice } from '../../components/error-message.tsx';
import { CheckboxField, SelectField, TextField } from '../../components/fields.tsx';
import { Section } from '../../components/page.tsx';
import { BusyButton } from '../../components/progress.tsx';
import { NotificationEditor, fromForm, toForm, type NotificationForm } from './notification-editor.tsx';
import { StepEditor, formToStep, stepToForm, type StepForm } from './step-editor.tsx';

/** A workflow's properties: basic settings (with its email template), notifications, and the approval steps. */
export function WorkflowEditor({ definition, events, organizations, names, onSaved, onClose }: {
  definition: WorkflowDefinition | null;
  events: WorkflowEvents;
  organizations: readonly Organization[];
  names: ReadonlyMap<string, string>;
  onSaved(d: WorkflowDefinition): void;
  onClose(): void;
}) {
  const [basic, setBasic] = useState({
    code: definition?.code ?? '', name: definition?.name ?? '', documentType: definition?.documentType ?? '',
    organization: definition?.organizationId ?? '', templateEmailId: definition?.templateEmailId ?? 'WFNOTIFY', enabled: definition?.enabled ?? true,
  });
  const [notifications, setNotifications] = useState<Record<string, NotificationForm>>(
    Object.fromEntries(events.workflowEvents.map((e) => [e, toForm(definition?.notifications[e], names)])),
  );
  const [steps, setSteps] = useState<StepForm[]>((definition?.steps ?? [undefined]).map((s) => stepToForm(s, events.stepEvents, names)));
  const [saved, setSaved] = useState(definition);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice('');
    try {
      const body = {
        ...basic, organization: basic.organization || null,
        notifications: Object.fromEntries(Object.entries(notifications).map(([k, n]) => [k, fromForm(n)]).filter(([, n]) => n)),
        steps: steps.map(formToStep),
      };
      const result = saved
        ? await replace<WorkflowDefinition>(`/api/workflows/${encodeURIComponent(saved.id)}`, body)
        : await api<WorkflowDefinition>('POST', '/api/workflows', body);
      setSaved(result);
      setNotice(`Saved as version ${result.version}.`);
      onSaved(result);
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title={saved ? `Workflow ${saved.code}` : 'New workflow'} actions={<button type="button" className="button small" onClick={onClose}>Close</button>}>
      <form onSubmit={save} aria-label="Workflow properties" noValidate>
        <h3>Basic settings</h3>
        <div className="grid-2">
          <div>
            <TextField label="Code" value={basic.code} onChange={(e) => setBasic({ ...basic, code: e.target.value })} autoComplete="off" />
            <TextField label="Name" value={basic.name} onChange={(e) => setBasic({ ...basic, name: e.target.value })} autoComplete="off" />
            <TextField label="Document type" value={basic.documentType} onChange={(e) => setBasic({ ...basic, documentType: e.target.value })}
              hint="Documents of this type start this workflow, e.g. purchase-requisition." autoComplete="off" />
          </div>
          <div>
            <SelectField label="Level" value={basic.organization} disabled={Boolean(saved)} onChange={(e) => setBasic({ ...basic, organization: e.target.value })}
              options={[{ value: '', label: 'System-level (all organizations)' }, ...organizations.map((o) => ({ value: o.id, label: `Organization ${o.code}` }))]}
              hint="A system-level workflow uses the system email templates; an organization-level one its organization's templates." />
            <TextField label="Email template for workflow notifications" value={basic.templateEmailId}
              onChange={(e) => setBasic({ ...basic, templateEmailId: e.target.value })} hint="The template's Email ID." autoComplete="off" />
            <CheckboxField label="Enabled" checked={basic.enabled} onChange={(e) => setBasic({ ...basic, enabled: e.target.checked })} />
          </div>
        </div>
        <h3>Notifications</h3>
        {events.workflowEvents.map((event) => (
          <NotificationEditor key={event} label={events.labels[event] ?? event} value={notifications[event]!} ownerApplies={false}
            onChange={(next) => setNotifications({ ...notifications, [event]: next })} />
        ))}
        <h3>Approval steps</h3>
        {steps.map((s, i) => (
          <StepEditor key={i} index={i} value={s} labels={events.labels}
            onChange={(next) => setSteps(steps.map((x, j) => (j === i ? next : x)))}
            onRemove={steps.length > 1 ? () => setSteps(steps.filter((_, j) => j !== i)) : undefined} />
        ))}
        <div className="row">
          <button type="button" className="button" onClick={() => setSteps([...steps, stepToForm(undefined, events.stepEvents, names)])}>Add step</button>
        </div>
        <ErrorMessage error={error} />
        {notice && <Notice kind="success">{notice}</Notice>}
        <div className="row"><BusyButton type="submit" busy={busy} busyLabel="Saving…">Save</BusyButton></div>
      </form>
    </Section>
  );
}
