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

export interface EwsTransport {
  /** POSTs an XML body signed in with the credentials; resolves with any HTTP answer. */
  post(url: string, body: string): Promise<HttpAnswer>;
  close(): void;
}

const CONTENT_TYPE = 'text/xml; charset=utf-8';
/** Signed-in NTLM connections kept for the next sends; more sends at once open more. */
const MAX_IDLE_NTLM_CONNECTIONS = 16;

/**
 * Basic sends its header with every request over Node's kept-alive connections. NTLM signs in a
 * connection, not a request: each connection runs the three legs (negotiate, challenge,
 * authenticate) once, and later requests on it go without them until the server asks again.
 */
export function createEwsTransport(credentials: EwsCredentials, timeoutMs: number): EwsTransport {
  if (credentials.authentication === 'basic') {
    const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
    return { post: (url, body) => post(url, body, { authorization, timeoutMs }), close() {} };
  }
  const idle: http.Agent[] = [];
  const { user, domain } = ntlmUser(credentials);

  async function handshake(url: string, body: string, agent: http.Agent): Promise<HttpAnswer> {
    const challenge = await post(url, '', { authorization: ntlm.createType1Message('MAILROOM', domain), agent, timeoutMs });
    const header = [challenge.headers['www-authenticate']].flat().find((h) => h?.startsWith('NTLM '));
    // No challenge: the server refused NTLM outright, or asked for no sign-in at all.
    if (challenge.status !== 401) return post(url, body, { agent, timeoutMs });
    if (!header) return challenge;
    return post(url, body, { authorization: ntlm.createType3Message(ntlm.decodeType2Message(header), user, credentials.password, 'MAILROOM', domain), agent, timeoutMs });
  }

  return {
    async post(url, body) {
      const reused = idle.pop();
      const agent = reused ?? new (url.startsWith('https:') ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 1 });
      try {
        let answer = reused ? await post(url, body, { agent, timeoutMs }) : await handshake(url, body, agent);
        // The server closed the signed-in connection, or wants a new sign-in: once more from the start.
        if (reused && answer.status === 401) answer = await handshake(url, body, agent);
        if (answer.status !== 401 && idle.length < MAX_IDLE_NTLM_CONNECTIONS) idle.push(agent);
        else agent.destroy();
        return answer;
      } catch (err) {
        agent.destroy();
        throw err;
      }
    },
    close() {
      for (const agent of idle.splice(0)) agent.destroy();
    },
  };
}

function ntlmUser(c: EwsCredentials): { user: string; domain: string } {
  const slash = c.username.indexOf('\\');
  if (slash > 0) return { domain: c.domain || c.username.slice(0, slash), user: c.username.slice(slash + 1) };
  return { domain: c.domain, user: c.username };
}

function post(url: string, body: string, o: { timeoutMs: number; authorization?: string; agent?: http.Agent }): Promise<HttpAnswer> {
  const payload = Buffer.from(body, 'utf8');
  const request = url.startsWith('https:') ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: o.agent,
      timeout: o.timeoutMs,
      headers: {
        'content-type': CONTENT_TYPE,
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
