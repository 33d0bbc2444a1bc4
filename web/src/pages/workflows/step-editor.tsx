import type { Step, WorkflowEvents } from '../../api/schema.ts';
import { SelectField, TextField } from '../../components/fields.tsx';
import { NotificationEditor, fromForm, toForm, type NotificationForm } from './notification-editor.tsx';

/** One approval step as the form edits it. */
export interface StepForm {
  name: string;
  assignType: 'user' | 'role' | 'originator';
  users: string;
  role: 'admin' | 'user';
  completionPolicy: 'single' | 'all';
  workItemSubject: string;
  instructions: string;
  timeLimitHours: string;
  escalateTo: string;
  notifications: Record<string, NotificationForm>;
}

export function stepToForm(s: Step | undefined, stepEvents: WorkflowEvents['stepEvents'], names: ReadonlyMap<string, string>): StepForm {
  const name = (id: string) => names.get(id) ?? id;
  return {
    name: s?.name ?? '', assignType: s?.assignTo.type ?? 'user',
    users: s?.assignTo.type === 'user' ? s.assignTo.users.map(name).join(', ') : '',
    role: s?.assignTo.type === 'role' ? s.assignTo.role : 'admin',
    completionPolicy: s?.completionPolicy ?? 'single', workItemSubject: s?.workItemSubject ?? '', instructions: s?.instructions ?? '',
    timeLimitHours: s?.timeLimitHours ? String(s.timeLimitHours) : '', escalateTo: s?.escalateTo ? name(s.escalateTo) : '',
    notifications: Object.fromEntries(stepEvents.map((e) => [e, toForm(s?.notifications?.[e], names)])),
  };
}

export function formToStep(f: StepForm): Step {
  const assignTo = f.assignType === 'user' ? { type: 'user' as const, users: f.users.split(',').map((u) => u.trim()).filter(Boolean) }
    : f.assignType === 'role' ? { type: 'role' as const, role: f.role } : { type: 'originator' as const };
  const notifications = Object.fromEntries(Object.entries(f.notifications).map(([e, n]) => [e, fromForm(n)]).filter(([, n]) => n));
  return {
    name: f.name, assignTo, completionPolicy: f.completionPolicy,
    ...(f.workItemSubject.trim() ? { workItemSubject: f.workItemSubject } : {}),
    ...(f.instructions.trim() ? { instructions: f.instructions } : {}),
    ...(f.timeLimitHours.trim() ? { timeLimitHours: Number(f.timeLimitHours) } : {}),
    ...(f.escalateTo.trim() ? { escalateTo: f.escalateTo.trim() } : {}),
    notifications,
  };
}

export function StepEditor({ index, value, onChange, onRemove, labels }: {
  index: number; value: StepForm; onChange(v: StepForm): void; onRemove?: () => void; labels: Record<string, string>;
}) {
  const set = (change: Partial<StepForm>) => onChange({ ...value, ...change });
  return (
    <section className="card" aria-label={`Approval step ${index + 1}`}>
      <div className="card-head">
        <h3>Step {index + 1}: {value.name || 'approval'}</h3>
        {onRemove && <button type="button" className="button small" onClick={onRemove}>Remove step</button>}
      </div>
      <div className="grid-2">
        <div>
          <TextField label="Step name" value={value.name} onChange={(e) => set({ name: e.target.value })} autoComplete="off" />
          <SelectField label="Assign to" value={value.assignType} onChange={(e) => set({ assignType: e.target.value as StepForm['assignType'] })}
            options={[{ value: 'user', label: 'Specific users' }, { value: 'role', label: 'A role' }, { value: 'originator', label: 'The originator' }]} />
          {value.assignType === 'user' && <TextField label="Users" value={value.users} onChange={(e) => set({ users: e.target.value })} hint="User names, comma-separated." autoComplete="off" />}
          {value.assignType === 'role' && <SelectField label="Role" value={value.role} onChange={(e) => set({ role: e.target.value as StepForm['role'] })}
            options={[{ value: 'admin', label: 'Administrators' }, { value: 'user', label: 'Users' }]} />}
          <SelectField label="Completion policy" value={value.completionPolicy} onChange={(e) => set({ completionPolicy: e.target.value as StepForm['completionPolicy'] })}
            options={[{ value: 'single', label: 'Single approver' }, { value: 'all', label: 'All approvers' }]} />
        </div>
        <div>
          <TextField label="Work item subject" value={value.workItemSubject} onChange={(e) => set({ workItemSubject: e.target.value })} autoComplete="off" />
          <TextField label="Instructions" value={value.instructions} onChange={(e) => set({ instructions: e.target.value })} autoComplete="off" />
          <TextField label="Time limit (hours)" inputMode="decimal" value={value.timeLimitHours} onChange={(e) => set({ timeLimitHours: e.target.value })} autoComplete="off" />
          <TextField label="Escalate to" value={value.escalateTo} onChange={(e) => set({ escalateTo: e.target.value })} hint="The user who gets the work item when the time limit passes." autoComplete="off" />
        </div>
      </div>
      <h4>Notifications of this step</h4>
      {Object.entries(value.notifications).map(([event, n]) => (
        <NotificationEditor key={event} label={labels[event] ?? event} value={n} ownerApplies
          onChange={(next) => set({ notifications: { ...value.notifications, [event]: next } })} />
      ))}
    </section>
  );
}
