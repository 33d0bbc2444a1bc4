import type { ApiError } from '../api/client.ts';
import { ErrorMessage } from './error-message.tsx';

/**
 * The error of a form as a whole. When the server refused named fields, their reasons stand
 * beside the fields and this box only says so, with the fix.
 */
export function FormError({ error, fields, action = 'save' }: { error: ApiError | null; fields: Record<string, string>; action?: 'save' | 'send' }) {
  if (!error) return null;
  const count = Object.keys(fields).length;
  if (count === 0) return <ErrorMessage error={error} />;
  return (
    <div className="notice notice-error" role="alert" data-error-code={error.code}>
      <p className="notice-title">{action === 'send' ? 'Not sent' : 'Nothing was saved'}: {count === 1 ? 'one value was' : `${count} values were`} refused.</p>
      <p>The reason is shown beside each marked field. Correct it and {action === 'send' ? 'send' : 'save'} again.</p>
    </div>
  );
}
