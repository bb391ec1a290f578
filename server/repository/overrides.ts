/**
 * A model repository load with overrides, as Triton's load API takes them:
 *
 *   config               a JSON ModelConfig used instead of the model's config.pbtxt for this load,
 *                        validated exactly like one (config.ts: readModelConfigJson)
 *   file:<path>          a model file (base64 over HTTP, bytes over gRPC) at <path> inside an
 *                        override model directory, e.g. file:1/model.onnx; with files the model is
 *                        loaded from them alone, and `config` must be given too (Triton's rule)
 *
 * Any other parameter is refused, and so is anything that cannot be applied (a path leaving the
 * model directory, a file without a config, a config naming another model): never ignored.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidInputError } from '../../common/errors.ts';
import { InvalidLoadParameterError } from '../errors.ts';
import { readModelConfigJson, type ModelConfig } from './config.ts';

export interface OverrideFile {
  /** Relative path inside the model directory, '/'-separated: `1/model.onnx`. */
  path: string;
  bytes: Buffer;
}

export interface LoadOverrides {
  config?: ModelConfig;
  files: OverrideFile[];
}

const FILE_PREFIX = 'file:';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const PATH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * The load request's parameters (already decoded by the front end: strings, and Buffers for gRPC
 * bytes) as overrides; undefined when there are none.
 */
export function readLoadOverrides(model: string, parameters: Record<string, unknown> | undefined): LoadOverrides | undefined {
  const entries = Object.entries(parameters ?? {});
  if (entries.length === 0) return undefined;
  const overrides: LoadOverrides = { files: [] };
  for (const [name, value] of entries) {
    if (name === 'config') overrides.config = readConfigParameter(model, value);
    else if (name.startsWith(FILE_PREFIX))
      overrides.files.push({ path: checkFilePath(name.slice(FILE_PREFIX.length), name), bytes: fileBytes(name, value) });
    else
      throw new InvalidLoadParameterError(
        `unknown load parameter '${name}'; a load takes 'config' (a JSON model configuration) and 'file:<version>/<name>' model files`,
      );
  }
  if (overrides.files.length > 0 && overrides.config === undefined) {
    throw new InvalidLoadParameterError(
      `failed to load '${model}': 'file:' overrides need the 'config' parameter too, the model configuration of the override directory`,
    );
  }
  return overrides;
}

function readConfigParameter(model: string, value: unknown): ModelConfig {
  if (typeof value !== 'string')
    throw new InvalidLoadParameterError(`load parameter 'config' must be a string holding the model configuration as JSON`);
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (error) {
    throw new InvalidLoadParameterError(`failed to load '${model}': load parameter 'config' is not JSON: ${(error as Error).message}`);
  }
  try {
    return readModelConfigJson(json, `the 'config' override of '${model}'`);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new InvalidLoadParameterError(`failed to load '${model}': ${error.message}`);
    throw error;
  }
}

/** A relative path of plain segments: nothing absolute, no '..', no hidden or empty segment. */
function checkFilePath(relative: string, parameter: string): string {
  const segments = relative.split('/');
  if (segments.length > 8 || !segments.every((segment) => PATH_SEGMENT.test(segment))) {
    throw new InvalidLoadParameterError(
      `load parameter '${parameter}' must name a file inside the model directory, as file:<version>/<name> (e.g. file:1/model.onnx)`,
    );
  }
  return segments.join('/');
}

function fileBytes(parameter: string, value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string' && value.length % 4 === 0 && BASE64.test(value)) return Buffer.from(value, 'base64');
  throw new InvalidLoadParameterError(`load parameter '${parameter}' must hold the file's bytes in base64`);
}

/**
 * Writes the override files into a fresh private directory laid out as a model directory, and
 * hands back its path and how to remove it (the model is in memory once loaded).
 */
export async function writeOverrideDirectory(
  model: string,
  files: OverrideFile[],
): Promise<{ directory: string; remove: () => Promise<void> }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tfjs-onnx-load-'));
  const remove = () => fs.rm(root, { recursive: true, force: true });
  const directory = path.join(root, model);
  try {
    for (const file of files) {
      const target = path.join(directory, ...file.path.split('/'));
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, file.bytes, { flag: 'wx' });
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return { directory, remove };
}
