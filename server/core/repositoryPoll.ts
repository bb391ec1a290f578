/**
 * Triton's poll model control mode: the repository is re-read every --repository-poll-secs, and
 * what changed is applied — new models load, changed ones reload, removed ones unload — without a
 * request in flight seeing a gap (the registry swaps reloaded versions in once they are ready).
 * A poll that cannot read the repository, or a model that does not load, is logged and the model
 * keeps what it served; the next poll tries again.
 */
import { describeError } from '../../common/errors.ts';
import { scanRepository, type ModelDescription, type UnreadableModel } from '../repository/layout.ts';

/** The changes a poll applies to the registry. */
export interface PolledRegistry {
  /** Loads a repository model, or reloads it if its files changed; a model given as a file is left alone. */
  refresh(model: ModelDescription): Promise<void>;
  /** Records why a model in the repository cannot be read, for the repository index. */
  markUnreadable(problem: UnreadableModel): void;
  /** The names of the models that came from the repository. */
  repositoryModels(): string[];
  /** Unloads a model that left the repository and forgets it. */
  remove(name: string): Promise<void>;
}

export class RepositoryPoller {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly repository: string,
    private readonly intervalMs: number,
    private readonly registry: PolledRegistry,
    /** Told about loads, unloads and poll problems, for the operator's log. */
    private readonly log: (line: string) => void,
  ) {}

  /** Polls every interval from now until stop(). */
  start(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll().finally(() => this.start()), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One poll: load what appeared, reload what changed, unload what disappeared. */
  async poll(): Promise<void> {
    if (this.stopped) return;
    let scan: Awaited<ReturnType<typeof scanRepository>>;
    try {
      scan = await scanRepository(this.repository);
    } catch (error) {
      this.log(`poll: ${describeError(error)}`);
      return;
    }
    const present = new Set([...scan.models.map((model) => model.name), ...scan.unreadable.map((model) => model.name)]);
    for (const model of scan.models) await this.registry.refresh(model).catch((error) => this.log(`poll: ${describeError(error)}`));
    for (const problem of scan.unreadable) {
      this.registry.markUnreadable(problem);
      this.log(`poll: model '${problem.name}': ${problem.reason}`);
    }
    for (const name of this.registry.repositoryModels()) {
      if (present.has(name)) continue;
      await this.registry.remove(name);
      this.log(`unloaded model '${name}': removed from the repository`);
    }
  }
}
