// The Body field: plain text, rich text (a small formatting toolbar), or HTML written by hand.
import { useEffect, useId, useRef } from 'react';

export type BodyMode = 'text' | 'rich' | 'html';

export interface BodyValue {
  readonly mode: BodyMode;
  readonly text: string;
  readonly html: string;
}

const DROP = 'script,style,iframe,object,embed,link,meta,base,form,input,button,textarea,select';

/** Makes HTML safe to place in the editor: no scripts, handlers, frames or javascript: links. */
export function cleanHtml(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  doc.querySelectorAll(DROP).forEach((el) => el.remove());
  doc.querySelectorAll('*').forEach((el) => {
    for (const attr of [...el.attributes]) {
      const value = attr.value.trim().toLowerCase();
      if (attr.name.startsWith('on') || ((attr.name === 'href' || attr.name === 'src') && /^(javascript|vbscript|data:text)/.test(value))) {
        el.removeAttribute(attr.name);
      }
    }
  });
  return doc.body.innerHTML;
}

export function htmlToText(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  doc.querySelectorAll('br').forEach((br) => br.replaceWith('\n'));
  doc.querySelectorAll('p,div,li,h1,h2,h3,tr').forEach((el) => el.append('\n'));
  return (doc.body.textContent ?? '').replace(/\u00a0/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
export const textToHtml = (text: string) => text.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('');

/** What the API receives: body (plain text) and, unless plain, html. */
export function toMessageBody(v: BodyValue): { body: string; html?: string } {
  if (v.mode === 'text') return { body: v.text };
  const html = v.mode === 'rich' ? v.html : v.html.trim();
  return { body: htmlToText(html), html };
}

function switchMode(v: BodyValue, mode: BodyMode): BodyValue {
  if (mode === v.mode) return v;
  if (mode === 'text') return { mode, text: v.mode === 'text' ? v.text : htmlToText(v.html), html: '' };
  const html = v.mode === 'text' ? (v.text ? textToHtml(v.text) : '') : v.html;
  return { mode, text: '', html: mode === 'rich' ? cleanHtml(html) : html };
}

const COMMANDS = [
  { command: 'bold', label: 'Bold' },
  { command: 'italic', label: 'Italic' },
  { command: 'insertUnorderedList', label: 'Bulleted list' },
  { command: 'insertOrderedList', label: 'Numbered list' },
] as const;

export function BodyEditor({ value, onChange, error }: { value: BodyValue; onChange(v: BodyValue): void; error?: string }) {
  const id = useId();
  const editor = useRef<HTMLDivElement>(null);

  // The rich editor is uncontrolled: set its content when entering the mode, read it on input.
  useEffect(() => {
    if (value.mode === 'rich' && editor.current && editor.current.innerHTML !== value.html) editor.current.innerHTML = value.html;
  }, [value.mode]);

  const exec = (command: string, arg?: string) => {
    editor.current?.focus();
    document.execCommand(command, false, arg);
    onChange({ ...value, html: editor.current?.innerHTML ?? '' });
  };

  const addLink = () => {
    const url = window.prompt('Link address (https://…)');
    if (url && /^(https?:|mailto:)/i.test(url.trim())) exec('createLink', url.trim());
  };

  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={`field body-editor${error ? ' field-invalid' : ''}`}>
      <div className="body-head">
        <label htmlFor={value.mode === 'rich' ? undefined : `${id}-body`} id={`${id}-label`}>Body</label>
        <div className="segmented" role="group" aria-label="Body format">
          {(['text', 'rich', 'html'] as const).map((m) => (
            <button key={m} type="button" aria-pressed={value.mode === m} onClick={() => onChange(switchMode(value, m))}>
              {m === 'text' ? 'Plain text' : m === 'rich' ? 'Rich text' : 'HTML'}
            </button>
          ))}
        </div>
      </div>
      {value.mode === 'text' && (
        <textarea id={`${id}-body`} rows={10} value={value.text} aria-describedby={errorId} onChange={(e) => onChange({ ...value, text: e.target.value })} />
      )}
      {value.mode === 'rich' && (
        <>
          <div className="toolbar" role="toolbar" aria-label="Formatting" aria-controls={`${id}-body`}>
            {COMMANDS.map((c) => (
              <button key={c.command} type="button" className={`button small cmd-${c.command}`}
                onMouseDown={(e) => e.preventDefault()} onClick={() => exec(c.command)}>{c.label}</button>
            ))}
            <button type="button" className="button small" onMouseDown={(e) => e.preventDefault()} onClick={addLink}>Link</button>
          </div>
          <div id={`${id}-body`} ref={editor} className="rich-editor" contentEditable role="textbox" aria-multiline="true"
            aria-labelledby={`${id}-label`} aria-describedby={errorId} tabIndex={0} suppressContentEditableWarning
            onInput={(e) => onChange({ ...value, html: e.currentTarget.innerHTML })} />
        </>
      )}
      {value.mode === 'html' && (
        <>
          <textarea id={`${id}-body`} rows={10} className="code" value={value.html} aria-describedby={`${id}-html-hint${errorId ? ` ${errorId}` : ''}`}
            onChange={(e) => onChange({ ...value, html: e.target.value })} spellCheck={false} />
          <p className="hint" id={`${id}-html-hint`}>Write the HTML of the body. A plain-text version is made from it for mail programs that show only text.</p>
        </>
      )}
      {error && <p className="field-error" id={errorId} data-field-error>{error}</p>}
    </div>
  );
}
