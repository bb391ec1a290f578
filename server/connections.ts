/**
 * Connections, bounded, and slow clients let go. One gate counts the open client sockets of HTTP
 * and gRPC together and closes any beyond --max-connections at once, so stalled clients cannot
 * take every file descriptor. A connection that does take a place must keep moving:
 *
 * - HTTP/1.1: its headers must arrive within --header-timeout-ms and the whole request within
 *   --request-timeout-ms (Node answers 408 and closes); its body, once the --body-rate-grace-ms
 *   grace period is over, must have arrived at --min-body-rate bytes/s on average (Kestrel's
 *   MinRequestBodyDataRate: 240 B/s after 5 s), or it gets 408 and is closed. So a client that sends
 *   its headers and a few bytes, then stalls, holds its place for seconds, not the whole timeout.
 * - gRPC (HTTP/2): the connection must send HTTP/2's preface within --header-timeout-ms; while a
 *   unary call's request message is on its way, the connection is held to the same minimum rate
 *   after the same grace (as Kestrel aggregates HTTP/2 streams per connection); and a connection
 *   on which nothing moves either way for the request timeout is closed.
 */
import http from 'node:http';
import net, { type Socket } from 'node:net';
import type { FastifyServerFactory } from 'fastify';

export class ConnectionGate {
  private readonly open = new Set<Socket>();
  /** Connections refused because the bound was reached, for the tests and the log. */
  refused = 0;

  constructor(private readonly max: number) {}

  /** Counts the socket in, or closes it if the bound is reached; true when admitted. */
  admit(socket: Socket): boolean {
    if (this.open.size >= this.max) {
      this.refused++;
      socket.destroy();
      return false;
    }
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    return true;
  }

  get count(): number {
    return this.open.size;
  }

  /** Closes everything still open (the end of the shutdown grace period). */
  destroyAll(): void {
    for (const socket of this.open) socket.destroy();
  }
}

/** How long clients may take: the timeouts and the minimum data rate (server/numericOptions.ts has their flags). */
export interface SlowClientLimits {
  requestTimeoutMs: number;
  headerTimeoutMs: number;
  /** Bytes per second; 0 turns the minimum off. */
  minBodyRate: number;
  bodyRateGraceMs: number;
}

/**
 * Watches uploads under way and ends those that arrive too slowly. An upload is measured from when
 * it begins (its byte count then, from the socket's counter) and, once the grace period is over,
 * must have averaged the minimum rate since. One timer serves every upload, and runs only while
 * there are uploads to watch.
 */
export class UploadRateGuard {
  private readonly uploads = new Map<Socket, Upload>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly limits: Pick<SlowClientLimits, 'minBodyRate' | 'bodyRateGraceMs'>) {}

  /** Starts measuring `socket`'s incoming bytes; `tooSlow` is called (once) if the rate falls short. */
  begin(socket: Socket, tooSlow: (rate: number) => void): void {
    if (this.limits.minBodyRate === 0 || socket.destroyed) return;
    this.uploads.set(socket, { startBytes: socket.bytesRead, startedAt: performance.now(), tooSlow });
    this.timer ??= setInterval(() => this.check(), Math.max(50, Math.min(500, Math.round(this.limits.bodyRateGraceMs / 4)))).unref();
  }

  /** The upload on `socket` is complete (or abandoned): stop measuring it. */
  end(socket: Socket): void {
    this.uploads.delete(socket);
    if (this.uploads.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const now = performance.now();
    for (const [socket, upload] of this.uploads) {
      const elapsedMs = now - upload.startedAt;
      if (socket.destroyed) {
        this.uploads.delete(socket);
      } else if (elapsedMs >= this.limits.bodyRateGraceMs) {
        const rate = ((socket.bytesRead - upload.startBytes) * 1000) / elapsedMs;
        if (rate < this.limits.minBodyRate) {
          this.uploads.delete(socket);
          upload.tooSlow(rate);
        }
      }
    }
    if (this.uploads.size === 0) this.stop();
  }
}

interface Upload {
  startBytes: number;
  startedAt: number;
  tooSlow: (rate: number) => void;
}

/** The node:http server Fastify runs on: header, request and body-rate limits, and every socket through the gate. */
export function httpServerFactory(
  gate: ConnectionGate,
  limits: SlowClientLimits,
): { factory: FastifyServerFactory; server: () => http.Server | undefined } {
  let created: http.Server | undefined;
  const bodies = new UploadRateGuard(limits);
  const factory: FastifyServerFactory = (handler) => {
    created = http.createServer(
      {
        requestTimeout: limits.requestTimeoutMs,
        headersTimeout: Math.min(limits.headerTimeoutMs, limits.requestTimeoutMs),
        // How often Node looks for connections past those timeouts; it bounds how late a 408 can come.
        connectionsCheckingInterval: Math.max(
          50,
          Math.min(1_000, Math.floor(Math.min(limits.headerTimeoutMs, limits.requestTimeoutMs) / 4)),
        ),
      },
      handler,
    );
    created.on('connection', (socket: Socket) => gate.admit(socket));
    // Headers are in; the body (if any) is on its way and must keep up the minimum rate.
    created.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
      if (request.complete) return;
      const socket = request.socket;
      bodies.begin(socket, (rate) => refuseSlowBody(socket, response, rate, limits));
      request.once('end', () => bodies.end(socket));
      request.once('close', () => bodies.end(socket));
    });
    created.once('close', () => bodies.stop());
    return created;
  };
  return { factory, server: () => created };
}

