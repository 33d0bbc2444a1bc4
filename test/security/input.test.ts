// An attacker sends text the databases cannot keep (NUL, half a surrogate pair), values of the
// wrong type, and bodies far over the limits: each is refused with a 4xx and nothing is written.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BODY_LIMITS } from '../../src/api/hardening.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { countEmails, startApi, type ApiHarness } from '../fixtures/api.ts';

/** Text that neither database keeps as sent: a NUL or a lone surrogate somewhere inside. */
const unsafeText = fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom('\u0000', '\ud800', '\udfff', '\udbff'), fc.string({ maxLength: 20 }))
  .map(([a, bad, b]) => `${a}${bad}${b}`);

const urlText = (text: string) => encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\u0000'));

/** Values of the wrong type for a field that wants a string, a number or a boolean. */
const notABoolean = fc.oneof(fc.constant(null), fc.constantFrom('false', 'true', '0', ''), fc.integer(), fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }));
const notANumber = fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 65535 }).map(String), fc.array(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 2 }), fc.boolean());
const notAString = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.array(fc.string(), { minLength: 1, maxLength: 2 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 1 }));

for (const dialect of DIALECTS) {
  describe(`bad input is refused and nothing is written on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    const rowCounts = async () => {
      const db = h.env.ctx.db;
      const count = async (table: 'app_user' | 'token' | 'email_template' | 'setting') =>
        Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      return { ...(await countEmails(h)), users: await count('app_user'), templates: await count('email_template'), settings: await count('setting') };
    };

    before(async () => { h = await startApi(dialect); });
    after(async () => { await h.close(); });

    it('refuses NUL and lone surrogates with 400 in bodies, queries and paths', async () => {
      const before = await rowCounts();
      const paramsBefore = (await h.call('GET', '/api/parameters', { token: h.tokens.admin })).body;
      await fc.assert(fc.asyncProperty(unsafeText, async (text) => {
        const attempts = [
          h.call('POST', '/api/session', { body: { username: text, password: 'x' } }),
          h.call('POST', '/api/emails', { token: h.tokens.alice, body: { to: 'bob@fabrikam.test', subject: text } }),
          h.call('POST', '/api/emails', { token: h.tokens.alice, body: { to: 'bob@fabrikam.test', subject: 'ok', body: text } }),
          h.call('POST', '/api/users', { token: h.tokens.admin, body: { username: `u${Date.now()}`, email: 'u@contoso.test', password: 'long-enough-1', language: text } }),
          h.call('PATCH', `/api/users/${h.users.alice.id}`, { token: h.tokens.admin, body: { name: text } }),
          h.call('PATCH', '/api/parameters', { token: h.tokens.admin, body: { smtp: { host: text } } }),
          // A URL carries UTF-8, where half a surrogate pair cannot be written: NUL stands for both.
          h.call('GET', `/api/emails?text=${urlText(text)}`, { token: h.tokens.alice }),
          h.call('GET', `/api/emails/${urlText(text)}`, { token: h.tokens.alice }),
          h.call('GET', `/api/users/${urlText(text)}`, { token: h.tokens.admin }),
          h.call('POST', '/api/emails', { token: h.tokens.alice, body: { to: 'bob@fabrikam.test', subject: 'ok', [text]: 1 } }),
          // The routes of this session: template picker, activities by mailbox.
          h.call('GET', `/api/activity-templates?regarding=${urlText(text)}`, { token: h.tokens.alice }),
          h.call('POST', `/api/activity-templates/${urlText(text)}/render`, { token: h.tokens.alice, body: {} }),
          h.call('POST', '/api/activity-templates/any/render', { token: h.tokens.alice, body: { regarding: { type: 'contact', id: text } } }),
          h.call('GET', `/api/activities?mailbox=${urlText(text)}`, { token: h.tokens.alice }),
        ];
        for (const res of await Promise.all(attempts)) {
          assert.equal(res.status, 400, `${JSON.stringify(text)}: ${res.status} ${res.text}`);
          assert.equal(res.body.error.code, 'VALIDATION_FAILED');
        }
      }), { numRuns: 25 });
      assert.deepEqual(await rowCounts(), before, 'no row was written');
      assert.deepEqual((await h.call('GET', '/api/parameters', { token: h.tokens.admin })).body, paramsBefore);
    });

    it('refuses values of the wrong type instead of converting them', async () => {
      const before = await rowCounts();
      const paramsBefore = (await h.call('GET', '/api/parameters', { token: h.tokens.admin })).body;
      await fc.assert(fc.asyncProperty(notABoolean, notANumber, notAString, async (bool, num, str) => {
        const attempts = [
          h.call('PATCH', '/api/parameters', { token: h.tokens.admin, body: { smtp: { verifyCertificate: bool } } }),
          h.call('PATCH', '/api/parameters', { token: h.tokens.admin, body: { smtp: { port: num } } }),
          h.call('PATCH', '/api/distributor', { token: h.tokens.admin, body: { enabled: bool } }),
          h.call('POST', '/api/emails', { token: h.tokens.alice, body: { to: 'bob@fabrikam.test', subject: str } }),
          h.call('POST', '/api/session', { body: { username: str, password: 'x' } }),
          h.call('PATCH', `/api/users/${h.users.alice.id}/options`, { token: h.tokens.alice, body: { doNotAskAgain: bool } }),
          h.call('PATCH', '/api/email-settings', { token: h.tokens.admin, body: { unresolvedOnMultipleMatches: bool } }),
          h.call('POST', '/api/activity-templates/any/render', { token: h.tokens.alice, body: { regarding: str === null ? 7 : str } }), // null is a valid regarding: none
        ];
        for (const res of await Promise.all(attempts)) {
          assert.equal(res.status, 400, `${JSON.stringify([bool, num, str])}: ${res.status} ${res.text}`);
        }
      }), { numRuns: 25 });
      assert.deepEqual(await rowCounts(), before);
      assert.deepEqual((await h.call('GET', '/api/parameters', { token: h.tokens.admin })).body, paramsBefore, 'certificate checking is still on');
    });

    it('refuses a body over the limit on the sign-in route, and reads no big body before authentication', async () => {
      const big = 'x'.repeat(BODY_LIMITS.public + 1);
      const signIn = await h.call('POST', '/api/session', { body: { username: 'admin', password: big } });
      assert.equal(signIn.status, 413, signIn.text);
      assert.equal(signIn.body.error.code, 'MESSAGE_TOO_LARGE');
      const overUserLimit = { to: 'bob@fabrikam.test', subject: 'x', template: 'y'.repeat(BODY_LIMITS.user + 1) };
      const patch = await h.call('PATCH', '/api/parameters', { token: h.tokens.admin, body: { smtp: { host: overUserLimit.template } } });
      assert.equal(patch.status, 413, 'routes without attachments keep the small limit');
      // Without a token, an attachment route answers 401 before it reads the body.
      const unauthenticated = await h.call('POST', '/api/emails', { body: { to: 'bob@fabrikam.test', subject: 'x', attachments: [{ filename: 'a.bin', contentBase64: 'QUFB'.repeat(BODY_LIMITS.user) }] } });
      assert.equal(unauthenticated.status, 401);
      // With one, the same body is within the attachment route's limit.
      const authenticated = await h.call('POST', '/api/emails', { token: h.tokens.alice, body: { to: 'bob@fabrikam.test', subject: 'x', attachments: [{ filename: 'a.bin', contentBase64: 'QUFB'.repeat(BODY_LIMITS.user) }] } });
      assert.ok(![401, 413].includes(authenticated.status), `the body was read and checked: ${authenticated.text}`);
    });

  });
}
