import { useId } from 'react';
import { formatSize } from './format.ts';

export interface PickedFile {
  readonly key: string;
  readonly file: File;
}

let counter = 0;

/** Attachments: add files (several at once), see their sizes, remove any before sending. */
export function AttachmentsInput({ files, onChange, error }: { files: readonly PickedFile[]; onChange(files: PickedFile[]): void; error?: string }) {
  const id = useId();
  const total = files.reduce((sum, f) => sum + f.file.size, 0);
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <span className="label" id={`${id}-label`}>Attachments</span>
      {files.length > 0 && (
        <ul className="attachments" aria-labelledby={`${id}-label`}>
          {files.map((f) => (
            <li key={f.key} data-attachment={f.file.name}>
              <span className="filename">{f.file.name}</span>
              <span className="muted"> {formatSize(f.file.size)}</span>
              <button type="button" className="button small" aria-label={`Remove ${f.file.name}`}
                onClick={() => onChange(files.filter((x) => x.key !== f.key))}>Remove</button>
            </li>
          ))}
        </ul>
      )}
      <div className="file-picker">
        <input id={`${id}-input`} type="file" multiple className="sr-only-file"
          onChange={(e) => {
            const picked = [...(e.target.files ?? [])].map((file) => ({ key: `f${++counter}`, file }));
            onChange([...files, ...picked]);
            e.target.value = '';
          }} />
        <label htmlFor={`${id}-input`} className="button">Add attachments</label>
        <span className="muted">{files.length === 0 ? 'No files attached.' : `${files.length} file${files.length === 1 ? '' : 's'}, ${formatSize(total)} in all.`}</span>
      </div>
      {error && <p className="field-error" data-field-error>{error}</p>}
    </div>
  );
}
