// An attacker without a token tries every route of the OpenAPI document, spelled the way a
// router may still match it: percent-encoded, doubled slashes, mixed case, absolute-form. Access
// comes from the matched route, so none of them answers with data.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { requireDeclaredAccess } from '../../src/api/auth.ts';
import { capturedRoutes } from '../../src/demo/captured.routes.ts';
import { startCaptureServer, type CaptureServer } from '../../src/demo/capture-server.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { startApi, type ApiHarness, type Json } from '../fixtures/api.ts';

/** Sends one raw HTTP/1.1 request, so the request target reaches the server exactly as written. */
function rawRequest(port: number, method: string, target: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const hasBody = method !== 'GET' && method !== 'DELETE';
    socket.on('connect', () => socket.write([
      `${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close',
      ...(token ? [`Authorization: Bearer ${token}`] : []),
      ...(hasBody ? ['Content-Type: application/json', 'Content-Length: 2'] : []),
      '', hasBody ? '{}' : '',
    ].join('\r\n')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
  });
}

/** Ways of writing the same path that a router may decode or normalise back to the route. */
export function spellings(path: string, port: number): string[] {
  const encoded = path.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`);
  const encodedAll = path.split('/').map((seg) => seg.replace(/[a-z]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
  return [
    path, encoded, encodedAll, path.replace('/api/', '//api/'), path.replace('/api/', '/api//'),
    path.replace('/api/', '/API/'), path.replace('/api/', '/Api/'), `http://127.0.0.1:${port}${path}`,
    `http://127.0.0.1:${port}${encoded}`, `${path}?`, `${path}#x`, path.replace('/api/', '/./api/'), path.replace('/api/', '/x/../api/'),
  ];
}

const PUBLIC = new Set(['POST /api/session', 'GET /api/errors']);

describe('every route declares who may call it', () => {
  it('refuses to start when a route has no config.access', async () => {
    const app = Fastify();
    app.addHook('onRoute', requireDeclaredAccess);
    assert.throws(() => app.get('/api/forgotten', async () => 'secret'), /declares no config\.access/);
    assert.throws(() => app.get('/api/misspelt', { config: { access: 'everyone' as 'public' } }, async () => 'secret'), /declares no config\.access/);
    app.get('/api/fine', { config: { access: 'user' } }, async () => 'ok');
    await app.close();
  });
});

for (const dialect of DIALECTS) {
  describe(`routes spelled differently stay closed on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    let capture: CaptureServer;
    let port: number;
    let routes: { method: string; path: string }[];

    before(async () => {
      capture = await startCaptureServer({ port: 0 });
      h = await startApi(dialect, { extraRoutes: (app, ctx) => capturedRoutes(app, capture, ctx) });
      await h.app.listen({ port: 0, host: '127.0.0.1' });
      port = (h.app.server.address() as { port: number }).port;
      const doc: Json = (await h.call('GET', '/openapi.json')).body;
      routes = Object.entries(doc.paths as Record<string, object>)
        .flatMap(([path, item]) => Object.keys(item).map((m) => ({ method: m.toUpperCase(), path })));
      assert.ok(routes.some((r) => r.path === '/api/demo/captured'), 'the demo routes are in the document');
    });
    after(async () => {
      await h.close();
      await capture.close();
    });

    it('answers no route with data without a token, however its path is written', async () => {
      let tried = 0;
      for (const { method, path } of routes) {
        if (PUBLIC.has(`${method} ${path}`)) continue;
        const concrete = path.replace(/\{[^}]+\}/g, 'US-008');
        for (const target of spellings(concrete, port)) {
          const res = await rawRequest(port, method, target);
          tried++;
          // A path that matches no route loads the console's page (no data) or answers 404.
          const consolePage = res.status === 200 && res.body.startsWith('<!doctype html>');
          assert.ok(consolePage || [400, 401, 404].includes(res.status), `${method} ${target} answered ${res.status}: ${res.body.slice(0, 200)}`);
          if (res.status !== 401) assert.doesNotMatch(res.body, /"(id|subject|email|to|bcc|token)"\s*:/i, `${method} ${target} leaked data`);
        }
      }
      assert.ok(tried > 100, `tried ${tried} spellings`);
    });

    it('shows a user only the captured mail sent from their own addresses, an administrator all of it', async () => {
      const nodemailer = (await import('nodemailer')).default;
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: capture.port, secure: false, ignoreTLS: true });
      await transport.sendMail({ from: h.users.admin.email, to: 'bob@fabrikam.test', bcc: 'secret@fabrikam.test', subject: 'Board minutes', text: 'x' });
      await transport.sendMail({ from: h.users.alice.email, to: 'bob@fabrikam.test', subject: 'Alice note', text: 'x' });
      transport.close();
      const asAdmin = await h.call('GET', '/api/demo/captured', { token: h.tokens.admin });
      assert.deepEqual(asAdmin.body.map((m: Json) => m.subject).sort(), ['Alice note', 'Board minutes']);
      const asAlice = await h.call('GET', '/api/demo/captured', { token: h.tokens.alice });
      assert.deepEqual(asAlice.body.map((m: Json) => m.subject), ['Alice note']);
      const boardId = asAdmin.body.find((m: Json) => m.subject === 'Board minutes').id;
      for (const url of [`/api/demo/captured/${boardId}`, `/api/demo/captured/${boardId}/eml`]) {
        assert.equal((await h.call('GET', url, { token: h.tokens.alice })).status, 404, `${url}: another user's mail stays hidden`);
        assert.equal((await h.call('GET', url, { token: h.tokens.admin })).status, 200);
      }
    });

    it('answers the route itself (not the raw URL) with 401 when it is percent-encoded or absolute-form', async () => {
      for (const target of ['/%61pi/demo/captured', '/ap%69/accounts/US-008', '/api/%6frganizations', `http://127.0.0.1:${port}/api/demo/captured`, `http://127.0.0.1:${port}/%61pi/template-kinds`]) {
        const res = await rawRequest(port, 'GET', target);
        assert.equal(res.status, 401, `${target}: ${res.body}`);
        assert.equal(JSON.parse(res.body).error.code, 'UNAUTHENTICATED');
      }
      const signedIn = await rawRequest(port, 'GET', '/%61pi/demo/captured', h.tokens.alice);
      assert.equal(signedIn.status, 200, `the same encoded path works with a token: it really reached the route (${signedIn.body})`);
    });
  });
}
