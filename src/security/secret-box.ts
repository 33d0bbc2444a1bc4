import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MailroomError } from '../errors.ts';

/** Encrypts secrets at rest with the environment's own key (AES-256-GCM). */
export interface SecretBox {
  readonly keyId: string;
  seal(plain: string): string;
  open(sealed: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('secret key must be 32 bytes');
  const keyId = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return {
    keyId,
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', keyId, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
    },
    open(sealed) {
      const [version, sealedKeyId, iv, tag, body] = sealed.split(':');
      if (version !== 'v1' || !iv || !tag || body === undefined || sealedKeyId !== keyId) {
        throw new MailroomError('SECRET_UNDECRYPTABLE', {
          details: { sealedWith: sealedKeyId ?? null, thisEnvironment: keyId },
        });
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new MailroomError('SECRET_UNDECRYPTABLE', { cause });
      }
    },
  };
}

/**
 * The environment's key: MAILROOM_SECRET_KEY when given, else a key file in the data folder,
 * made on first start and readable by its owner only.
 */
export function loadSecretKey(options: { secretKey: string; dataDir: string }): Buffer {
  if (options.secretKey) return Buffer.from(options.secretKey, 'base64');
  const file = join(options.dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new MailroomError('CONFIG_INVALID', { message: `The key file ${file} does not hold 32 bytes in base64.` });
  return key;
}
