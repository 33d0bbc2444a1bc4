import ntlm from '@ewsjs/ntlm-client';
import * as http from 'node:http';
import * as https from 'node:https';

export interface EwsCredentials {
  readonly authentication: 'basic' | 'ntlm';
  readonly username: string;
  readonly password: string;
  /** NTLM domain; empty takes it from DOMAIN\user. */
  readonly domain: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface PostOptions {
  readonly contentType: string;
  readonly timeoutMs: number;
}

/**
 * POSTs a body with Basic or NTLM sign-in. NTLM authenticates a connection, not a request, so
 * its three legs (negotiate, challenge, authenticate) run on one kept-alive socket of their own.
 */
export async function postWithCredentials(url: string, body: string, credentials: EwsCredentials, options: PostOptions): Promise<HttpAnswer> {
  if (credentials.authentication === 'basic') {
    const basic = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64');
    return post(url, body, { ...options, authorization: `Basic ${basic}` });
  }
  const agent = new (url.startsWith('https:') ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 1 });
  try {
    const { user, domain } = ntlmUser(credentials);
    const challenge = await post(url, '', { ...options, authorization: ntlm.createType1Message('MAILROOM', domain), agent });
    const header = [challenge.headers['www-authenticate']].flat().find((h) => h?.startsWith('NTLM '));
    // No challenge: the server refused NTLM outright, or did not ask for sign-in at all.
    if (challenge.status !== 401 || !header) return challenge.status === 401 ? challenge : post(url, body, { ...options, agent });
    const type3 = ntlm.createType3Message(ntlm.decodeType2Message(header), user, credentials.password, 'MAILROOM', domain);
    return await post(url, body, { ...options, authorization: type3, agent });
  } finally {
    agent.destroy();
  }
}

function ntlmUser(c: EwsCredentials): { user: string; domain: string } {
  const slash = c.username.indexOf('\\');
  if (slash > 0) return { domain: c.domain || c.username.slice(0, slash), user: c.username.slice(slash + 1) };
  return { domain: c.domain, user: c.username };
}

function post(url: string, body: string, o: PostOptions & { authorization?: string; agent?: http.Agent }): Promise<HttpAnswer> {
  const payload = Buffer.from(body, 'utf8');
  const request = url.startsWith('https:') ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: o.agent,
      timeout: o.timeoutMs,
      headers: {
        'content-type': o.contentType,
        'content-length': payload.length,
        ...(o.authorization ? { authorization: o.authorization } : {}),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('EWS did not answer in time'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(payload);
  });
}
