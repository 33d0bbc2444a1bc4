import { Type, type Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import { distributorStatus, updateDistributorSettings } from '../../outbound/distributor-settings.ts';
import { readParameters, toPublic, updateParameters, type ParametersChange } from '../../outbound/email-parameters.ts';
import { sendTestEmail } from '../../outbound/outbound.service.ts';
import { testConnection } from '../../outbound/connection-test.ts';
import type { ProviderRegistry } from '../../outbound/provider-registry.ts';
import { currentUser } from '../auth.ts';
import { errors, PROVIDER_FAILURE_ERRORS, PROVIDER_SETUP_ERRORS, type Api } from '../openapi.ts';
import { ConnectionReport, DistributorRun, DistributorStatus, EmailParameters, EmailView, ref } from '../response-schemas.ts';
import { DistributorBody, ParametersBody } from '../schemas.ts';
import type { DistributorRunner } from '../app.ts';

const admin = { access: 'admin' } as const;

export function parametersRoutes(app: Api, ctx: AppContext, providers: ProviderRegistry, distributor: DistributorRunner) {
  app.get('/api/parameters', { config: admin, schema: { tags: ['parameters'], summary: 'Email parameters (the password only as set or not)', response: { 200: ref(EmailParameters) } } }, async () => toPublic(await readParameters(ctx)));

  app.patch('/api/parameters', { config: admin, schema: { tags: ['parameters'], summary: 'Change email parameters', body: ParametersBody, response: { 200: ref(EmailParameters), ...errors('INVALID_PARAMETER') } } }, async (request) =>
    toPublic(await updateParameters(ctx, request.body as ParametersChange)));

  const TestBody = Type.Object({
    to: Type.String({ maxLength: 320 }),
    provider: Type.Optional(Type.Union([Type.Literal('smtp'), Type.Literal('graph'), Type.Literal('exchange')], { default: 'smtp' })),
  }, { additionalProperties: false });
  app.post('/api/parameters/test-email', { config: admin, schema: { tags: ['parameters'], summary: 'Send a test email with the current settings of a provider; the result comes back at once', body: TestBody, response: { 200: ref(EmailView), ...errors('INVALID_ADDRESS', 'NO_RECIPIENTS', 'SEND_AS_DENIED', ...PROVIDER_SETUP_ERRORS) } } }, async (request) => {
    const body = request.body as Static<typeof TestBody>;
    return sendTestEmail(ctx, providers, currentUser(request), body.to, body.provider);
  });

  const ConnectionBody = Type.Object({
    provider: Type.Union([Type.Literal('smtp'), Type.Literal('graph'), Type.Literal('exchange')]),
    mailbox: Type.Optional(Type.String({ maxLength: 320, description: 'Mailbox to look up (Graph, Exchange); by default the batch account' })),
  }, { additionalProperties: false });
  app.post('/api/parameters/test-connection', { config: admin, schema: { tags: ['parameters'], summary: 'Sign in and look the mailbox up without sending; a failure names what is wrong (bad secret, missing consent, no mailbox) and keeps the steps so far in details.steps', body: ConnectionBody, response: { 200: ref(ConnectionReport), ...errors(...PROVIDER_SETUP_ERRORS, ...PROVIDER_FAILURE_ERRORS) } } }, async (request) => {
    const body = request.body as Static<typeof ConnectionBody>;
    return testConnection(ctx, providers, body.provider, body.mailbox);
  });

  app.get('/api/distributor', { config: admin, schema: { tags: ['distributor'], summary: 'Email distributor batch: on/off, recurrence, last and next run', response: { 200: ref(DistributorStatus) } } }, async () => distributorStatus(ctx));

  app.patch('/api/distributor', { config: admin, schema: { tags: ['distributor'], summary: 'Turn the distributor on or off, change its recurrence', body: DistributorBody, response: { 200: ref(DistributorStatus), ...errors('INVALID_PARAMETER') } } }, async (request) => {
    await updateDistributorSettings(ctx, request.body as Static<typeof DistributorBody>);
    distributor.kick();
    return distributorStatus(ctx);
  });

  app.post('/api/distributor/run', { config: admin, schema: { tags: ['distributor'], summary: 'Run one distributor pass now', response: { 200: ref(DistributorRun) } } }, async () => distributor.runOnce());
}
