// Runs one measurement in a child Node process and returns its `RESULT {json}` line.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildOptions {
  /** Extra flags for node itself, e.g. --cpu-prof. */
  readonly nodeFlags?: readonly string[];
}

export function runChild<T>(script: string, job: unknown, options: ChildOptions = {}): Promise<T> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeFlags ?? []), path, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) return reject(new Error(`${script} ended with ${signal ?? `exit code ${code}`}:\n${out}`));
      resolve(JSON.parse(line.slice('RESULT '.length)) as T);
    });
  });
}

/** Runs a program to its end and returns how long it took, in milliseconds. */
export function timeProgram(path: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => { err += c; });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${path} ${args.join(' ')} failed (exit ${code}): ${err.trim()}`));
      resolve(performance.now() - t0);
    });
  });
}
