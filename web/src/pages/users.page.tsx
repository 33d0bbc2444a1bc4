import { useState } from 'react';
import type { User } from '../api/schema.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { Page, Section } from '../components/page.tsx';
import { Progress } from '../components/progress.tsx';
import { useApiQuery } from '../lib/query.ts';
import { Link } from 'react-router';
import { NewUserForm } from './users/new-user-form.tsx';
import { UserEditor } from './users/user-editor.tsx';

/** Users: who may sign in, the Email each sends from by default, and their Send-As grants. */
export function UsersPage() {
  const users = useApiQuery<User[]>('/api/users');
  const [editing, setEditing] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const selected = users.data?.find((u) => u.id === editing) ?? null;

  return (
    <Page title="Users" actions={
      <button type="button" className="button primary" aria-expanded={creating} onClick={() => setCreating(!creating)}>New user</button>
    } intro="A user's Email is the default From address of what they send; Sender email in their options overrides it.">
      {creating && <NewUserForm onCreated={(u) => { setCreating(false); setEditing(u.id); void users.refetch(); }} onCancel={() => setCreating(false)} />}
      <ErrorMessage error={users.error} />
      {users.isLoading && !users.data && <Progress label="Loading users…" />}
      {users.data && (
        <Section title="All users">
          <table className="grid">
            <thead><tr><th scope="col">User name</th><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id} data-username={u.username} className={u.id === editing ? "selected" : undefined}>
                  <td>{u.username}</td>
                  <td>{u.name}</td>
                  <td>{u.email}</td>
                  <td>{u.role === 'admin' ? 'Administrator' : 'User'}</td>
                  <td><div className="actions">
                    <button type="button" className="button small" aria-label={`Edit ${u.username}`} onClick={() => setEditing(u.id)}>Edit</button>
                    <Link className="button small" to={`/users/${encodeURIComponent(u.id)}/options`} aria-label={`Options of ${u.username}`}>Options</Link>
                  </div></td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
      {selected && <UserEditor key={selected.id} user={selected} onSaved={() => void users.refetch()} onClose={() => setEditing(null)} />}
    </Page>
  );
}
