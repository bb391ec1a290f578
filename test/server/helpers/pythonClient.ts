/**
 * The independent Python clients of the server tests. protoc's descriptor set of the .proto files
 * a user would build a client from (the inference service with model_config.proto, and the
 * standard grpc.health.v1 service), so Python's protobuf builds the messages without generated
 * code; and the scripts in this folder (tritonStyleGrpc.py, tritonStyleHttp.py) run with Debian's
 * interpreter, the facts they print read back as JSON for the test to compare with values it
 * computed itself.
 */
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PROTO_PATH } from '../../../server/grpc/service.ts';
import { DEBIAN_PYTHON, requireSystemPackage } from '../../helpers/systemPackages.ts';
import { HEALTH_PROTO } from './grpcClient.ts';

/**
 * Writes protoc's descriptor set (imports included) of the server's grpc_service.proto and the
 * health service into `directory`; returns its path. Throws with protoc's own message if it fails.
 */
export function protocDescriptor(directory: string): string {
  requireSystemPackage('protobuf-compiler');
  const descriptor = path.join(directory, 'grpc_service.desc');
  const healthRoot = path.resolve(path.dirname(HEALTH_PROTO), '../..');
  const protoc = spawnSync(
    'protoc',
    [
      `--proto_path=${path.dirname(PROTO_PATH)}`,
      `--proto_path=${healthRoot}`,
      `--descriptor_set_out=${descriptor}`,
      '--include_imports',
      path.basename(PROTO_PATH),
      path.relative(healthRoot, HEALTH_PROTO),
    ],
    { encoding: 'utf8' },
  );
  if (protoc.status !== 0 || protoc.stderr !== '') throw new Error(`protoc failed (status ${protoc.status}): ${protoc.stderr}`);
  return descriptor;
}

/** A Python script in this folder, by file name. */
export function pythonScript(name: string): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), name);
}

/**
 * Runs a script with Debian's Python (whose python3-grpcio and python3-protobuf it needs) and
 * returns the JSON object it printed last. Asynchronous: the server it talks to runs in this
 * process. Anything on stderr (a traceback, a warning) fails the call with it.
 */
// biome-ignore lint/suspicious/noExplicitAny: the facts are JSON a Python script printed, each field checked by the test
export async function pythonFacts<T = any>(script: string, args: string[]): Promise<T> {
  requireSystemPackage('python3-grpcio');
  requireSystemPackage('python3-protobuf');
  // No __pycache__ written next to the scripts (they import their sibling modules): the tests leave the source tree as it was.
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  const run = await promisify(execFile)(DEBIAN_PYTHON, [pythonScript(script), ...args], { encoding: 'utf8', timeout: 60_000, env }).catch(
    (error: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`${script} ${args.join(' ')} failed: ${error.message}\n${error.stdout ?? ''}`);
    },
  );
  if (run.stderr !== '') throw new Error(`${script} ${args.join(' ')} wrote to stderr:\n${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}
