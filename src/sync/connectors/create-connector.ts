// The factory: a connector for a profile's server type.
import { MailroomError } from '../../errors.ts';
import type { ConnectorConfig, MailboxConnector } from './connector.ts';
import { createImapConnector } from './imap/imap-connector.ts';
import { createPop3Connector } from './pop3/pop3-connector.ts';

export function createConnector(config: ConnectorConfig): MailboxConnector {
  switch (config.type) {
    case 'imap': return createImapConnector(config);
    case 'pop3': return createPop3Connector(config);
    default: throw new MailroomError('MAILBOX_CHANNEL_UNSUPPORTED', { message: `There is no connector for server type "${String((config as { type: unknown }).type)}".` });
  }
}
