// A small POP3 client (RFC 1939, STLS from RFC 2595, CAPA and response codes from RFC 2449/3206).
// Written on the socket because the maintained npm client (node-pop3) has no STLS, decodes every
// message to a string (8-bit mail is damaged) and assumes a reply arrives in one TCP chunk.
// One command at a time; replies are read as bytes, multi-line ones until CRLF.CRLF, dot-unstuffed.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

export interface Pop3Reply {
  /** The text after +OK. */
  readonly text: string;
  /** The body of a multi-line reply, dot-unstuffed, without the final ".". */
  readonly body?: Buffer;
}

/** A -ERR reply, a timeout or a closed connection; `code` as the connector's error mapping reads it. */
export class Pop3Error extends Error {
  readonly code?: string;
  readonly response?: string;
  readonly command?: string;
  readonly serverResponseCode?: string;
  readonly tlsFailed?: boolean;
  authenticationFailed?: boolean;
  constructor(message: string, fields: { code?: string; response?: string; command?: string; tlsFailed?: boolean } = {}) {
    super(message);
    this.name = 'Pop3Error';
    Object.assign(this, fields);
    // RFC 3206 codes in brackets: -ERR [AUTH] …, -ERR [IN-USE] …, -ERR [SYS/TEMP] …
    const bracket = fields.response ? /^\[([A-Z/-]+)\]/i.exec(fields.response) : null;
    if (bracket?.[1]) this.serverResponseCode = bracket[1].toUpperCase();
  }
}

export interface Pop3ConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly implicitTls: boolean;
  readonly tls: ConnectionOptions;
  readonly timeoutMs: number;
}

const CRLF = Buffer.from('\r\n');
const TERMINATOR = Buffer.from('\r\n.\r\n');

interface Pending {
  readonly command: string;
  readonly multiline: boolean;
  resolve(reply: Pop3Reply): void;
  reject(err: Error): void;
}

export class Pop3Client {
  #socket: Socket | TLSSocket;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: Pending | undefined;
  #closed: Error | undefined;
  #timeoutMs: number;
  greeting = '';

  private constructor(socket: Socket | TLSSocket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    this.#attach(socket);
  }

  /** Connects and reads the greeting (over TLS from the first byte when implicitTls). */
  static async connect(options: Pop3ConnectOptions): Promise<Pop3Client> {
    const socket = options.implicitTls
      ? tlsConnect({ host: options.host, port: options.port, ...options.tls })
      : netConnect({ host: options.host, port: options.port });
    const client = new Pop3Client(socket, options.timeoutMs);
    const greeting = await client.#expect('(greeting)', false);
    client.greeting = greeting.text;
    return client;
  }

  get tlsVersion(): string | null {
    return 'getProtocol' in this.#socket ? (this.#socket as TLSSocket).getProtocol() : null;
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.setTimeout(this.#timeoutMs, () => this.#fail(new Pop3Error('The POP3 server did not answer in time', { code: 'MAILROOM_TIMEOUT', command: this.#pending?.command })));
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => this.#fail(Object.assign(err, { command: this.#pending?.command })));
    socket.on('close', () => this.#fail(new Pop3Error('The POP3 server closed the connection', { code: 'MAILROOM_CLOSED', command: this.#pending?.command })));
  }

  #detach(socket: Socket | TLSSocket): void {
    socket.removeAllListeners('data');
    socket.removeAllListeners('error');
    socket.removeAllListeners('close');
    socket.setTimeout(0);
  }

  #fail(err: Error): void {
    this.#closed ??= err;
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(err);
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    const pending = this.#pending;
    if (!pending) return;
    const lineEnd = this.#buffer.indexOf(CRLF);
    if (lineEnd < 0) return;
    const status = this.#buffer.subarray(0, lineEnd).toString('utf8');
    if (status.startsWith('-ERR')) {
      this.#take(lineEnd + 2);
      const response = status.slice(4).trim();
      pending.reject(new Pop3Error(response || '-ERR', { response, command: pending.command }));
      return;
    }
    if (!status.startsWith('+OK')) {
      this.#fail(new Pop3Error(`Unexpected POP3 reply: ${status.slice(0, 200)}`, { response: status, command: pending.command }));
      return;
    }
    const text = status.slice(3).trim();
    if (!pending.multiline) {
      this.#take(lineEnd + 2);
      pending.resolve({ text });
      return;
    }
    // The body starts after the status line; an empty body is just ".\r\n".
    const bodyStart = lineEnd + 2;
    let end: number;
    let bodyEnd: number;
    if (this.#buffer.subarray(bodyStart, bodyStart + 3).equals(Buffer.from('.\r\n'))) {
      bodyEnd = bodyStart;
      end = bodyStart + 3;
    } else {
      const at = this.#buffer.indexOf(TERMINATOR, Math.max(bodyStart, lineEnd));
      if (at < 0) return;
      bodyEnd = at + 2;
      end = at + TERMINATOR.length;
    }
    const body = unstuff(this.#buffer.subarray(bodyStart, bodyEnd));
    this.#take(end);
    pending.resolve({ text, body });
  }

  #take(n: number): void {
    this.#pending = undefined;
    this.#buffer = this.#buffer.subarray(n);
  }

