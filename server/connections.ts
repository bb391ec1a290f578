/**
 * Connections, bounded: one gate counts the open client sockets of HTTP and gRPC together and
 * closes any beyond --max-connections at once, so stalled clients cannot take every file
 * descriptor; HTTP bodies must arrive within --request-timeout-ms (Node answers 408 and closes),
 * and a gRPC connection silent that long is closed.
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

/** The node:http server Fastify runs on: body-read timeouts, and every socket through the gate. */
export function httpServerFactory(gate: ConnectionGate, requestTimeoutMs: number): { factory: FastifyServerFactory; server: () => http.Server | undefined } {
  let created: http.Server | undefined;
  const factory: FastifyServerFactory = (handler) => {
    created = http.createServer(
      {
        requestTimeout: requestTimeoutMs,
        headersTimeout: Math.min(requestTimeoutMs, 60_000),
        // How often Node looks for connections past those timeouts; it bounds how late a 408 can come.
        connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(requestTimeoutMs / 4))),
      },
      handler,
    );
    created.on('connection', (socket: Socket) => gate.admit(socket));
    return created;
  };
  return { factory, server: () => created };
}

/** A plain TCP listener whose admitted sockets are handed to `inject` (gRPC's connection injector). */
export function gatedListener(gate: ConnectionGate, idleTimeoutMs: number, inject: (socket: Socket) => void): net.Server {
  return net.createServer((socket) => {
    if (!gate.admit(socket)) return;
    closeWhenSilent(socket, idleTimeoutMs);
    inject(socket);
  });
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
  const timer = setInterval(() => {
    const now = socket.bytesRead + socket.bytesWritten;
    if (now !== bytes) {
      bytes = now;
      lastActive = performance.now();
    } else if (performance.now() - lastActive >= timeoutMs) {
      socket.destroy();
    }
  }, Math.max(25, Math.round(timeoutMs / 4)));
  timer.unref();
  socket.once('close', () => clearInterval(timer));
}
