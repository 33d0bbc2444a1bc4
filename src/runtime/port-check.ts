// Before `serve` creates anything (data folder, database, key, demo users), make sure its port is
// free, so a second Mailroom on a taken port stops at once with words, and leaves nothing behind.
import { createServer } from 'node:net';
import { MailroomError } from '../errors.ts';

/** Resolves when host:port can be listened on; throws PORT_IN_USE (or PORT_UNAVAILABLE) otherwise. Port 0 always fits. */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code === 'EADDRINUSE' ? 'PORT_IN_USE' : 'PORT_UNAVAILABLE';
      reject(new MailroomError(code, {
        message: code === 'PORT_IN_USE'
          ? `Port ${port} on ${host} is already in use (another Mailroom, or another program). Nothing was created.`
          : `Mailroom cannot listen on ${host}:${port} (${err.code ?? err.message}). Nothing was created.`,
        details: { host, port },
      }));
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
