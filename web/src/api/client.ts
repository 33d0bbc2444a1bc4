// The one way the console reaches Mailroom: the REST API under /api, with the session's bearer
// token. Failures arrive as ApiError, carrying the server's code, message, explanation and fix.
// What each route answers is typed in schema.ts, from the OpenAPI document.
import type { ErrorAnswer } from './schema.ts';

const TOKEN_KEY = 'mailroom.session';

/** The error of an answer, as the document declares it; the console's own (no answer, not JSON) need not say whether to retry. */
export type ErrorBody = Omit<ErrorAnswer['error'], 'retryable'> & Partial<Pick<ErrorAnswer['error'], 'retryable'>>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly explanation?: string;
  readonly fix?: string;
  readonly details?: unknown;
  readonly response?: string;

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.explanation = body.explanation;
    this.fix = body.fix;
    this.details = body.details;
    this.response = body.response;
  }

  /**
   * The reasons the server gave per field, keyed by a dotted path ("smtp.port"). INVALID_PARAMETER
   * lists {field, message}; schema validation lists {instancePath, message}; some codes name one field.
   */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    const details = this.details;
    if (Array.isArray(details)) {
      for (const d of details as { field?: string; instancePath?: string; message?: string }[]) {
        const field = d.field ?? d.instancePath?.replace(/^\//, '').replace(/\//g, '.');
        if (field && !(field in out)) out[field] = d.message ?? this.message;
      }
    } else if (details && typeof details === 'object' && typeof (details as { field?: unknown }).field === 'string') {
      out[(details as { field: string }).field] = this.message;
    }
    return out;
  }
}

export const toApiError = (err: unknown): ApiError =>
  err instanceof ApiError ? err : new ApiError(0, {
    code: 'NETWORK',
    message: 'Mailroom did not answer.',
    fix: 'Check that the Mailroom server is running and reachable, then try again.',
  });

let token: string | null = sessionStorage.getItem(TOKEN_KEY);
let onSignedOut: (reason: ApiError | null) => void = () => {};

export const getToken = () => token;

export function setToken(next: string | null) {
  token = next;
  if (next) sessionStorage.setItem(TOKEN_KEY, next);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Called when the server no longer accepts the session (expired, or signed out elsewhere). */
export function whenSignedOut(handler: (reason: ApiError | null) => void) {
  onSignedOut = handler;
}

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw toApiError(err);
  }
  if (res.ok) return res;
  let parsed: Partial<ErrorAnswer> = {};
  try { parsed = await res.json(); } catch { /* not JSON: a proxy's error page */ }
  const error = new ApiError(res.status, parsed.error ?? { code: `HTTP_${res.status}`, message: `The server answered ${res.status} ${res.statusText}.` });
  if (error.code === 'UNAUTHENTICATED' && token) {
    setToken(null);
    onSignedOut(error);
  }
  throw error;
}

export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await request(method, path, body);
  if (res.status === 204) return undefined as T;
  return res.json() as Promise<T>;
}

export const get = <T>(path: string) => api<T>('GET', path);

/** Fetches a file with the session's token and hands it to the browser as a download. */
export async function downloadFile(path: string, filename: string): Promise<void> {
  const res = await request('GET', path);
  saveBlob(await res.blob(), filename);
}

export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function base64ToBlob(base64: string, type: string): Blob {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new Blob([bytes], { type });
}

export function fileToBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.readAsDataURL(file);
  });
}

/** Builds a query string from the set values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
