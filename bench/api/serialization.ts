// Serializing answers through their schemas (the fast-json-stringify function Fastify compiles for
// a route's declared answer) against JSON.stringify of the same payload, the baseline, in one run.
// The payloads are real: emails handed in through the API on a fresh SQLite Mailroom, caught at
// the preSerialization hook of each route together with that route's own serializer.
// Usage: npm run bench:api [-- --emails 500 --ms 400]
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { startApi } from '../../test/fixtures/api.ts';

const { values } = parseArgs({ options: { emails: { type: 'string', default: '500' }, ms: { type: 'string', default: '400' } } });
const EMAILS = Number(values.emails);
const MS = Number(values.ms);

const caught = new Map<string, { serialize: (payload: unknown) => string; payload: unknown }>();
const h = await startApi('sqlite', {
  extraRoutes: (app) => app.addHook('preSerialization', async (request, reply, payload) => {
    caught.set(request.url, { serialize: reply.getSerializationFunction(String(reply.statusCode)) as (p: unknown) => string, payload });
    return payload;
  }),
});
try {
  const admin = { token: h.tokens.admin };
  for (let i = 0; i < EMAILS; i++) {
    const res = await h.call('POST', '/api/emails', {
      ...admin,
      body: { to: [`customer${i}@example.test`, 'Accounts <accounts@example.test>'], cc: 'manager@example.test', subject: `Invoice ${i} for order ${1000 + i}`, body: 'Please find the invoice attached.', provider: 'eml' },
    });
    assert.equal(res.status, 201, res.text);
  }
  const id = (await h.call('GET', '/api/emails?limit=1', admin)).body.items[0].id as string;
  const urls = ['/api/emails?limit=50', `/api/emails?limit=${Math.min(EMAILS, 500)}`, `/api/emails/${id}`, '/api/parameters', '/api/me'];
  for (const url of urls) assert.equal((await h.call('GET', url, admin)).status, 200, url);

  /** Calls per millisecond of fn over about MS milliseconds. */
  const rate = (fn: () => unknown) => {
    for (let i = 0; i < 200; i++) fn(); // warm up
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < MS) { for (let i = 0; i < 50; i++) fn(); n += 50; }
    return n / (performance.now() - start);
  };

  console.log(`${EMAILS} emails handed in; each payload serialized for about ${MS} ms per method (Node ${process.version})`);
  console.log('answer                          bytes   JSON.stringify   schema serializer   speed-up');
  for (const url of urls) {
    const { serialize, payload } = caught.get(url)!;
    const viaSchema = serialize(payload);
    const plain = JSON.stringify(payload);
    // Same answer either way: nothing here carries a field the schema lacks (the contract test checks that).
    assert.deepEqual(JSON.parse(viaSchema), JSON.parse(plain), `${url}: the two serializations differ`);
    const baseline = rate(() => JSON.stringify(payload));
    const schema = rate(() => serialize(payload));
    const name = url.replace(id, '{id}');
    console.log(`${name.padEnd(30)} ${String(viaSchema.length).padStart(7)} ${(1000 / baseline).toFixed(1).padStart(12)} µs ${(1000 / schema).toFixed(1).padStart(15)} µs ${(schema / baseline).toFixed(2).padStart(9)}×`);
  }
} finally {
  await h.close();
}
