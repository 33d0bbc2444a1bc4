// Showing a stored message safely: HTML bodies, sanitized, in a sandboxed frame that runs no script and
// loads nothing from the network unless the reader asks for remote images.
import { useState } from 'react';
import type { MessageContent } from '../api/schema.ts';
import { sanitizeEmailHtml } from '../lib/sanitize.ts';
import { formatSize } from './format.ts';

const REMOTE = /<img[^>]+src\s*=\s*["']?\s*(https?:)?\/\/|url\(\s*["']?\s*(https?:)?\/\//i;

export function hasRemoteContent(html: string): boolean {
  return REMOTE.test(html);
}

function frameDocument(html: string, allowRemote: boolean): string {
  const img = allowRemote ? 'data: https: http:' : 'data:';
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src ${img}; font-src data:; form-action 'none'`;
  return '<!doctype html><html><head><meta charset="utf-8">'
    + `<meta http-equiv="Content-Security-Policy" content="${csp}">`
    + '<style>body{font:15px/1.5 system-ui,sans-serif;margin:12px;color:#1b1b1b;background:#fff}img{max-width:100%}</style>'
    + `</head><body>${sanitizeEmailHtml(html)}</body></html>`;
}

/** An HTML body in a frame with no permissions at all: no scripts, forms, pop-ups or same-origin access. */
export function SafeHtmlFrame({ html, title }: { html: string; title: string }) {
  const [allowRemote, setAllowRemote] = useState(false);
  const remote = hasRemoteContent(html);
  return (
    <div className="html-frame">
      {remote && (
        <div className="frame-bar">
          <span>{allowRemote ? 'Remote images are shown.' : 'Remote images are blocked, so the sender cannot tell you opened this email.'}</span>
          <button type="button" className="button small" onClick={() => setAllowRemote(!allowRemote)}>
            {allowRemote ? 'Block remote images' : 'Show remote images'}
          </button>
        </div>
      )}
      <iframe sandbox="" referrerPolicy="no-referrer" title={title} srcDoc={frameDocument(html, allowRemote)} />
    </div>
  );
}

/** An email's attachment, or one of the demo's captured copy (which has no index). */
type Attachment = Omit<MessageContent['attachments'][number], 'index' | 'inline'> & Partial<Pick<MessageContent['attachments'][number], 'index' | 'inline'>>;

export function MessageBody({ content, title }: { content: Pick<MessageContent, 'html' | 'text'>; title: string }) {
  const [view, setView] = useState<'html' | 'text'>(content.html ? 'html' : 'text');
  return (
    <div className="message-body">
      {content.html && (
        <div className="segmented" role="group" aria-label="Body format">
          <button type="button" aria-pressed={view === 'html'} onClick={() => setView('html')}>Formatted</button>
          <button type="button" aria-pressed={view === 'text'} onClick={() => setView('text')}>Plain text</button>
        </div>
      )}
      {view === 'html' && content.html
        ? <SafeHtmlFrame html={content.html} title={`Body of ${title}`} />
        : <pre className="text-body" tabIndex={0} aria-label="Body as plain text">{content.text || '(no text)'}</pre>}
    </div>
  );
}

export function HeaderList({ headers }: { headers: readonly string[] }) {
  return <pre className="headers" tabIndex={0} aria-label="Message headers">{headers.join('\n')}</pre>;
}

export function AttachmentList({ attachments, onDownload }: {
  attachments: readonly Attachment[];
  onDownload?: (index: number, filename: string) => void;
}) {
  if (attachments.length === 0) return <p className="muted">No attachments.</p>;
  return (
    <ul className="attachments">
      {attachments.map((a, i) => {
        const name = a.filename ?? `attachment-${i + 1}`;
        return (
          <li key={i}>
            <span className="filename">{name}</span>
            <span className="muted"> {a.contentType}, {formatSize(a.size)}{a.inline ? ', inline' : ''}</span>
            {onDownload && <button type="button" className="button small" onClick={() => onDownload(a.index ?? i, name)} aria-label={`Download ${name}`}>Download</button>}
          </li>
        );
      })}
    </ul>
  );
}
