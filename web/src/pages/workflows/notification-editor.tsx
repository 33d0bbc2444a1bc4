import { useId } from 'react';
import type { EventNotification, Recipient } from '../../api/schema.ts';
import { CheckboxField, SelectField, TextArea, TextField } from '../../components/fields.tsx';

/** The recipients and text of one event, as the form edits them. Users are names or ids, comma-separated. */
export interface NotificationForm {
  enabled: boolean;
  text: string;
  originator: boolean;
  owner: boolean;
  users: string;
  role: '' | 'admin' | 'user';
}

export const emptyNotification = (): NotificationForm => ({ enabled: false, text: '', originator: false, owner: false, users: '', role: '' });

export function toForm(n: EventNotification | undefined, names: ReadonlyMap<string, string>): NotificationForm {
  if (!n) return emptyNotification();
  const users = n.recipients.flatMap((r) => (r.type === 'user' ? r.users.map((id) => names.get(id) ?? id) : []));
  const role = n.recipients.find((r): r is Extract<Recipient, { type: 'role' }> => r.type === 'role')?.role ?? '';
  return {
    enabled: n.enabled !== false, text: n.text, users: users.join(', '), role,
    originator: n.recipients.some((r) => r.type === 'originator'), owner: n.recipients.some((r) => r.type === 'workitem-owner'),
  };
}

/** Undefined when the event is off and has no text: nothing to store. */
export function fromForm(f: NotificationForm): EventNotification | undefined {
  if (!f.enabled && !f.text.trim()) return undefined;
  const recipients: Recipient[] = [];
  if (f.originator) recipients.push({ type: 'originator' });
  if (f.owner) recipients.push({ type: 'workitem-owner' });
  const users = f.users.split(',').map((u) => u.trim()).filter(Boolean);
  if (users.length) recipients.push({ type: 'user', users });
  if (f.role) recipients.push({ type: 'role', role: f.role });
  return { enabled: f.enabled, text: f.text, recipients };
}

export function NotificationEditor({ label, value, onChange, ownerApplies }: {
  label: string; value: NotificationForm; onChange(v: NotificationForm): void; ownerApplies: boolean;
}) {
  const id = useId();
  const set = (change: Partial<NotificationForm>) => onChange({ ...value, ...change });
  return (
    <fieldset className="subsection" aria-labelledby={`${id}-legend`}>
      <legend id={`${id}-legend`}>{label}</legend>
      <CheckboxField label={`Notify on “${label}”`} checked={value.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
      {value.enabled && (
        <>
          <TextArea label="Notification text" rows={2} value={value.text} onChange={(e) => set({ text: e.target.value })}
            hint="Placeholders such as %document%, %originator%, %workitem.owner%, %comment% are filled in; it reaches the template as %message%." />
          <div className="row">
            <CheckboxField label="Originator" checked={value.originator} onChange={(e) => set({ originator: e.target.checked })} />
            {ownerApplies && <CheckboxField label="Work item owner" checked={value.owner} onChange={(e) => set({ owner: e.target.checked })} />}
            <SelectField label="Role" value={value.role} onChange={(e) => set({ role: e.target.value as NotificationForm['role'] })}
              options={[{ value: '', label: '(none)' }, { value: 'admin', label: 'Administrators' }, { value: 'user', label: 'Users' }]} />
            <TextField label="Specific users" value={value.users} onChange={(e) => set({ users: e.target.value })} hint="User names, comma-separated." autoComplete="off" />
          </div>
        </>
      )}
    </fieldset>
  );
}
