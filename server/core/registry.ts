/**
 * The model registry: which models are loaded under Triton's three model control modes, and the
 * model repository extension's operations on them — index, load (or reload), unload:
 *   none      everything found at start is loaded; load/unload requests are refused
 *   explicit  only what the operator names (--load-model, '*' for all) is loaded at start;
 *             load/unload requests are honoured
 *   poll      like none, and the repository is re-read every --repository-poll-secs: new models
 *             load, removed ones unload, changed ones reload (repositoryPoll.ts)
 * A reload loads the new versions first and swaps them in, so requests never see a gap; a model
 * leaving is taken out of routing at once, and released once its in-flight requests are answered
 * (the versions held and their lifecycle: loadedModels.ts).
 */
import { describeError, InvalidInputError } from '../../common/errors.ts';
import { ModelControlDisabledError, ModelLoadFailedError, ModelNotFoundError } from '../errors.ts';
import {
  describeModelDirectory,
  type ModelDescription,
  type ModelSources,
  scanRepository,
  type UnreadableModel,
} from '../repository/layout.ts';
import { type LoadOverrides, writeOverrideDirectory } from '../repository/overrides.ts';
import type { ModelControlMode } from '../serveOptions.ts';
import { LoadedModels, type LoadedModelsOptions, type ModelState } from './loadedModels.ts';
import { describeForLoad, withoutPaths } from './loadRequest.ts';
import { byVersion, fingerprint } from './modelVersions.ts';
import { type PolledRegistry, RepositoryPoller } from './repositoryPoll.ts';
import type { ServedModel } from './servedModel.ts';

export interface RegistryOptions extends LoadedModelsOptions, ModelSources {
  controlMode: ModelControlMode;
  /** explicit mode: the repository models to load at start ('*': all). */
  loadAtStart: string[];
  /** poll mode: how often the repository is re-read. */
  pollIntervalMs?: number;
  /** Told about loads, unloads and poll problems, for the operator's log. */
  log: (line: string) => void;
}

export interface IndexEntry {
  name: string;
  version?: string;
  state: ModelState;
  reason?: string;
}

export class ModelRegistry {
  private readonly models: LoadedModels;
  private poller: RepositoryPoller | undefined;

  constructor(private readonly options: RegistryOptions) {
    this.models = new LoadedModels(options);
  }

  get controlMode(): ModelControlMode {
    return this.options.controlMode;
  }

  /** Loads the start-up set; any failure is the operator's to fix and stops the start (after releasing what loaded). */
  async start(): Promise<void> {
    try {
      for (const file of this.options.files) {
        if (this.models.has(file.name))
          throw new InvalidInputError(
            `two models would be served as '${file.name}': ${this.models.get(file.name)!.description?.origin} and ${file.origin}`,
          );
        await this.models.load(file, 'file');
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
      if (this.models.has(model.name) && this.models.get(model.name)!.source === 'file') {
        throw new InvalidInputError(
          `two models would be served as '${model.name}': ${this.models.get(model.name)!.description?.origin} and ${model.origin}`,
        );
      }
      if (all || wanted.includes(model.name)) await this.models.load(model, 'repository');
      else this.models.setUnavailable(model.name, 'repository', 'not loaded (--model-control-mode explicit)', model);
    }
    if (this.options.controlMode === 'poll' && this.options.pollIntervalMs !== undefined) {
      this.poller = new RepositoryPoller(repository, this.options.pollIntervalMs, this.pollTarget(), this.options.log);
      this.poller.start();
    }
  }

  /** The version to serve: the one named, or the newest ready. */
  resolve(name: string, version?: string): ServedModel {
    return this.models.resolve(name, version);
  }

  /** Every ready model version, by name then version. */
  ready(): ServedModel[] {
    return this.models.ready();
  }

  /** The versions a model serves, oldest first (for its metadata). */
  versionsOf(name: string): string[] {
    return this.models.versionsOf(name);
  }

  /** The repository index: every model known, with its ready versions or the reason it is not ready. */
  async index(readyOnly: boolean): Promise<IndexEntry[]> {
    if (this.options.repository !== undefined && this.options.controlMode === 'explicit') await this.discover(this.options.repository);
    const entries: IndexEntry[] = [];
    for (const [name, entry] of this.models.all().sort(([a], [b]) => a.localeCompare(b))) {
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
    for (const model of models) if (!this.models.has(model.name)) this.models.setUnavailable(model.name, 'repository', 'not loaded', model);
    for (const model of unreadable) if (!this.models.has(model.name)) this.models.setUnavailable(model.name, 'repository', model.reason);
  }

  /**
   * POST .../load: loads the model, or reloads it from its files if it is loaded; with overrides
   * (repository/overrides.ts), under the given config and from the given files, for this load.
   * Messages name files relative to the repository: a client is never shown the server's paths.
   */
  async load(name: string, overrides?: LoadOverrides): Promise<void> {
    this.checkControl('load');
    await this.models.exclusive(name, async () => {
      const entry = this.models.get(name);
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
        await this.models.load(description, entry?.source ?? 'repository');
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
    await this.models.exclusive(name, async () => {
      const entry = this.models.get(name);
      if (!entry) throw new ModelNotFoundError(name);
      this.models.retire(entry, 'unloaded');
    });
  }

  private checkControl(action: 'load' | 'unload'): void {
    if (this.options.controlMode !== 'explicit') {
      throw new ModelControlDisabledError(
        `explicit model ${action} is not allowed with --model-control-mode ${this.options.controlMode}; start the server with --model-control-mode explicit`,
      );
    }
  }

  /** The registry's side of repository polling: each change the poller decides on, under the model's lock. */
  private pollTarget(): PolledRegistry {
    return {
      refresh: (model) =>
        this.models.exclusive(model.name, async () => {
          const entry = this.models.get(model.name);
          if (entry?.source === 'file') return;
          if (entry && entry.versions.size > 0 && entry.fingerprint === (await fingerprint(model))) return;
          await this.models.load(model, 'repository');
        }),
      markUnreadable: (problem: UnreadableModel) => {
        const entry = this.models.get(problem.name);
        if (entry) entry.reason = problem.reason;
        else this.models.setUnavailable(problem.name, 'repository', problem.reason);
      },
      repositoryModels: () =>
        this.models
          .all()
          .filter(([, entry]) => entry.source === 'repository')
          .map(([name]) => name),
      remove: (name) =>
        this.models.exclusive(name, async () => {
          const entry = this.models.get(name);
          if (!entry) return;
          this.models.retire(entry, 'removed from the repository');
          this.models.delete(name);
        }),
    };
  }

  /** Runs every queued batch now (shutdown: nothing waits for a batching delay any more). */
  flush(): void {
    for (const model of this.ready()) model.batcher.flush();
  }

  /** Unloads everything, waiting for in-flight requests; safe to call twice. */
  async close(): Promise<void> {
    this.poller?.stop();
    await this.models.close();
  }
}
