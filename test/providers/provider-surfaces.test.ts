// Graph and Exchange as an administrator meets them: the parameters API and CLI, the test email
// and the connection test, with the secret never shown. The CLI runs as a child process that
// trusts the fakes' certificate through NODE_EXTRA_CA_CERTS, as a deployment would.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { startApi, type ApiHarness } from '../fixtures/api.ts';
import { EwsFake } from '../fixtures/ews-fake.ts';
import { FAKE_CA_FILE, GraphFake, trustFakeCertificate } from '../fixtures/graph-fake.ts';

trustFakeCertificate();
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function runCli(h: ApiHarness, args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const env = {
    PATH: process.env.PATH, HOME: process.env.HOME, NODE_EXTRA_CA_CERTS: FAKE_CA_FILE,
    MAILROOM_DATA_DIR: h.env.dataDir, MAILROOM_SECRET_KEY: h.env.config.secretKey, MAILROOM_LOG_LEVEL: 'silent',
    ...(h.env.config.databaseUrl ? { DATABASE_URL: h.env.config.databaseUrl } : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c; });
    child.stderr.on('data', (c: Buffer) => { err += c; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

for (const dialect of DIALECTS) {
  describe(`Graph and Exchange settings, test email and connection test on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    let graph: GraphFake;
    let ews: EwsFake;
    const secret = 'graph-Secret-value-never-shown';
    const printed: string[] = [];

    before(async () => {
      h = await startApi(dialect);
      graph = await new GraphFake().start();
      graph.clientSecret = secret;
      graph.mailboxes.add('admin@contoso.test');
      ews = await new EwsFake().start();
      ews.mailboxes.add('admin@contoso.test');
    });
    after(async () => {
      await h.close();
      await graph.close();
      await ews.close();
      assert.deepEqual([...graph.unexpected, ...ews.unexpected], []);
      assert.ok(!printed.join('\n').includes(secret), 'the secret was printed');
    });

    it('the API saves the Microsoft Graph settings, never returns the secret, refuses unknown fields and non-administrators', async () => {
      const body = { graph: { tenantId: graph.tenantId, clientId: graph.clientId, clientSecret: secret, authorityHost: graph.url, graphEndpoint: graph.url } };
      assert.equal((await h.call('PATCH', '/api/parameters', { token: h.tokens.alice, body })).status, 403);
      const saved = await h.call('PATCH', '/api/parameters', { token: h.tokens.admin, body });
      assert.equal(saved.status, 200, saved.text);
      assert.equal(saved.body.graph.clientSecretSet, true);
      assert.ok(!saved.text.includes(secret));
      assert.ok(!(await h.call('GET', '/api/parameters', { token: h.tokens.admin })).text.includes(secret));
      const unknown = await h.call('PATCH', '/api/parameters', { token: h.tokens.admin, body: { graph: { secret: 'x' } } });
      assert.equal(unknown.status, 400);
      const throttled = await h.call('PATCH', '/api/parameters', { token: h.tokens.admin, body: { throttle: { graph: 10 } } });
      assert.deepEqual(throttled.body.warnings.map((w: { field: string }) => w.field), ['throttle.graph']);
      await h.call('PATCH', '/api/parameters', { token: h.tokens.admin, body: { throttle: { graph: 0 } } });
    });

    it('the API connection test reports a bad secret by code, and the test email goes out through Graph', async () => {
      const good = await h.call('POST', '/api/parameters/test-connection', { token: h.tokens.admin, body: { provider: 'graph', mailbox: 'admin@contoso.test' } });
      assert.equal(good.status, 200, good.text);
      assert.equal(good.body.ok, true);
      const sent = await h.call('POST', '/api/parameters/test-email', { token: h.tokens.admin, body: { to: 'bob@fabrikam.test', provider: 'graph' } });
      assert.equal(sent.body.status, 'sent', sent.text);
      assert.equal(graph.sent.at(-1)!.mailbox, 'admin@contoso.test');
      graph.clientSecret = 'rotated';
      await h.call('PATCH', '/api/parameters', { token: h.tokens.admin, body: { graph: { clientSecret: 'stale-secret' } } });
      const bad = await h.call('POST', '/api/parameters/test-connection', { token: h.tokens.admin, body: { provider: 'graph' } });
      assert.equal(bad.status, 502);
      assert.equal(bad.body.error.code, 'GRAPH_SECRET_INVALID');
      assert.ok(bad.body.error.fix);
      graph.clientSecret = secret;
      await h.call('PATCH', '/api/parameters', { token: h.tokens.admin, body: { graph: { clientSecret: secret } } });
      assert.equal((await h.call('POST', '/api/parameters/test-connection', { token: h.tokens.alice, body: { provider: 'graph' } })).status, 403);
    });

    it('the CLI sets exchange.* and sends a test email through Exchange and through Graph', async () => {
      const set = await runCli(h, ['params', 'set', `exchange.ewsUrl=${ews.ewsUrl}`, `exchange.username=${ews.username}`, `exchange.password=${ews.password}`, 'exchange.authentication=basic']);
      printed.push(set.out, set.err);
      assert.equal(set.code, 0, set.err);
      const refused = await runCli(h, ['params', 'set', 'exchange.server=mail.contoso.test']);
      assert.notEqual(refused.code, 0);
      const viaExchange = await runCli(h, ['test-email', '--provider', 'exchange', '--to', 'bob@fabrikam.test', '--json']);
      printed.push(viaExchange.out, viaExchange.err);
      assert.equal(viaExchange.code, 0, viaExchange.out + viaExchange.err);
      assert.equal(JSON.parse(viaExchange.out).status, 'sent');
      assert.equal(ews.received.at(-1)!.mailbox, 'admin@contoso.test');
      const viaGraph = await runCli(h, ['test-email', '--provider', 'graph', '--to', 'bob@fabrikam.test', '--json']);
      printed.push(viaGraph.out, viaGraph.err);
      assert.equal(viaGraph.code, 0, viaGraph.out + viaGraph.err);
      const shown = await runCli(h, ['params', 'get', '--json']);
      printed.push(shown.out);
      assert.equal(JSON.parse(shown.out).exchange.passwordSet, true);
      assert.ok(!shown.out.includes(ews.password));
    });

    it('the CLI connection test names a missing mailbox and a missing consent', async () => {
      const missing = await runCli(h, ['test-connection', '--provider', 'graph', '--mailbox', 'nobody@contoso.test', '--json']);
      printed.push(missing.out, missing.err);
      assert.notEqual(missing.code, 0);
      assert.match(missing.out + missing.err, /MAILBOX_NOT_FOUND/);
      graph.roles = [];
      const consent = await runCli(h, ['test-connection', '--provider', 'graph', '--json']);
      printed.push(consent.out, consent.err);
      assert.notEqual(consent.code, 0);
      assert.match(consent.out + consent.err, /GRAPH_CONSENT_MISSING/);
      graph.roles = ['Mail.Send'];
      const exchange = await runCli(h, ['test-connection', '--provider', 'exchange', '--mailbox', 'admin@contoso.test']);
      assert.equal(exchange.code, 0, exchange.err);
      assert.match(exchange.out, /ok\s+mailbox/);
    });
  });
}
