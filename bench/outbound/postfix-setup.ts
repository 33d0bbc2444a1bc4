// Installs Postfix for its test programs (smtp-sink, the sink; smtp-source, the loopback limit)
// when they are missing and the machine allows it: root, Debian's apt-get. Postfix's own mail
// system is never wanted here, so it is installed unconfigured ("No configuration": no main.cf,
// nothing to start), and the install ends with no Postfix daemon running.
import { spawnSync } from 'node:child_process';
import { findPostfixTool } from './sink.ts';

export interface PostfixSetup {
  /** What happened, for the output: installed, already there, or why not. */
  readonly note: string;
}

const run = (cmd: string, args: string[], input?: string) =>
  spawnSync(cmd, args, { input, encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });

export function ensurePostfixTools(): PostfixSetup {
  if (findPostfixTool('smtp-sink') && findPostfixTool('smtp-source')) return { note: 'Postfix test programs found' };
  if (process.getuid?.() !== 0) return { note: 'Postfix is not installed and this is not root: not installing it' };
  if (run('apt-get', ['--version']).status !== 0) return { note: 'Postfix is not installed and there is no apt-get: not installing it' };
  // Unconfigured, so that no mail system is set up and nothing listens.
  run('debconf-set-selections', [], 'postfix postfix/main_mailer_type select No configuration\n');
  let install = run('apt-get', ['install', '-y', '--no-install-recommends', 'postfix']);
  if (install.status !== 0) {
    // The package lists may be missing or stale on a fresh machine.
    run('apt-get', ['update']);
    install = run('apt-get', ['install', '-y', '--no-install-recommends', 'postfix']);
  }
  stopPostfixDaemon();
  if (install.status !== 0 || !findPostfixTool('smtp-sink')) {
    return { note: `installing Postfix failed: ${(install.stderr || install.stdout).trim().split('\n').at(-1) ?? ''}` };
  }
  return { note: 'Postfix installed for smtp-sink and smtp-source (unconfigured; no Postfix daemon left running)' };
}

/** Should the package's scripts have started Postfix's master anyway, it is stopped. */
function stopPostfixDaemon(): void {
  const postfix = findPostfixTool('postfix');
  if (postfix && run(postfix, ['status']).status === 0) run(postfix, ['stop']);
}
