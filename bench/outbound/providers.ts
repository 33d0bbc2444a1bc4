// Delivery through Microsoft Graph and Exchange against the local fakes the tests use, beside
// SMTP to the same run's sink: messages per second, how many tokens Graph asked for, and how many
// HTTP requests each email cost (a token request per email or a request per attachment shows here).
import { createBenchEnv, type Dialect } from './bench-env.ts';
import { runChild } from './children.ts';
import { SENDER, type Variant } from './content.ts';
import type { ProviderJob, ProviderResult } from './provider-child.ts';
import type { Sink } from './sink.ts';
import { EwsFake } from '../../test/fixtures/ews-fake.ts';
import { FAKE_CA_FILE, GraphFake } from '../../test/fixtures/graph-fake.ts';
import type { ParametersChange } from '../../src/outbound/email-parameters.ts';

interface Measured { readonly label: string; readonly rate: number; readonly note: string }

type Target = { readonly label: string; setUp(): Promise<{ parameters: ParametersChange; check(n: number): string; close(): Promise<void> }> };

function targets(sink: Sink): Target[] {
  const exchange = (authentication: 'basic' | 'ntlm'): Target => ({
    label: `Exchange (EWS, ${authentication === 'ntlm' ? 'NTLM' : 'Basic'}) to the EWS fake`,
    async setUp() {
      const fake = await new EwsFake().start();
      fake.authentication = authentication;
      fake.mailboxes.add(SENDER.address);
      return {
        parameters: { batchProvider: 'exchange', exchange: { ewsUrl: fake.ewsUrl, authentication, username: fake.username, password: fake.password, domain: fake.domain } },
        check: (n) => {
          if (fake.received.length !== n || fake.unexpected.length) throw new Error(`the EWS fake received ${fake.received.length} of ${n} (${fake.unexpected[0] ?? 'no unexpected request'})`);
          return `${(fake.log.length / n).toFixed(2)} HTTP requests per email`;
        },
        close: () => fake.close(),
      };
    },
  });
  return [
    {
      label: 'SMTP to the sink',
      async setUp() {
        const before = sink.delivered();
        return {
          parameters: { batchProvider: 'smtp' },
          check: (n) => {
            if (sink.delivered() - before !== n) throw new Error(`the sink received ${sink.delivered() - before} of ${n}`);
            return 'pooled connections';
          },
          close: async () => {},
        };
      },
    },
    {
      label: 'Microsoft Graph to the Graph fake',
      async setUp() {
        const fake = await new GraphFake().start();
        fake.mailboxes.add(SENDER.address);
        return {
          parameters: { batchProvider: 'graph', graph: { tenantId: fake.tenantId, clientId: fake.clientId, clientSecret: fake.clientSecret, authorityHost: fake.url, graphEndpoint: fake.url } },
          check: (n) => {
            if (fake.sent.length !== n || fake.unexpected.length) throw new Error(`the Graph fake received ${fake.sent.length} of ${n} (${fake.unexpected[0] ?? 'no unexpected request'})`);
            const graphRequests = fake.log.filter((l) => l.startsWith('POST /v1.0/')).length;
            return `${fake.tokensIssued} token request(s), ${(graphRequests / n).toFixed(2)} Graph requests per email`;
          },
          close: () => fake.close(),
        };
      },
    },
    exchange('basic'),
    exchange('ntlm'),
  ];
}

/** Each provider delivering the same N emails, one measurement per dialect. */
export async function benchProviders(sink: Sink, dialects: readonly Dialect[], variant: Variant, n: number, log: (line: string) => void): Promise<void> {
  // The children trust the fakes' self-signed certificate, as a deployment trusts a private CA.
  process.env.NODE_EXTRA_CA_CERTS = FAKE_CA_FILE;
  for (const dialect of dialects) {
    log(`\n  Providers on ${dialect}: delivery of ${n} ${variant === 'text' ? 'text' : 'attachment'} emails by one distributor pass`);
    const measured: Measured[] = [];
    for (const target of targets(sink)) {
      const env = await createBenchEnv(dialect, sink);
      const running = await target.setUp();
      try {
        const job: ProviderJob = { spec: env.spec, parameters: running.parameters, variant, n };
        const result = await runChild<ProviderResult>('./provider-child.ts', job);
        if (result.sent !== n) throw new Error(`${target.label} on ${dialect}: ${result.sent} of ${n} sent, ${result.failed} failed`);
        measured.push({ label: target.label, rate: (n * 1000) / result.deliveryMs, note: running.check(n) });
      } finally {
        await running.close();
        await env.dispose();
      }
    }
    const smtp = measured[0]!.rate;
    for (const m of measured) {
      log(`    ${m.label.padEnd(44)}${`${Math.round(m.rate).toLocaleString('en-US')} msg/s`.padStart(12)}   ${(m.rate / smtp).toFixed(2)}× SMTP; ${m.note}`);
    }
  }
}
