// Who may call what: tokens, administrator routes, own emails and options, and the SMTP
// password that never leaves the server.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { startApi, type ApiHarness, type Json } from '../fixtures/api.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';

/** Routes the API must offer; the OpenAPI document must list each. */
const EXPECTED_ROUTES = [
  'GET /api/errors', 'POST /api/session', 'DELETE /api/session', 'GET /api/me',
  'GET /api/users', 'POST /api/users', 'GET /api/users/{id}', 'PATCH /api/users/{id}',
  'GET /api/users/{id}/options', 'PATCH /api/users/{id}/options',
  'POST /api/users/{id}/send-as', 'DELETE /api/users/{id}/send-as/{address}', 'POST /api/users/{id}/tokens',
  'GET /api/parameters', 'PATCH /api/parameters', 'POST /api/parameters/test-email',
  'GET /api/distributor', 'PATCH /api/distributor', 'POST /api/distributor/run',
  'POST /api/emails', 'GET /api/emails', 'POST /api/compose', 'POST /api/send', 'GET /api/queue', 'GET /api/summary',
  'GET /api/emails/{id}', 'GET /api/emails/{id}/eml', 'POST /api/emails/{id}/resend', 'POST /api/emails/{id}/cancel',
];
const PUBLIC_ROUTES = new Set(['POST /api/session', 'GET /api/errors']);

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const routesOf = (doc: Json) => Object.entries(doc.paths as Record<string, object>)
  .flatMap(([path, item]) => Object.keys(item).map((m) => ({ method: m.toUpperCase() as Method, path })));

const PASSWORD = 'Tr0ub4dor&3-never-shown';

