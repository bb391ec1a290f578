/**
 * Model versions from their files: each version of a model description loaded with the runtime
 * and wrapped as a ServedModel (checked against its config, labels read), the order of version
 * names, and the fingerprint by which repository polling tells a changed model from an unchanged one.
 */
import { promises as fs } from 'node:fs';
import { InvalidInputError, UserError, describeError } from '../../common/errors.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { ModelConfig } from '../repository/config.ts';
import type { ModelDescription } from '../repository/layout.ts';
import type { Model } from './model.ts';
import { ServedModel, type BatchingDefaults, type ClassifierFactory } from './servedModel.ts';

/** Loads one ONNX file into a session; the server passes the runtime's loadModel with its options (and the config's, where it has one). */
export type ModelLoader = (file: string, config?: ModelConfig) => Promise<Model>;

/** What every version is loaded with. */
export interface VersionLoading {
  loader: ModelLoader;
  /** Builds the image classifier of a loaded model, for the /classify route (over the same session). */
  classifierFor: ClassifierFactory;
  defaults: BatchingDefaults;
  metrics: ServerMetrics;
}

/** Every version of `description` that loads, and a line for each that does not. */
export async function loadVersions(
  description: ModelDescription,
  loading: VersionLoading,
): Promise<{ loaded: Map<string, ServedModel>; failures: string[] }> {
  const loaded = new Map<string, ServedModel>();
  const failures: string[] = [];
  for (const { version, path } of description.versions) {
    try {
      loaded.set(version, await loadVersion(description, version, path, loading));
    } catch (error) {
      failures.push(`version ${version}: ${describeError(error)}`);
    }
  }
  return { loaded, failures };
}

async function loadVersion(description: ModelDescription, version: string, file: string, loading: VersionLoading): Promise<ServedModel> {
  let model: Model;
  try {
    model = await loading.loader(file, description.config);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new InvalidInputError(`cannot load ${file}: ${describeError(error)}`, { cause: error });
  }
  try {
    const { classifierFor, defaults, metrics } = loading;
    return await ServedModel.create({
      name: description.name,
      version,
      model,
      classifierFor,
      config: description.config,
      directory: description.directory,
      origin: description.origin,
      defaults,
      metrics,
    });
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

/** The newest of a model's versions. */
export function newest(versions: Map<string, ServedModel>): ServedModel | undefined {
  return [...versions.entries()].sort(([a], [b]) => byVersion(b, a))[0]?.[1];
}

/** Versions in numeric order (Triton's version directories are numbers). */
export function byVersion(a: string, b: string): number {
  return Number(a) - Number(b) || a.localeCompare(b);
}

/** Config text and every version file's size and modification time. */
export async function fingerprint(description: ModelDescription): Promise<string> {
  const parts = [JSON.stringify(description.config ?? null)];
  for (const { version, path } of description.versions) {
    const stat = await fs.stat(path).catch(() => undefined);
    parts.push(`${version}:${stat?.size}:${stat?.mtimeMs}`);
  }
  return parts.join('|');
}
