/**
 * The models the server holds and their lifecycle: each name's loaded versions and state, loading a
 * model's versions and swapping them in for what was served, retiring old versions once their
 * in-flight requests are answered, and one load or unload at a time per name. The registry
 * (registry.ts) decides what is loaded under the model control modes; this module is how it happens.
 */
import { describeError, InvalidInputError } from '../../common/errors.ts';
import { ModelNotFoundError } from '../errors.ts';
import type { ModelDescription } from '../repository/layout.ts';
import { byVersion, fingerprint, loadVersions, newest, type VersionLoading } from './modelVersions.ts';
import type { ServedModel } from './servedModel.ts';

export type ModelState = 'READY' | 'UNAVAILABLE' | 'LOADING' | 'UNLOADING';

export interface ModelEntry {
  versions: Map<string, ServedModel>;
  /** Where the model came from: a file given at start, or the repository. */
  source: 'file' | 'repository';
  description?: ModelDescription;
  state: ModelState;
  reason?: string;
  /** What the model's files looked like when loaded, so a poll can tell a change. */
  fingerprint?: string;
}

export interface LoadedModelsOptions extends VersionLoading {
  /** Told about loads and failed releases, for the operator's log. */
  log: (line: string) => void;
}

export class LoadedModels {
  private readonly entries = new Map<string, ModelEntry>();
  /** One load/unload at a time per model name. */
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Old versions still answering their last requests after an unload or reload. */
  private readonly retiring = new Set<Promise<void>>();

  constructor(private readonly options: LoadedModelsOptions) {}

  get(name: string): ModelEntry | undefined {
    return this.entries.get(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  delete(name: string): void {
    this.entries.delete(name);
  }

  /** Every model known, loaded or not, by name as added. */
  all(): [string, ModelEntry][] {
    return [...this.entries];
  }

  /** Records a model known but not served, and why. */
  setUnavailable(name: string, source: ModelEntry['source'], reason: string, description?: ModelDescription): void {
    this.entries.set(name, { versions: new Map(), source, ...(description ? { description } : {}), state: 'UNAVAILABLE', reason });
  }

  /** The version to serve: the one named, or the newest ready. */
  resolve(name: string, version?: string): ServedModel {
    const entry = this.entries.get(name);
    if (!entry || entry.versions.size === 0) throw new ModelNotFoundError(name);
    if (version === undefined || version === '') return newest(entry.versions)!;
    const model = entry.versions.get(version);
    if (!model) throw new ModelNotFoundError(name, version);
    return model;
  }

  /** Every ready model version, by name then version. */
  ready(): ServedModel[] {
    return [...this.entries.values()].flatMap((entry) => [...entry.versions.values()]);
  }

  /** The versions a model serves, oldest first (for its metadata). */
  versionsOf(name: string): string[] {
    return [...(this.entries.get(name)?.versions.keys() ?? [])].sort(byVersion);
  }

  /** Loads every version of a description, then swaps them in for whatever was served under the name. */
  async load(description: ModelDescription, source: ModelEntry['source']): Promise<void> {
    const previous = this.entries.get(description.name);
    if (previous) previous.state = previous.versions.size > 0 ? 'READY' : 'LOADING';
    const { loaded, failures } = await loadVersions(description, this.options);
    if (loaded.size === 0) {
      if (previous) Object.assign(previous, { state: previous.versions.size > 0 ? 'READY' : 'UNAVAILABLE', reason: failures.join('; ') });
      else this.setUnavailable(description.name, source, failures.join('; '), description);
      throw new InvalidInputError(`cannot load model '${description.name}' (${description.origin}): ${failures.join('; ')}`);
    }
    const entry: ModelEntry = {
      versions: loaded,
      source,
      description,
      state: 'READY',
      reason: failures.length ? failures.join('; ') : undefined,
      fingerprint: await fingerprint(description),
    };
    this.entries.set(description.name, entry);
    if (previous) this.retireVersions([...previous.versions.values()]);
    this.options.log(`loaded model '${description.name}' version${loaded.size > 1 ? 's' : ''} ${[...loaded.keys()].join(', ')}`);
  }

  /** Takes a model's versions out of routing; each is released once its requests are answered. */
  retire(entry: ModelEntry, reason: string): void {
    const versions = [...entry.versions.values()];
    entry.versions = new Map();
    entry.state = 'UNAVAILABLE';
    entry.reason = reason;
    this.retireVersions(versions);
  }

  private retireVersions(versions: ServedModel[]): void {
    for (const model of versions) {
      const done: Promise<void> = model
        .drainAndDispose()
        .catch((error) => this.options.log(`releasing model '${model.name}' version ${model.version} failed: ${describeError(error)}`));
      this.retiring.add(done);
      void done.finally(() => this.retiring.delete(done));
    }
  }

  /** Runs `action` once every earlier action on the same name has settled. */
  exclusive<T>(name: string, action: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const result = previous.catch(() => undefined).then(action);
    const settled = result.catch(() => undefined);
    this.locks.set(name, settled);
    void settled.then(() => {
      if (this.locks.get(name) === settled) this.locks.delete(name);
    });
    return result;
  }

  /** Waits for loads and unloads under way, then unloads everything, waiting for in-flight requests. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.locks.values()]);
    for (const entry of this.entries.values()) this.retire(entry, 'server shut down');
    await Promise.allSettled([...this.retiring]);
  }
}
