/**
 * The model sources a server reads: a Triton model repository (`DIR/<name>/config.pbtxt`,
 * `DIR/<name>/<version>/model.onnx`, labels files beside the config) and plain ONNX files (given
 * as paths, or every *.onnx of --model-dir), which are served as version 1 of a model named after
 * the file. Each model becomes a ModelDescription: what to load, not yet loaded.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { InvalidInputError, InvalidOptionError, describeError } from '../../common/errors.ts';
import { DEFAULT_MODEL_FILENAME, DEFAULT_VERSION_POLICY, readModelConfig, type ModelConfig, type VersionPolicy } from './config.ts';

/** Names travel in URL paths, so they keep to characters that need no escaping. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const VERSION_DIRECTORY = /^[1-9][0-9]{0,15}$/;

export interface ModelVersionFile {
  version: string;
  path: string;
}

export interface ModelDescription {
  name: string;
  /** The config.pbtxt, or undefined for a plain ONNX file / a repository model without one. */
  config?: ModelConfig;
  /** The directory labels files are read from. */
  directory: string;
  /** Versions the version policy selects, oldest first. */
  versions: ModelVersionFile[];
  /** Where it came from, for messages: the config file or the ONNX file. */
  origin: string;
}

/** A repository model that could not be read, with the reason shown in the repository index. */
export interface UnreadableModel {
  name: string;
  reason: string;
}

export interface ModelSources {
  /** Plain ONNX files given as paths or found in --model-dir. */
  files: ModelDescription[];
  repository?: string;
}

export function checkModelName(name: string, origin: string): void {
  if (!MODEL_NAME.test(name)) {
    throw new InvalidOptionError(
      `model name '${name}' (${origin}) must start with a letter or digit and use only letters, digits, '_', '.' and '-'`,
    );
  }
}

/** Plain ONNX files served under their file names (or `name`, when exactly one is served). */
export async function describeModelFiles(options: {
  modelPaths?: string[];
  modelDir?: string;
  name?: string;
}): Promise<ModelDescription[]> {
  const paths = [...(options.modelPaths ?? [])];
  if (options.modelDir !== undefined) paths.push(...(await listOnnxFiles(options.modelDir)));
  if (options.name !== undefined && paths.length > 1) {
    throw new InvalidOptionError(`--name names one model, but ${paths.length} are to be served; names then come from the file names`);
  }
  const descriptions: ModelDescription[] = [];
  for (const file of paths) {
    const resolved = path.resolve(file);
    const name = options.name ?? path.basename(file, path.extname(file));
    checkModelName(name, file);
    await checkReadableFile(resolved, 'model');
    descriptions.push({ name, directory: path.dirname(resolved), versions: [{ version: '1', path: resolved }], origin: resolved });
  }
  return descriptions;
}

async function listOnnxFiles(directory: string): Promise<string[]> {
  const entries = await readDirectory(directory, 'model directory');
  const onnxFiles = entries.filter((entry) => entry.endsWith('.onnx')).sort();
  if (onnxFiles.length === 0) throw new InvalidInputError(`model directory ${directory} has no .onnx files`);
  return onnxFiles.map((entry) => path.join(directory, entry));
}

/** Every model directory of a repository: those that read well, and the reasons for those that do not. */
export async function scanRepository(repository: string): Promise<{ models: ModelDescription[]; unreadable: UnreadableModel[] }> {
  const entries = await readDirectory(repository, 'model repository', { withFileTypes: true });
  const models: ModelDescription[] = [];
  const unreadable: UnreadableModel[] = [];
  for (const entry of entries
    .filter((candidate) => candidate.isDirectory() && !candidate.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))) {
    try {
      models.push(await describeRepositoryModel(repository, entry.name));
    } catch (error) {
      unreadable.push({ name: entry.name, reason: describeError(error) });
    }
  }
  return { models, unreadable };
}

/** One model of a repository, read afresh (for load and poll). */
export async function describeRepositoryModel(repository: string, name: string): Promise<ModelDescription> {
  checkModelName(name, `in ${repository}`);
  const directory = path.join(repository, name);
  const configPath = path.join(directory, 'config.pbtxt');
  const text = await fs.readFile(configPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new InvalidInputError(`cannot read ${configPath}: ${describeError(error)}`);
  });
  const config = text === undefined ? undefined : readModelConfig(text, configPath);
  return describeModelDirectory(directory, name, config, text === undefined ? directory : configPath);
}

/**
 * A model directory (`<version>/<default_model_filename>` inside) under a given config: the
 * repository's config.pbtxt, or a load override's config (then `origin` names the override).
 */
export async function describeModelDirectory(
  directory: string,
  name: string,
  config: ModelConfig | undefined,
  origin: string,
): Promise<ModelDescription> {
  if (config?.name !== undefined && config.name !== name) {
    throw new InvalidInputError(`${origin} names the model '${config.name}', but its directory is '${name}'`);
  }
  const filename = config?.defaultModelFilename ?? DEFAULT_MODEL_FILENAME;
  const available: ModelVersionFile[] = [];
  for (const entry of await readDirectory(directory, 'model directory', { withFileTypes: true })) {
    // Triton reads only numeric version directories; anything else beside them is ignored.
    if (!entry.isDirectory() || !VERSION_DIRECTORY.test(entry.name)) continue;
    const file = path.join(directory, entry.name, filename);
    if (await isFile(file)) available.push({ version: entry.name, path: file });
  }
  available.sort((a, b) => Number(a.version) - Number(b.version));
  const versions = selectVersions(available, config?.versionPolicy ?? DEFAULT_VERSION_POLICY);
  if (versions.length === 0) {
    throw new InvalidInputError(
      available.length === 0
        ? `${directory} has no version directory with ${filename} (e.g. ${name}/1/${filename})`
        : `the version_policy of ${origin} selects none of the versions ${available.map((v) => v.version).join(', ')}`,
    );
  }
  return { name, config, directory, versions, origin };
}

/** Triton's version policies: the newest N, all, or a given list. */
export function selectVersions(available: ModelVersionFile[], policy: VersionPolicy): ModelVersionFile[] {
  switch (policy.kind) {
    case 'all':
      return available;
    case 'latest':
      return available.slice(-policy.numVersions);
    case 'specific':
      return available.filter((entry) => policy.versions.includes(Number(entry.version)));
  }
}

async function readDirectory(directory: string, what: string): Promise<string[]>;
async function readDirectory(directory: string, what: string, options: { withFileTypes: true }): Promise<import('node:fs').Dirent[]>;
async function readDirectory(
  directory: string,
  what: string,
  options?: { withFileTypes: true },
): Promise<string[] | import('node:fs').Dirent[]> {
  try {
    return options ? await fs.readdir(directory, options) : await fs.readdir(directory);
  } catch (error) {
    throw new InvalidInputError(`cannot read ${what} ${directory}: ${describeError(error)}`);
  }
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (stat) => stat.isFile(),
    () => false,
  );
}

async function checkReadableFile(file: string, what: string): Promise<void> {
  const stat = await fs.stat(file).catch((error: unknown) => {
    throw new InvalidInputError(`cannot read ${what} ${file}: ${describeError(error)}`);
  });
  if (!stat.isFile()) throw new InvalidInputError(`${what} ${file} is not a file`);
}
