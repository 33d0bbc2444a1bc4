// The console's security headers, and a built console with no inline script for the policy to allow.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startApi, type ApiHarness } from '../fixtures/api.ts';

describe('security headers', () => {
  let h: ApiHarness;
  before(async () => { h = await startApi('sqlite'); });
  after(async () => { await h.close(); });

  it('sends a policy without inline script, nosniff, no referrer, and no framing on pages and API answers', async () => {
    for (const url of ['/', '/api/me', '/api/health']) {
      const res = await h.call('GET', url, { token: h.tokens.alice });
      const csp = String(res.headers['content-security-policy']);
      const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
      assert.deepEqual(directives.get('script-src'), ["'self'"], `${url}: ${csp}`);
      assert.deepEqual(directives.get('script-src-attr'), ["'none'"]);
      assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
      assert.deepEqual(directives.get('object-src'), ["'none'"]);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
    }
  });

  it('builds a console whose page has no inline script', () => {
    const page = new URL('../../web/dist/index.html', import.meta.url);
    assert.ok(existsSync(page), 'npm test builds the console first');
    const scripts = [...readFileSync(page, 'utf8').matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs!, /\bsrc=/, 'every script is a file');
      assert.equal(body!.trim(), '', 'and has no inline code');
    }
  });
});
