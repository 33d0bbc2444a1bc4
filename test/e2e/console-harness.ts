// The console's end-to-end harness: a real `mailroom serve --demo` (in this process, on a port of
// its own, with a temporary data folder) and Debian's Chromium driven by playwright-core. Nothing
// is downloaded: the browser is the system one, and every request goes to loopback.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config/load-config.ts';
import { startMailroom, type RunningMailroom } from '../../src/runtime/mailroom-process.ts';

export const CHROMIUM = process.env.MAILROOM_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');

/** False when Chromium is here; else the reason to skip. With MAILROOM_REQUIRE_SERVERS=1, missing is an error. */
export function skipUnlessChromium(): false | string {
  if (existsSync(CHROMIUM)) return false;
  const reason = `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.MAILROOM_REQUIRE_SERVERS === '1') throw new Error(`${reason}, and MAILROOM_REQUIRE_SERVERS=1 forbids skipping`);
  console.log(`# skipped: ${reason}`);
  return reason;
}

/** npm test builds web/dist first; a file run on its own builds it when it is missing. */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(ROOT, 'web', 'dist', 'index.html'))) return;
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the console build (vite build web) failed');
}

export interface DemoServer {
  readonly running: RunningMailroom;
  readonly url: string;
  readonly passwords: Record<string, string>;
  stop(): Promise<void>;
}

/** `mailroom serve --demo` on port 0: capture server, demo users and their printed passwords. */
export async function startDemoServer(): Promise<DemoServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mailroom-e2e-'));
  const config = loadConfig({
    env: {},
    overrides: { demo: true, port: 0, host: '127.0.0.1', dataDir, secretKey: randomBytes(32).toString('base64'), logLevel: 'silent', workerId: `e2e-${process.pid}` },
  });
  const running = await startMailroom(config, { api: true });
  return {
    running,
    url: running.url!,
    passwords: Object.fromEntries(running.demoCredentials.map((c) => [c.username, c.password])),
    async stop() {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** One headless Chromium with a fresh profile of its own, never touching the network beyond loopback. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'mailroom-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1320, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(15_000);
  // axe-core rides along in every page the console opens, ready for seriousViolations().
  await context.addInitScript({ content: readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8') });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the console's own form and waits for the signed-in page. */
export async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user-name').waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * axe-core's serious and critical findings on the page as it is now, as "rule: target" lines.
 * WCAG 2.x A and AA rules; email bodies in their sandboxed frames are content, not the console.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  type Violation = { id: string; impact: string | null; nodes: { target: string[] }[] };
  const violations = await page.evaluate(async () => {
    // Runs in the page; the server's tsconfig has no DOM types, so the page's globals are typed here.
    const { axe, document } = globalThis as unknown as { document: unknown; axe: { run(ctx: unknown, options: unknown): Promise<{ violations: Violation[] }> } };
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
      iframes: false,
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => ({ target: n.target.map(String) })) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}`));
}

/** Calls the REST API as a client would, for set-up and for checking what the console did. */
export async function apiCall(url: string, method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(new URL(path, url), {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = undefined;
  try { json = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
  return { status: res.status, body: json };
}
