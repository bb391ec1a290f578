/**
 * The model registry: which model versions are loaded and routable, and the model repository
 * extension's operations on them — index, load (or reload), unload — under Triton's three model
 * control modes:
 *   none      everything found at start is loaded; load/unload requests are refused
 *   explicit  only what the operator names (--load-model, '*' for all) is loaded at start;
 *             load/unload requests are honoured
 *   poll      like none, and the repository is re-read every --repository-poll-secs: new models
 *             load, removed ones unload, changed ones reload (repositoryPoll.ts)
 * A reload loads the new versions first and swaps them in, so requests never see a gap; a model
 * leaving is taken out of routing at once, and released once its in-flight requests are answered.
 */
import { InvalidInputError, describeError } from '../../common/errors.ts';
import { ModelControlDisabledError, ModelLoadFailedError, ModelNotFoundError } from '../errors.ts';
import type { ModelControlMode } from '../serveOptions.ts';
import {
  describeModelDirectory,
  scanRepository,
  type ModelDescription,
  type ModelSources,
  type UnreadableModel,
} from '../repository/layout.ts';
import { writeOverrideDirectory, type LoadOverrides } from '../repository/overrides.ts';
import { describeForLoad, withoutPaths } from './loadRequest.ts';
import { byVersion, fingerprint, loadVersions, newest, type VersionLoading } from './modelVersions.ts';
import { RepositoryPoller, type PolledRegistry } from './repositoryPoll.ts';
import type { ServedModel } from './servedModel.ts';

export interface RegistryOptions extends VersionLoading, ModelSources {
  controlMode: ModelControlMode;
  /** explicit mode: the repository models to load at start ('*': all). */
  loadAtStart: string[];
  /** poll mode: how often the repository is re-read. */
  pollIntervalMs?: number;
  /** Told about loads, unloads and poll problems, for the operator's log. */
  log: (line: string) => void;
}

export type ModelState = 'READY' | 'UNAVAILABLE' | 'LOADING' | 'UNLOADING';

export interface IndexEntry {
  name: string;
  version?: string;
  state: ModelState;
  reason?: string;
}

interface Entry {
  versions: Map<string, ServedModel>;
  /** Where the model came from: a file given at start, or the repository. */
  source: 'file' | 'repository';
  description?: ModelDescription;
  state: ModelState;
  reason?: string;
  /** What the model's files looked like when loaded, so a poll can tell a change. */
  fingerprint?: string;
}

export class ModelRegistry {
  private readonly entries = new Map<string, Entry>();
  /** One load/unload at a time per model name. */
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Old versions still answering their last requests after an unload or reload. */
  private readonly retiring = new Set<Promise<void>>();
  private poller: RepositoryPoller | undefined;

  constructor(private readonly options: RegistryOptions) {}

  get controlMode(): ModelControlMode {
    return this.options.controlMode;
  }

