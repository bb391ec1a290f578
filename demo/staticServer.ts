/**
 * A small static file server for the built page. The page needs nothing else: inference runs in
 * the browser, so serving files (HTML, JS, CSS, .wasm, the model) is the whole job. Every response
 * carries COOP/COEP, which makes the page cross-origin isolated: only then do browsers give it
 * SharedArrayBuffer, which onnxruntime-web's multi-threaded WebAssembly needs.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { OutputError } from '../common/errors.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  // application/wasm lets the browser compile the module while it downloads.
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface StaticServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function serveStaticDirectory(root: string, options: { host?: string; port?: number } = {}): Promise<StaticServer> {
  const directory = path.resolve(root);
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    void respondWithFile(directory, request.url ?? '/', request.method ?? 'GET').then(({ status, headers, body }) => {
      response.writeHead(status, { ...ISOLATION_HEADERS, ...headers }).end(request.method === 'HEAD' ? undefined : body);
    });
  });
  await listen(server, host, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new OutputError(`port ${port} on ${host} is already in use: pick another with --port`));
      else if (error.code === 'EACCES')
        reject(new OutputError(`no permission to listen on port ${port} on ${host}: pick a port above 1024 with --port`));
      else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
}

/** Cross-origin isolation; every file the page loads is same-origin, so require-corp blocks nothing it uses. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

interface FileResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

async function respondWithFile(directory: string, requestUrl: string, method: string): Promise<FileResponse> {
  if (method !== 'GET' && method !== 'HEAD')
    return { status: 405, headers: { allow: 'GET, HEAD', 'content-type': 'text/plain' }, body: 'method not allowed\n' };
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestUrl, 'http://localhost').pathname);
  } catch {
    return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'bad request\n' };
  }
  const file = path.join(directory, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
  // path.join normalizes '..' away; whatever lands outside the served folder is not ours to show.
  if (file !== directory && !file.startsWith(directory + path.sep)) return notFound(pathname);
  try {
    if (!(await stat(file)).isFile()) return notFound(pathname);
    const body = await readFile(file);
    // Revalidate every time: a rebuilt demo or a new model must show up on reload.
    return {
      status: 200,
      headers: { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' },
      body,
    };
  } catch {
    return notFound(pathname);
  }
}

function notFound(pathname: string): FileResponse {
  return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `${pathname} not found\n` };
}
