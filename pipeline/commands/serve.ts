/**
 * `tfjs-onnx serve <model.onnx...>`: a thin yargs layer over startServer(). It runs until SIGTERM
 * or SIGINT, then shuts down gracefully (stop accepting, run queued batches, finish in-flight
 * requests within --shutdown-grace-ms, release the models) and returns, so the process exits 0.
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { NUMERIC_OPTIONS, RESOURCE_LIMITS } from '../../server/numericOptions.ts';
import { SERVE_DEFAULTS } from '../../server/options.ts';
import { MODEL_CONTROL_MODES, type ServeOptions } from '../../server/serveOptions.ts';
import type { Device } from '@tfjs-onnx/runtime/constants';
import { deviceFlag, integerFlag, numberFlag, type CliCommand } from '../flags.ts';

interface ServeArguments {
  models: string[];
  'model-dir'?: string;
  'model-repository'?: string;
  'model-control-mode': (typeof MODEL_CONTROL_MODES)[number];
  'load-model'?: string[];
  'repository-poll-secs': number;
  name?: string;
  host: string;
  port: number;
  grpc: boolean;
  'grpc-port': number;
  device: Device;
  threads?: number;
  'max-delay-ms': number;
  'image-workers': number;
  'allow-client-shm': boolean;
  [limit: string]: unknown;
}

export const serveCommand: CliCommand = {
  command: 'serve [models..]',
  describe: 'Serve ONNX models with the Open Inference Protocol over HTTP (KServe v2 / Triton REST) and gRPC',
  builder: (cli: Argv) => {
    let builder = cli
      .positional('models', {
        type: 'string',
        array: true,
        default: [],
        describe: 'ONNX model files; each is served under its file name without extension',
      })
      .option('model-dir', { type: 'string', describe: 'Serve every .onnx file in this directory too' })
      .option('model-repository', {
        type: 'string',
        describe: 'Serve a Triton model repository (DIR/<name>/config.pbtxt, DIR/<name>/<version>/model.onnx)',
      })
      .option('model-control-mode', {
        choices: MODEL_CONTROL_MODES,
        default: SERVE_DEFAULTS.modelControlMode,
        describe: 'none: load all at start; explicit: load/unload by request; poll: follow the repository',
      })
      .option('load-model', {
        type: 'string',
        array: true,
        describe: "explicit mode: a repository model to load at start ('*' for all); repeatable",
      })
      .option(...serverNumber('repositoryPollSecs', 'poll mode: seconds between repository scans'))
      .option('name', { type: 'string', describe: 'Name to serve a single model under' })
      .option('host', { type: 'string', default: SERVE_DEFAULTS.host, describe: 'Address to listen on (HTTP and gRPC)' })
      .option(...serverNumber('port', 'HTTP port (0 picks a free one)'))
      .option(...serverNumber('grpcPort', 'gRPC port (0 picks a free one)'))
      .option('grpc', { type: 'boolean', default: true, describe: 'Serve gRPC too (--no-grpc turns it off)' })
      .option(
        ...deviceFlag(
          "Where the models run (a repository model's instance_group kind overrides it: KIND_GPU → gpu, KIND_CPU → cpu)",
          SERVE_DEFAULTS.device,
        ),
      )
      .option(
        ...serverNumber('intraOpThreads', 'onnxruntime intra-op threads per model (default: onnxruntime decides)', { noDefault: true }),
      )
      .option(
        ...serverNumber(
          'maxDelayMs',
          'How long the first request of an idle model waits for others (0: batch only what queues during a run)',
        ),
      )
      .option(...serverNumber('imageWorkers', 'Worker threads decoding images for /classify'));
    // The resource limits come from one registry, which the README's limits section is checked against.
    for (const limit of RESOURCE_LIMITS) {
      builder = builder.option(...serverNumber(limit.key, `Limit: ${limit.describe}`));
    }
    return builder
      .option('allow-client-shm', {
        type: 'boolean',
        default: SERVE_DEFAULTS.allowClientShm,
        describe:
          "Let clients register system shared-memory regions (/dev/shm objects) and pass tensors through them, as Triton's --allow-client-shm=true",
      })
      .example('$0 serve artifacts/model.onnx', 'serve as model "model" on http://127.0.0.1:8000 and grpc 127.0.0.1:8001')
      .example('$0 serve --model-repository model_repository/', 'serve what export-triton wrote, every version its config selects')
      .example(
        '$0 serve --model-dir models/ --port 0 --grpc-port 0',
        'serve every model in models/ on free ports',
      ) as unknown as Argv<ServeArguments>;
  },
  handler: async (args: ArgumentsCamelCase<ServeArguments>) => {
    const { startServer } = await import('../../server/index.ts');
    const limits = Object.fromEntries(RESOURCE_LIMITS.map((limit) => [limit.key, args[limit.flag.slice(2)]])) as Partial<ServeOptions>;
    const server = await startServer({
      ...limits,
      modelPaths: args.models,
      modelDir: args['model-dir'],
      modelRepository: args['model-repository'],
      modelControlMode: args['model-control-mode'],
      loadModels: args['load-model'],
      repositoryPollSecs: args['repository-poll-secs'],
      name: args.name,
      host: args.host,
      port: args.port,
      grpcPort: args.grpc ? args['grpc-port'] : false,
      device: args.device,
      intraOpThreads: args.threads,
      maxDelayMs: args['max-delay-ms'],
      imageWorkers: args['image-workers'],
      allowClientShm: args['allow-client-shm'],
      log: (line) => process.stdout.write(`${line}\n`),
    });
    const signal = await nextShutdownSignal();
    process.stderr.write(`${signal}: finishing in-flight requests, then exiting (send it again to exit at once)\n`);
    // A second signal means the operator will not wait: leave without draining.
    const impatient = () => process.exit(1);
    process.once('SIGTERM', impatient);
    process.once('SIGINT', impatient);
    await server.close();
    process.off('SIGTERM', impatient);
    process.off('SIGINT', impatient);
  },
};

/**
 * A numeric serve flag from the server's registry (server/numericOptions.ts): its bounds and default are
 * the ones startServer checks, parsed from the text as typed (pipeline/flags.ts).
 */
function serverNumber(key: keyof ServeOptions, describe: string, { noDefault = false } = {}) {
  const option = NUMERIC_OPTIONS.find((candidate) => candidate.key === key);
  if (!option) throw new Error(`internal: ${String(key)} is not a numeric server option`);
  const spec = { min: option.min, max: option.max, describe, ...(noDefault ? {} : { default: option.default }) };
  return option.integer ? integerFlag(option.flag.slice(2), spec) : numberFlag(option.flag.slice(2), spec);
}

function nextShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
