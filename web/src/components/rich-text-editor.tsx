// The Body field: plain text, rich text (TipTap, with a small formatting toolbar), or HTML written
// by hand. HTML enters the rich editor only through sanitizeHtml.
import Bold from '@tiptap/extension-bold';
import { EditorContent, useEditor, useEditorState } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { useEffect, useId, useRef } from 'react';
import { htmlToText, sanitizeHtml, textToHtml } from '../lib/sanitize.ts';

export type BodyMode = 'text' | 'rich' | 'html';

export interface BodyValue {
  readonly mode: BodyMode;
  readonly text: string;
  readonly html: string;
}

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
  return { mode, text: '', html: mode === 'rich' ? sanitizeHtml(html) : html };
}

// Bold as <b>, the tag mail programs have always understood.
const ClassicBold = Bold.extend({ renderHTML: ({ HTMLAttributes }) => ['b', HTMLAttributes, 0] });

function RichEditor({ html, onChange, labelledBy, describedBy, id }: { html: string; onChange(html: string): void; labelledBy: string; describedBy?: string; id: string }) {
  // What the editor last reported: a different value from outside (a loaded draft, a cleared form) replaces its content.
  const emitted = useRef(html);
  const editor = useEditor({
    extensions: [
      StarterKit.configure({ bold: false, heading: false, codeBlock: false, code: false, horizontalRule: false, link: { openOnClick: false, protocols: ['mailto'], isAllowedUri: (url) => /^(https?:|mailto:)/i.test(url) } }),
      ClassicBold,
    ],
    content: sanitizeHtml(html),
    editorProps: {
      attributes: {
        id, class: 'rich-editor', role: 'textbox', 'aria-multiline': 'true', 'aria-labelledby': labelledBy,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      },
    },
    onUpdate: ({ editor: e }) => {
      emitted.current = e.isEmpty ? '' : e.getHTML();
      onChange(emitted.current);
    },
  });
  useEffect(() => {
    if (!editor || html === emitted.current) return;
    emitted.current = html;
    editor.commands.setContent(sanitizeHtml(html), { emitUpdate: false });
  }, [editor, html]);
  const active = useEditorState({
    editor,
    selector: ({ editor: e }) => ({ bold: e?.isActive('bold') ?? false, italic: e?.isActive('italic') ?? false, bullet: e?.isActive('bulletList') ?? false, ordered: e?.isActive('orderedList') ?? false }),
  });
  const addLink = () => {
    const url = window.prompt('Link address (https://…)');
    if (url && /^(https?:|mailto:)/i.test(url.trim())) editor?.chain().focus().extendMarkRange('link').setLink({ href: url.trim() }).run();
  };
  const buttons = [
    { label: 'Bold', pressed: active?.bold, run: () => editor?.chain().focus().toggleBold().run() },
    { label: 'Italic', pressed: active?.italic, run: () => editor?.chain().focus().toggleItalic().run() },
    { label: 'Bulleted list', pressed: active?.bullet, run: () => editor?.chain().focus().toggleBulletList().run() },
    { label: 'Numbered list', pressed: active?.ordered, run: () => editor?.chain().focus().toggleOrderedList().run() },
  ];
  return (
    <>
      <div className="toolbar" role="toolbar" aria-label="Formatting" aria-controls={id}>
        {buttons.map((b) => (
          <button key={b.label} type="button" className="button small" aria-pressed={b.pressed ?? false}
            onMouseDown={(e) => e.preventDefault()} onClick={b.run}>{b.label}</button>
        ))}
        <button type="button" className="button small" onMouseDown={(e) => e.preventDefault()} onClick={addLink}>Link</button>
      </div>
      <EditorContent editor={editor} />
    </>
  );
}

export function BodyEditor({ value, onChange, error }: { value: BodyValue; onChange(v: BodyValue): void; error?: string }) {
  const id = useId();
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
        <RichEditor id={`${id}-body`} html={value.html} labelledBy={`${id}-label`} describedBy={errorId} onChange={(html) => onChange({ ...value, html })} />
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
