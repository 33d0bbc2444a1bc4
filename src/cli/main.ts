import { Command } from 'commander';
import { registerAdminCommands } from './commands/admin.commands.ts';
import { registerEmailCommands } from './commands/email.commands.ts';
import { registerProcessCommands } from './commands/process.commands.ts';
import { registerTemplateCommands } from './commands/templates.commands.ts';
import { registerWorkflowCommands } from './commands/workflow.commands.ts';
import { registerCrmCommands } from './commands/crm.commands.ts';
import { registerRecordCommands } from './commands/records.commands.ts';
import { registerSyncCommands } from './commands/sync.commands.ts';
import { registerIncomingCommands } from './commands/incoming.commands.ts';
import { reportError } from './output.ts';

const program = new Command('mailroom')
  .description('Mailroom: queued outbound email over SMTP and .eml, with history and troubleshooting')
  .showHelpAfterError();
registerProcessCommands(program);
registerEmailCommands(program);
registerAdminCommands(program);
registerTemplateCommands(program);
registerWorkflowCommands(program);
registerCrmCommands(program);
registerRecordCommands(program);
registerSyncCommands(program);
registerIncomingCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err, process.argv.includes('--json'));
}