/** 408 with the protocol's error body (unless a reply has begun), then the connection is closed. */
function refuseSlowBody(socket: Socket, response: http.ServerResponse, rate: number, limits: SlowClientLimits): void {
  if (!response.headersSent) {
    const body = JSON.stringify({
      error: `the request body arrived at ${rate.toFixed(0)} bytes/s, below the ${limits.minBodyRate} bytes/s this server requires after ${limits.bodyRateGraceMs} ms (--min-body-rate)`,
    });
    socket.write(
      `HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  // The stalled client reads nothing, so do not wait for it: the reply is small enough to leave at once.
  socket.destroySoon();
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/** HTTP/2's client connection preface ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), which every gRPC client sends first. */
const HTTP2_PREFACE_BYTES = 24;

/**
 * A plain TCP listener whose admitted sockets are handed to `inject` (gRPC's connection injector),
 * with the gRPC side of the slow-client limits. Unary calls report their request messages to
 * `uploads` (grpc/server.ts's interceptor).
 */
export function gatedListener(
  gate: ConnectionGate,
  limits: SlowClientLimits,
  uploads: GrpcUploads,
  inject: (socket: Socket) => void,
): net.Server {
  return net.createServer((socket) => {
    if (!gate.admit(socket)) return;
    closeWithoutPreface(socket, limits.headerTimeoutMs);
    closeWhenSilent(socket, Math.round(limits.requestTimeoutMs * 1.5));
    uploads.connect(socket);
    inject(socket);
  });
}

function closeWithoutPreface(socket: Socket, timeoutMs: number): void {
  const timer = setTimeout(() => {
    if (socket.bytesRead < HTTP2_PREFACE_BYTES) socket.destroy();
  }, timeoutMs).unref();
  socket.once('close', () => clearTimeout(timer));
}

/**
 * Destroys the socket once no byte has gone either way for `timeoutMs` (give or take a quarter): a
 * client that opens a call and then stalls sends nothing. Not socket.setTimeout: once HTTP/2 takes
 * the socket over it reads and writes natively, so the socket's own timer never sees the traffic and
 * fired on busy connections as well, cutting every gRPC channel mid-call after the timeout. The
 * byte counters belong to the native handle, so they do see it.
 */
function closeWhenSilent(socket: Socket, timeoutMs: number): void {
  let bytes = -1;
  let lastActive = performance.now();
  const timer = setInterval(
    () => {
      const now = socket.bytesRead + socket.bytesWritten;
      if (now !== bytes) {
        bytes = now;
        lastActive = performance.now();
      } else if (performance.now() - lastActive >= timeoutMs) {
        socket.destroy();
      }
    },
    Math.max(25, Math.round(timeoutMs / 4)),
  );
  timer.unref();
  socket.once('close', () => clearInterval(timer));
}

/**
 * The gRPC connections and the unary request messages on their way in each of them. While a
 * connection has any (a call whose headers came but whose message has not), it is held to the
 * minimum rate, measured across the connection as Kestrel does for HTTP/2; too slow, it is closed.
 * Streaming calls are not counted: a stream may rightly sit idle between its messages.
 */
export class GrpcUploads {
  private readonly connections = new Map<string, { socket: Socket; pending: number }>();
  private readonly guard: UploadRateGuard;

  constructor(limits: Pick<SlowClientLimits, 'minBodyRate' | 'bodyRateGraceMs'>) {
    this.guard = new UploadRateGuard(limits);
  }

  connect(socket: Socket): void {
    const key = connectionKey(socket.remoteAddress, socket.remotePort);
    this.connections.set(key, { socket, pending: 0 });
    socket.once('close', () => {
      if (this.connections.get(key)?.socket === socket) this.connections.delete(key);
      this.guard.end(socket);
    });
  }

  /** A call's request message is on its way on the connection from `address`:`port`; returns its `done`. */
  begin(address: string | undefined, port: number | undefined): () => void {
    const connection = this.connections.get(connectionKey(address, port));
    if (connection === undefined) return () => {};
    connection.pending++;
    if (connection.pending === 1) this.guard.begin(connection.socket, () => connection.socket.destroy());
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--connection.pending === 0) this.guard.end(connection.socket);
    };
  }

  stop(): void {
    this.guard.stop();
  }
}

function connectionKey(address: string | undefined, port: number | undefined): string {
  return `${address ?? ''}|${port ?? ''}`;
}
