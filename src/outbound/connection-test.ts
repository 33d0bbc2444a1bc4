import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import type { TestReport } from '../providers/provider.ts';
import { readParameters } from './email-parameters.ts';
import { assertProviderId, type ProviderRegistry } from './provider-registry.ts';

/**
 * Email parameters > Test connection: signs in and looks the mailbox up without sending anything.
 * SMTP connects and signs in; Graph gets a token, checks its Mail.Send role and finds the
 * mailbox; Exchange finds its endpoint and opens the mailbox. The first failure is thrown with
 * its code, and the steps so far in its details.
 */
export async function testConnection(ctx: AppContext, providers: ProviderRegistry, provider: string, mailbox?: string): Promise<TestReport> {
  assertProviderId(provider);
  const built = providers.get(provider, await readParameters(ctx));
  if (!built.verify) {
    throw new MailroomError('VALIDATION_FAILED', { message: `The ${provider} provider has no connection to test; send a test email instead.`, details: { provider } });
  }
  return built.verify({ mailbox });
}