  /** Loads the start-up set; any failure is the operator's to fix and stops the start (after releasing what loaded). */
  async start(): Promise<void> {
    try {
      for (const file of this.options.files) {
        if (this.entries.has(file.name))
          throw new InvalidInputError(
            `two models would be served as '${file.name}': ${this.entries.get(file.name)!.description?.origin} and ${file.origin}`,
          );
        await this.loadDescription(file, 'file');
      }
      if (this.options.repository !== undefined) await this.loadRepositoryAtStart(this.options.repository);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  private async loadRepositoryAtStart(repository: string): Promise<void> {
    const { models, unreadable } = await scanRepository(repository);
    const wanted = this.options.controlMode === 'explicit' ? this.options.loadAtStart : ['*'];
    const all = wanted.includes('*');
    for (const name of wanted.filter((candidate) => candidate !== '*')) {
      if (!models.some((model) => model.name === name)) {
        const problem = unreadable.find((model) => model.name === name);
        throw new InvalidInputError(
          problem
            ? `cannot load model '${name}': ${problem.reason}`
            : `--load-model '${name}': the repository ${repository} has no such model`,
        );
      }
    }
    if (all && unreadable.length > 0) throw new InvalidInputError(`cannot load model '${unreadable[0].name}': ${unreadable[0].reason}`);
    for (const model of models) {
      if (this.entries.has(model.name) && this.entries.get(model.name)!.source === 'file') {
        throw new InvalidInputError(
          `two models would be served as '${model.name}': ${this.entries.get(model.name)!.description?.origin} and ${model.origin}`,
        );
      }
      if (all || wanted.includes(model.name)) await this.loadDescription(model, 'repository');
      else
        this.entries.set(model.name, {
          versions: new Map(),
          source: 'repository',
          description: model,
          state: 'UNAVAILABLE',
          reason: 'not loaded (--model-control-mode explicit)',
        });
    }
    if (this.options.controlMode === 'poll' && this.options.pollIntervalMs !== undefined) {
      this.poller = new RepositoryPoller(repository, this.options.pollIntervalMs, this.pollTarget(), this.options.log);
      this.poller.start();
    }
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

  /** The repository index: every model known, with its ready versions or the reason it is not ready. */
  async index(readyOnly: boolean): Promise<IndexEntry[]> {
    if (this.options.repository !== undefined && this.options.controlMode === 'explicit') await this.discover(this.options.repository);
    const entries: IndexEntry[] = [];
    for (const [name, entry] of [...this.entries.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (entry.versions.size > 0) {
        for (const version of [...entry.versions.keys()].sort(byVersion)) entries.push({ name, version, state: 'READY' });
      } else if (!readyOnly) {
        entries.push({ name, state: entry.state, ...(entry.reason ? { reason: this.withoutPaths(entry.reason) } : {}) });
      }
    }
    return entries;
  }

  /** Learns of repository models added since start, so the index lists what could be loaded. */
  private async discover(repository: string): Promise<void> {
    const { models, unreadable } = await scanRepository(repository).catch(() => ({ models: [], unreadable: [] }));
    for (const model of models)
      if (!this.entries.has(model.name))
        this.entries.set(model.name, {
          versions: new Map(),
          source: 'repository',
          description: model,
          state: 'UNAVAILABLE',
          reason: 'not loaded',
        });
    for (const model of unreadable)
      if (!this.entries.has(model.name))
        this.entries.set(model.name, { versions: new Map(), source: 'repository', state: 'UNAVAILABLE', reason: model.reason });
  }

  /**
   * POST .../load: loads the model, or reloads it from its files if it is loaded; with overrides
   * (repository/overrides.ts), under the given config and from the given files, for this load.
   * Messages name files relative to the repository: a client is never shown the server's paths.
   */
  async load(name: string, overrides?: LoadOverrides): Promise<void> {
    this.checkControl('load');
    await this.exclusive(name, async () => {
      const entry = this.entries.get(name);
      let written: { directory: string; remove: () => Promise<void> } | undefined;
      try {
        let description: ModelDescription;
        try {
          if (overrides && overrides.files.length > 0) {
            written = await writeOverrideDirectory(name, overrides.files);
            description = await describeModelDirectory(written.directory, name, overrides.config, `the load override of '${name}'`);
          } else {
            description = await describeForLoad(name, entry?.source === 'file', overrides?.config, this.options);
          }
        } catch (error) {
          if (entry)
            Object.assign(entry, {
              state: entry.versions.size > 0 ? 'READY' : 'UNAVAILABLE',
              reason: this.withoutPaths(describeError(error)),
            });
          throw error;
        }
        await this.loadDescription(description, entry?.source ?? 'repository');
      } catch (error) {
        if (error instanceof ModelLoadFailedError || error instanceof ModelNotFoundError) throw error;
        throw new ModelLoadFailedError(name, this.withoutPaths(describeError(error), written?.directory));
      } finally {
        await written?.remove();
      }
    });
  }

  /** `message` with the repository's location (and `extra`) taken out of every path in it. */
  private withoutPaths(message: string, extra?: string): string {
    return withoutPaths(message, this.options.repository, extra);
  }

  /** POST .../unload: takes the model out of routing; it is released once its requests are answered. */
  async unload(name: string): Promise<void> {
    this.checkControl('unload');
    await this.exclusive(name, async () => {
      const entry = this.entries.get(name);
      if (!entry) throw new ModelNotFoundError(name);
      this.retire(entry, 'unloaded');
    });
  }

  private checkControl(action: 'load' | 'unload'): void {
    if (this.options.controlMode !== 'explicit') {
      throw new ModelControlDisabledError(
        `explicit model ${action} is not allowed with --model-control-mode ${this.options.controlMode}; start the server with --model-control-mode explicit`,
      );
    }
  }

  /** Loads every version of a description, then swaps them in for whatever was served under the name. */
  private async loadDescription(description: ModelDescription, source: Entry['source']): Promise<void> {
    const previous = this.entries.get(description.name);
    if (previous) previous.state = previous.versions.size > 0 ? 'READY' : 'LOADING';
    const { loaded, failures } = await loadVersions(description, this.options);
    if (loaded.size === 0) {
      if (previous) Object.assign(previous, { state: previous.versions.size > 0 ? 'READY' : 'UNAVAILABLE', reason: failures.join('; ') });
      else
        this.entries.set(description.name, { versions: new Map(), source, description, state: 'UNAVAILABLE', reason: failures.join('; ') });
      throw new InvalidInputError(`cannot load model '${description.name}' (${description.origin}): ${failures.join('; ')}`);
    }
    const entry: Entry = {
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

  private retire(entry: Entry, reason: string): void {
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

  /** The registry's side of repository polling: each change the poller decides on, under the model's lock. */
  private pollTarget(): PolledRegistry {
    return {
      refresh: (model) =>
        this.exclusive(model.name, async () => {
          const entry = this.entries.get(model.name);
          if (entry?.source === 'file') return;
          if (entry && entry.versions.size > 0 && entry.fingerprint === (await fingerprint(model))) return;
          await this.loadDescription(model, 'repository');
        }),
      markUnreadable: (problem: UnreadableModel) => {
        const entry = this.entries.get(problem.name);
        if (entry) entry.reason = problem.reason;
        else this.entries.set(problem.name, { versions: new Map(), source: 'repository', state: 'UNAVAILABLE', reason: problem.reason });
      },
      repositoryModels: () => [...this.entries].filter(([, entry]) => entry.source === 'repository').map(([name]) => name),
      remove: (name) =>
        this.exclusive(name, async () => {
          const entry = this.entries.get(name);
          if (!entry) return;
          this.retire(entry, 'removed from the repository');
          this.entries.delete(name);
        }),
    };
  }

  private exclusive<T>(name: string, action: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const result = previous.catch(() => undefined).then(action);
    const settled = result.catch(() => undefined);
    this.locks.set(name, settled);
    void settled.then(() => {
      if (this.locks.get(name) === settled) this.locks.delete(name);
    });
    return result;
  }

  /** Runs every queued batch now (shutdown: nothing waits for a batching delay any more). */
  flush(): void {
    for (const model of this.ready()) model.batcher.flush();
  }

  /** Unloads everything, waiting for in-flight requests; safe to call twice. */
  async close(): Promise<void> {
    this.poller?.stop();
    await Promise.allSettled([...this.locks.values()]);
    for (const entry of this.entries.values()) this.retire(entry, 'server shut down');
    await Promise.allSettled([...this.retiring]);
  }
}
