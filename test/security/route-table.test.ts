// The routes the server really serves against the OpenAPI document: a route missing from the
// document could not be reached by the suites that walk the document, so every one must be there,
// with the access it declared. Then every administrator route is tried with a plain user's token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { capturedRoutes } from '../../src/demo/captured.routes.ts';
import { startCaptureServer, type CaptureServer } from '../../src/demo/capture-server.ts';
import { startApi, type ApiHarness, type Json } from '../fixtures/api.ts';

/** Routes that are deliberately not in the document: the load balancer's probe and the document itself. */
const UNDOCUMENTED = new Set(['GET /api/health', 'GET /openapi.json']);
const toDocPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

describe('the route table and the OpenAPI document', () => {
  let h: ApiHarness;
  let capture: CaptureServer;
  let doc: Json;
  before(async () => {
    capture = await startCaptureServer({ port: 0 });
    h = await startApi('sqlite', { extraRoutes: (app, ctx) => capturedRoutes(app, capture, ctx) });
    doc = (await h.call('GET', '/openapi.json')).body;
  });
  after(async () => {
    await h.close();
    await capture.close();
  });

  const apiRoutes = () => h.app.routeTable.filter((r) => (r.url.startsWith('/api/') || r.url === '/openapi.json') && r.method !== 'HEAD');

  it('documents every route the server serves, with the access the route declares', () => {
    const routes = apiRoutes();
    assert.ok(routes.length > 100, `${routes.length} routes`);
    const problems: string[] = [];
    for (const { method, url, access } of routes) {
      const key = `${method} ${url}`;
      if (UNDOCUMENTED.has(key)) {
        assert.equal(access, 'public', `${key} is undocumented because it holds no data`);
        continue;
      }
      const op = doc.paths[toDocPath(url)]?.[method.toLowerCase()];
      if (!op) { problems.push(`${key} is served but not in /openapi.json`); continue; }
      const documented = Array.isArray(op.security) && op.security.length === 0 ? 'public' : 'signed in';
      if (documented !== (access === 'public' ? 'public' : 'signed in')) problems.push(`${key}: declared ${access}, documented ${documented}`);
      if (access !== 'public' && !op.responses['401']) problems.push(`${key}: no 401 answer documented`);
      if (access === 'admin' && !String(op.responses['403']?.description ?? '').includes('FORBIDDEN')) problems.push(`${key}: administrators only, but no 403 FORBIDDEN documented`);
    }
    assert.deepEqual(problems, []);
    // And the other way round: the document names no route the server does not serve.
    const served = new Set(routes.map((r) => `${r.method} ${toDocPath(r.url)}`));
    const ghosts = Object.entries(doc.paths as Record<string, object>).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)).filter((k) => !served.has(k));
    assert.deepEqual(ghosts, []);
  });

  it('answers every administrator route with 403 to a plain user, and every signed-in route with 401 to nobody', async () => {
    let admin = 0;
    for (const { method, url, access } of apiRoutes()) {
      if (access === 'public') continue;
      const concrete = url.replace(/:[A-Za-z]+/g, 'x-1');
      const body = ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined;
      const nobody = await h.call(method as 'GET', concrete, { body });
      assert.equal(nobody.status, 401, `${method} ${url} without a token: ${nobody.text.slice(0, 200)}`);
      if (access !== 'admin') continue;
      admin++;
      const user = await h.call(method as 'GET', concrete, { token: h.tokens.alice, body });
      assert.equal(user.status, 403, `${method} ${url} as a plain user: ${user.text.slice(0, 200)}`);
      assert.equal(user.body.error.code, 'FORBIDDEN');
    }
    assert.ok(admin > 30, `${admin} administrator routes tried`);
  });
});
