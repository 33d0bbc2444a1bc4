// The console's one way to turn HTML it did not write (templates, email bodies, pasted or typed
// HTML) into HTML it may place in the page. Everything goes through DOMPurify here: no scripts,
// event handlers, frames, forms or javascript: links survive. Nothing else in web/src parses or
// inserts HTML (innerHTML, dangerouslySetInnerHTML, srcDoc) except through these functions.
import DOMPurify from 'dompurify';

const FORBID_TAGS = ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'link', 'meta', 'base'];

/** HTML safe to put in the console's DOM (the rich editor). */
export function sanitizeHtml(html: string): string {
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS });
}

/**
 * An email body for the sandboxed preview frame: the same cleaning, but inline styles and
 * <style> blocks are kept, since email layout depends on them and the frame runs no script.
 */
export function sanitizeEmailHtml(html: string): string {
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: FORBID_TAGS.filter((t) => t !== 'style'), WHOLE_DOCUMENT: false, FORCE_BODY: true });
}

/** The text of some HTML, paragraphs and line breaks kept, read from a sanitized copy. */
export function htmlToText(html: string): string {
  const body = DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, RETURN_DOM: true });
  body.querySelectorAll('br').forEach((br) => br.replaceWith('\n'));
  body.querySelectorAll('p,div,li,h1,h2,h3,tr').forEach((el) => el.append('\n'));
  return (body.textContent ?? '').replace(/\u00a0/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Plain text as HTML paragraphs, every character escaped. */
export const textToHtml = (text: string) => text.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('');