for (const dialect of DIALECTS) {
  describe(`API access on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    let smtp: RunningSmtpServer;
    let doc: Json;

    before(async () => {
      smtp = await startSmtpServer({ tls: 'starttls', auth: { user: 'mailer@contoso.test', pass: PASSWORD } });
      h = await startApi(dialect);
      const patched = await h.call('PATCH', '/api/parameters', {
        token: h.tokens.admin, body: { smtp: { host: smtp.host, port: smtp.port, sslRequired: true, verifyCertificate: false } },
      });
      assert.equal(patched.status, 200, patched.text);
      doc = (await h.call('GET', '/openapi.json')).body;
    });
    after(async () => {
      await h.close();
      await smtp.close();
    });

    it('answers 401 without a token on every route but sign-in, health, errors and the OpenAPI document', async () => {
      const listed = routesOf(doc).map((r) => `${r.method} ${r.path}`);
      for (const route of EXPECTED_ROUTES) assert.ok(listed.includes(route), `${route} is missing from /openapi.json`);
      for (const { method, path } of routesOf(doc)) {
        const url = path.replace('{id}', randomUUID()).replace('{address}', 'someone%40contoso.test').replace('{index}', '0');
        for (const token of [null, 'not-a-real-token']) {
          const res = await h.call(method, url, { token, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
          if (PUBLIC_ROUTES.has(`${method} ${path}`)) {
            assert.notEqual(res.status, 401, `${method} ${path} is public, and a stale token must not lock anyone out`);
          } else {
            assert.equal(res.status, 401, `${method} ${path} with token ${token}`);
            assert.equal(res.body.error.code, 'UNAUTHENTICATED', `${method} ${path}`);
          }
        }
      }
      assert.equal((await h.call('GET', '/api/health')).status, 200);
      assert.equal((await h.call('GET', '/api/errors')).status, 200);
      assert.equal((await h.call('GET', '/openapi.json')).status, 200);
      assert.equal((await h.call('GET', '/api/no-such-route')).status, 401, 'unknown API paths say nothing before sign-in');
    });

    it('refuses a user on every administrator route with 403, and changes nothing', async () => {
      const { admin, alice } = h.users;
      const paramsBefore = (await h.call('GET', '/api/parameters', { token: h.tokens.admin })).body;
      const usersBefore = (await h.call('GET', '/api/users', { token: h.tokens.admin })).body;
      const settingsOf = (d: Json) => ({ enabled: d.enabled, recurrenceSeconds: d.recurrenceSeconds, lastRun: d.lastRun });
      const distributorBefore = settingsOf((await h.call('GET', '/api/distributor', { token: h.tokens.admin })).body);
      const attempts: [Method, string, unknown?][] = [
        ['GET', '/api/parameters'],
        ['PATCH', '/api/parameters', { expirationDays: 3, smtp: { host: 'evil.example' } }],
        ['POST', '/api/parameters/test-email', { to: 'bob@fabrikam.test' }],
        ['GET', '/api/distributor'],
        ['PATCH', '/api/distributor', { enabled: false }],
        ['POST', '/api/distributor/run'],
        ['GET', '/api/users'],
        ['POST', '/api/users', { username: 'mallory', email: 'mallory@contoso.test', role: 'admin', password: 'mallory-password' }],
        ['PATCH', `/api/users/${alice.id}`, { role: 'admin' }],
        ['PATCH', `/api/users/${admin.id}`, { email: 'alice@contoso.test' }],
        ['POST', `/api/users/${alice.id}/send-as`, { address: 'ceo@contoso.test' }],
        ['DELETE', `/api/users/${alice.id}/send-as/ceo%40contoso.test`],
        ['GET', `/api/users/${admin.id}`],
        ['GET', `/api/users/${admin.id}/options`],
        ['PATCH', `/api/users/${admin.id}/options`, { providerId: 'eml' }],
        ['POST', `/api/users/${admin.id}/tokens`, { name: 'stolen' }],
      ];
      for (const [method, url, body] of attempts) {
        const res = await h.call(method, url, { token: h.tokens.alice, body });
        assert.equal(res.status, 403, `${method} ${url}: ${res.text}`);
        assert.equal(res.body.error.code, 'FORBIDDEN', `${method} ${url}`);
      }
      assert.deepEqual((await h.call('GET', '/api/parameters', { token: h.tokens.admin })).body, paramsBefore);
      assert.deepEqual((await h.call('GET', '/api/users', { token: h.tokens.admin })).body, usersBefore);
      assert.deepEqual(settingsOf((await h.call('GET', '/api/distributor', { token: h.tokens.admin })).body), distributorBefore);
      const me = (await h.call('GET', '/api/me', { token: h.tokens.alice })).body;
      assert.equal(me.user.role, 'user');
      assert.deepEqual(me.sendAs, []);
      assert.equal((await h.call('GET', `/api/users/${admin.id}/options`, { token: h.tokens.admin })).body.providerId, null);
      // Her own record she may read.
      const own = await h.call('GET', `/api/users/${alice.id}`, { token: h.tokens.alice });
      assert.equal(own.status, 200);
      assert.equal(own.body.username, 'alice');
    });

    it('shows a user only her own emails, and an administrator everyone\'s', async () => {
      const queue = async (token: string, subject: string) => {
        const res = await h.call('POST', '/api/emails', { token, body: { to: 'bob@fabrikam.test', subject, body: 'x' } });
        assert.equal(res.status, 201, res.text);
        return res.body.email.id as string;
      };
      const adminEmail = await queue(h.tokens.admin, 'Board minutes');
      const aliceEmail = await queue(h.tokens.alice, 'Alice statement');

      const aliceHistory = (await h.call('GET', '/api/emails', { token: h.tokens.alice })).body.items as Json[];
      assert.deepEqual(aliceHistory.map((e) => e.id), [aliceEmail]);
      const aliceQueue = (await h.call('GET', '/api/queue', { token: h.tokens.alice })).body as Json[];
      assert.deepEqual(aliceQueue.map((e) => e.id), [aliceEmail]);
      assert.deepEqual((await h.call('GET', '/api/emails?sender=admin%40contoso.test', { token: h.tokens.alice })).body.items, []);
      assert.deepEqual((await h.call('GET', '/api/summary', { token: h.tokens.alice })).body.counts, { waiting: 1 });

      for (const [method, suffix] of [['GET', ''], ['GET', '/eml'], ['POST', '/resend'], ['POST', '/cancel']] as const) {
        const res = await h.call(method, `/api/emails/${adminEmail}${suffix}`, { token: h.tokens.alice });
        assert.equal(res.status, 404, `${method} …${suffix}`);
        assert.equal(res.body.error.code, 'NOT_FOUND');
      }
      const adminView = await h.call('GET', `/api/emails/${adminEmail}`, { token: h.tokens.admin });
      assert.equal(adminView.body.status, 'waiting', 'alice\'s cancel must not have touched it');

      const all = (await h.call('GET', '/api/emails', { token: h.tokens.admin })).body.items as Json[];
      assert.deepEqual(new Set(all.map((e) => e.id)), new Set([adminEmail, aliceEmail]));
      assert.equal((await h.call('GET', '/api/queue', { token: h.tokens.admin })).body.length, 2);
      assert.equal((await h.call('GET', `/api/emails/${aliceEmail}`, { token: h.tokens.admin })).status, 200);
      assert.equal((await h.call('GET', `/api/emails/${aliceEmail}/eml`, { token: h.tokens.admin })).status, 200);
      assert.deepEqual((await h.call('GET', '/api/summary', { token: h.tokens.admin })).body.counts, { waiting: 2 });
      // An administrator may cancel anyone's waiting email.
      assert.equal((await h.call('POST', `/api/emails/${aliceEmail}/cancel`, { token: h.tokens.admin })).body.status, 'cancelled');
    });

    it('lets a user change her own options but not the Sender email, which only an administrator sets', async () => {
      const { alice } = h.users;
      const url = `/api/users/${alice.id}/options`;
      const set = await h.call('PATCH', url, { token: h.tokens.alice, body: { providerId: 'eml', sendNotificationsInEmail: true } });
      assert.equal(set.status, 200, set.text);
      assert.equal(set.body.providerId, 'eml');

      const sender = await h.call('PATCH', url, { token: h.tokens.alice, body: { senderEmail: 'ceo@contoso.test' } });
      assert.equal(sender.status, 403);
      assert.equal(sender.body.error.code, 'FORBIDDEN');
      const mixed = await h.call('PATCH', url, { token: h.tokens.alice, body: { providerId: 'smtp', senderEmail: 'ceo@contoso.test' } });
      assert.equal(mixed.status, 403);
      let options = (await h.call('GET', url, { token: h.tokens.alice })).body;
      assert.equal(options.senderEmail, null);
      assert.equal(options.providerId, 'eml', 'a refused change changes nothing');

      const byAdmin = await h.call('PATCH', url, { token: h.tokens.admin, body: { senderEmail: 'sales@contoso.test' } });
      assert.equal(byAdmin.status, 200, byAdmin.text);
      options = (await h.call('GET', url, { token: h.tokens.alice })).body;
      assert.equal(options.senderEmail, 'sales@contoso.test');
      const bad = await h.call('PATCH', url, { token: h.tokens.admin, body: { senderEmail: 'not an address' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'INVALID_ADDRESS');
      const unknown = await h.call('PATCH', url, { token: h.tokens.alice, body: { providerId: 'pigeon' } });
      assert.equal(unknown.status, 400);
      // Back to the defaults for the tests after this one.
      assert.equal((await h.call('PATCH', url, { token: h.tokens.admin, body: { senderEmail: null, providerId: null, sendNotificationsInEmail: false } })).status, 200);
    });

    it('refuses a wrong password with BAD_CREDENTIALS, ends a session on sign-out, and accepts API tokens', async () => {
      for (const body of [{ username: 'alice', password: 'wrong-password' }, { username: 'nobody', password: 'alice-password' }]) {
        const res = await h.call('POST', '/api/session', { body });
        assert.equal(res.status, 401);
        assert.equal(res.body.error.code, 'BAD_CREDENTIALS');
        assert.equal(res.body.token, undefined);
      }
      const session = await h.signIn('alice', 'alice-password');
      assert.equal((await h.call('GET', '/api/me', { token: session })).body.user.username, 'alice');
      assert.equal((await h.call('DELETE', '/api/session', { token: session })).status, 204);
      const after = await h.call('GET', '/api/me', { token: session });
      assert.equal(after.status, 401);
      assert.equal(after.body.error.code, 'UNAUTHENTICATED');
      // Other sessions of the same user go on.
      assert.equal((await h.call('GET', '/api/me', { token: h.tokens.alice })).status, 200);

      const unconfirmed = await h.call('POST', `/api/users/${h.users.alice.id}/tokens`, { token: h.tokens.alice, body: { name: 'erp-connector' } });
      assert.equal(unconfirmed.status, 401, 'a session mints a token only with the password entered again');
      const created = await h.call('POST', `/api/users/${h.users.alice.id}/tokens`, { token: h.tokens.alice, body: { name: 'erp-connector', password: 'alice-password' } });
      assert.equal(created.status, 201, created.text);
      const apiToken = created.body.token as string;
      assert.equal((await h.call('GET', '/api/me', { token: apiToken })).body.user.username, 'alice');
      const queued = await h.call('POST', '/api/emails', { token: apiToken, body: { to: 'bob@fabrikam.test', subject: 'Via API token' } });
      assert.equal(queued.status, 201);
      assert.equal(queued.body.email.userId, h.users.alice.id);
      // An API token carries its user's rights, no more.
      assert.equal((await h.call('GET', '/api/parameters', { token: apiToken })).status, 403);
      const adminToken = (await h.call('POST', `/api/users/${h.users.admin.id}/tokens`, { token: h.tokens.admin, body: { name: 'ops', password: 'admin-password' } })).body.token as string;
      assert.equal((await h.call('GET', '/api/parameters', { token: adminToken })).status, 200);
    });

    it('never returns the SMTP password, and shows only whether it is set', async () => {
      const secretPatch = await h.call('PATCH', '/api/parameters', {
        token: h.tokens.admin, body: { smtp: { authRequired: true, username: 'mailer@contoso.test', password: PASSWORD } },
      });
      assert.equal(secretPatch.status, 200, secretPatch.text);
      assert.equal(secretPatch.body.smtp.passwordSet, true);
      const answers: { what: string; text: string }[] = [{ what: 'PATCH /api/parameters', text: secretPatch.text }];

      // The stored password works: the test email signs in with it.
      const test = await h.call('POST', '/api/parameters/test-email', { token: h.tokens.admin, body: { to: 'ops@fabrikam.test' } });
      assert.equal(test.body.status, 'sent', test.text);
      assert.equal(smtp.mails.at(-1)?.user, 'mailer@contoso.test');
      answers.push({ what: 'POST /api/parameters/test-email', text: test.text });
      const emailId = test.body.id as string;

      const failed = await h.call('PATCH', '/api/parameters', { token: h.tokens.admin, body: { smtp: { port: 0, password: 12 } } });
      assert.equal(failed.status, 400);
      answers.push({ what: 'refused PATCH', text: failed.text });

      for (const [who, token] of Object.entries(h.tokens)) {
        for (const { method, path } of routesOf(doc).filter((r) => r.method === 'GET')) {
          const url = path.replace('{id}', path.startsWith('/api/users/') ? h.users[who as 'admin' | 'alice'].id : emailId).replace('{index}', '0');
          const res = await h.call('GET', url, { token });
          answers.push({ what: `${who} ${method} ${url} (${res.status})`, text: res.text });
        }
        answers.push({ what: `${who} /openapi.json`, text: (await h.call('GET', '/openapi.json', { token })).text });
      }
      const settings = await h.env.ctx.db.selectFrom('setting').selectAll().execute();
      assert.ok(!JSON.stringify(settings).includes(PASSWORD), 'the database holds the password sealed, not in clear');
      const stored = JSON.parse(settings.find((s) => s.key === 'email_parameters')!.value);
      const sealedValue = stored.smtp.passwordSealed as string;
      assert.ok(sealedValue.length > 16, 'the sealed password is stored');
      for (const { what, text } of answers) {
        assert.ok(!text.includes(sealedValue), `${what} shows the sealed password`);
        assert.ok(!text.includes('passwordSealed'), `${what} names the sealed password field`);
        assert.ok(!text.includes(PASSWORD), `${what} shows the password`);
        assert.ok(!text.includes(Buffer.from(PASSWORD).toString('base64')), `${what} shows the password in base64`);
      }
      assert.equal((await h.call('GET', '/api/parameters', { token: h.tokens.admin })).body.smtp.passwordSet, true);

      const cleared = await h.call('PATCH', '/api/parameters', { token: h.tokens.admin, body: { smtp: { password: null } } });
      assert.equal(cleared.status, 200);
      assert.equal(cleared.body.smtp.passwordSet, false);
      assert.equal((await h.call('GET', '/api/parameters', { token: h.tokens.admin })).body.smtp.passwordSet, false);
      assert.equal(cleared.body.smtp.username, 'mailer@contoso.test', 'clearing the password keeps the user name');
    });

    it('never answers with a user\'s stored password hash, also when the password is changed', async () => {
      const alice = h.users.alice;
      const changed = await h.call('PATCH', `/api/users/${alice.id}`, { token: h.tokens.admin, body: { password: 'a-new-password-1', name: 'Alice Renamed' } });
      assert.equal(changed.status, 200, changed.text);
      assert.equal(changed.body.name, 'Alice Renamed');
      assert.deepEqual(Object.keys(changed.body).sort(), ['email', 'id', 'language', 'name', 'role', 'username']);
      for (const url of ['/api/users', `/api/users/${alice.id}`]) {
        assert.ok(!(await h.call('GET', url, { token: h.tokens.admin })).text.includes('scrypt:'), `${url} shows a password hash`);
      }
      const signIn = await h.call('POST', '/api/session', { body: { username: 'alice', password: 'a-new-password-1' } });
      assert.equal(signIn.status, 200, 'the new password works');
    });
  });
}
