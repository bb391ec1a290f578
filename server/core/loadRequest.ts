/**
 * What a model repository load request reads when it names no override files: the model's own
 * files — the ONNX file it was served from, or its repository directory — under the override
 * config when one is given. And how a load's failure is told to the client: with the repository's
 * location taken out of every path, so a client is never shown the server's file system.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ModelLoadFailedError, ModelNotFoundError } from '../errors.ts';
import type { ModelConfig } from '../repository/config.ts';
import {
  checkModelName,
  describeModelDirectory,
  describeRepositoryModel,
  type ModelDescription,
  type ModelSources,
} from '../repository/layout.ts';

/** The model's own files, under `config` if one is given; `fromFile` says the model was given as a plain ONNX file. */
export async function describeForLoad(
  name: string,
  fromFile: boolean,
  config: ModelConfig | undefined,
  sources: ModelSources,
): Promise<ModelDescription> {
  const file = sources.files.find((candidate) => candidate.name === name);
  if (fromFile && file) return config ? { ...file, config, origin: `the load override of '${name}'` } : file;
  const repository = sources.repository;
  if (repository === undefined) throw new ModelNotFoundError(name);
  if (!(await isDirectory(path.join(repository, name))))
    throw new ModelLoadFailedError(name, `the model repository has no model '${name}'`);
  if (config === undefined) return describeRepositoryModel(repository, name);
  checkModelName(name, 'in the load request');
  return describeModelDirectory(path.join(repository, name), name, config, `the 'config' override of '${name}'`);
}

/** `message` with the repository's location (and the folder of `extra`) taken out of every path in it. */
export function withoutPaths(message: string, repository: string | undefined, extra?: string): string {
  const roots = [repository, repository && path.resolve(repository), extra && path.dirname(extra)].filter((root): root is string => !!root);
  let result = message;
  for (const root of roots.sort((a, b) => b.length - a.length))
    result = result
      .split(root + path.sep)
      .join('')
      .split(root)
      .join('<model repository>');
  return result;
}

async function isDirectory(directory: string): Promise<boolean> {
  return fs.stat(directory).then(
    (stat) => stat.isDirectory(),
    () => false,
  );
}
