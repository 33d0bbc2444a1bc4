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

// A reader that stops early (`mailroom activities show ID | head -3`) closes the pipe: the rest of
// the output has nowhere to go, and the command still finishes what it was doing.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
});

const program = new Command('mailroom')
  .description('Mailroom: outbound email over SMTP, Graph, Exchange and .eml, with history and troubleshooting; server-side synchronization of IMAP and POP3 mailboxes into email activities')
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