  #expect(command: string, multiline: boolean): Promise<Pop3Reply> {
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise((resolve, reject) => {
      this.#pending = { command, multiline, resolve, reject };
      if (this.#buffer.length) this.#onData(Buffer.alloc(0));
    });
  }

  /** Sends one command and waits for its reply. */
  async command(line: string, multiline = false): Promise<Pop3Reply> {
    if (this.#pending) throw new Error('POP3: one command at a time');
    const name = line.split(' ')[0] ?? line;
    const reply = this.#expect(name === 'PASS' ? 'PASS' : line, multiline);
    this.#socket.write(`${line}\r\n`);
    return reply;
  }

  async capabilities(): Promise<Set<string>> {
    try {
      const reply = await this.command('CAPA', true);
      return new Set((reply.body ?? Buffer.alloc(0)).toString('latin1').split('\r\n').filter(Boolean).map((l) => l.split(' ')[0]!.toUpperCase()));
    } catch (err) {
      if (err instanceof Pop3Error && err.response !== undefined) return new Set();
      throw err;
    }
  }

  /** Upgrades the connection with STLS. */
  async startTls(tls: ConnectionOptions, host: string): Promise<void> {
    await this.command('STLS');
    const plain = this.#socket;
    this.#detach(plain);
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      const upgraded = tlsConnect({ socket: plain, host, ...tls });
      upgraded.once('secureConnect', () => { upgraded.removeListener('error', onError); resolve(upgraded); });
      const onError = (err: Error) => { plain.destroy(); reject(Object.assign(err, { tlsFailed: true })); };
      upgraded.once('error', onError);
    });
    this.#socket = secure;
    this.#attach(secure);
  }

  async login(username: string, password: string): Promise<string> {
    try {
      await this.command(`USER ${username}`);
      return (await this.command(`PASS ${password}`)).text;
    } catch (err) {
      if (err instanceof Pop3Error && err.response !== undefined && err.serverResponseCode !== 'IN-USE' && err.serverResponseCode !== 'SYS/TEMP') err.authenticationFailed = true;
      throw err;
    }
  }

  /** Message number → unique id, for every message in the maildrop. */
  async uidl(): Promise<Map<number, string>> {
    const reply = await this.command('UIDL', true);
    const map = new Map<number, string>();
    for (const line of (reply.body ?? Buffer.alloc(0)).toString('latin1').split('\r\n')) {
      const [n, uid] = line.split(' ');
      if (n && uid) map.set(Number(n), uid);
    }
    return map;
  }

  /** Message number → size in octets. */
  async list(): Promise<Map<number, number>> {
    const reply = await this.command('LIST', true);
    const map = new Map<number, number>();
    for (const line of (reply.body ?? Buffer.alloc(0)).toString('latin1').split('\r\n')) {
      const [n, size] = line.split(' ');
      if (n && size) map.set(Number(n), Number(size));
    }
    return map;
  }

  async top(n: number, lines = 0): Promise<Buffer> {
    return (await this.command(`TOP ${n} ${lines}`, true)).body ?? Buffer.alloc(0);
  }

  async retr(n: number): Promise<Buffer> {
    return (await this.command(`RETR ${n}`, true)).body ?? Buffer.alloc(0);
  }

  async dele(n: number): Promise<void> {
    await this.command(`DELE ${n}`);
  }

  /** QUIT: the server removes the messages marked with DELE now, and only now. */
  async quit(): Promise<void> {
    try {
      await this.command('QUIT');
    } finally {
      this.close();
    }
  }

  close(): void {
    this.#closed ??= new Pop3Error('The POP3 connection is closed', { code: 'MAILROOM_CLOSED' });
    this.#detach(this.#socket);
    this.#socket.on('error', () => undefined);
    this.#socket.destroy();
  }
}

/** Removes the leading dot that POP3 adds to lines beginning with a dot. */
function unstuff(body: Buffer): Buffer {
  if (body.indexOf('\n.') < 0 && body[0] !== 0x2e) return Buffer.from(body);
  const out = Buffer.allocUnsafe(body.length);
  let o = 0;
  let lineStart = true;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (lineStart && byte === 0x2e && body[i + 1] === 0x2e) { lineStart = false; continue; }
    out[o++] = byte;
    lineStart = byte === 0x0a;
  }
  return out.subarray(0, o);
}
