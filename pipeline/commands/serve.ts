/**
 * `tfjs-onnx serve <model.onnx...>`: a thin yargs layer over startServer(). It runs until SIGTERM
 * or SIGINT, then shuts down gracefully (stop accepting, finish in-flight requests, release the
 * models) and returns, so the process exits 0.
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { SERVE_DEFAULTS, SERVE_LIMITS } from '../../server/options.ts';
import { integerFlag, type CliCommand } from '../flags.ts';

interface ServeArguments {
  models: string[];
  'model-dir'?: string;
  name?: string;
  host: string;
  port: number;
  backend: 'native' | 'wasm';
  device: 'cpu' | 'cuda' | 'auto';
  threads?: number;
  'max-batch': number;
  'max-delay-ms': number;
  'body-limit': number;
}

export const serveCommand: CliCommand = {
  command: 'serve [models..]',
  describe: 'Serve ONNX models over HTTP with the Open Inference Protocol (KServe v2 / Triton REST)',
  builder: (cli: Argv) =>
    cli
      .positional('models', { type: 'string', array: true, default: [], describe: 'ONNX model files; each is served under its file name without extension' })
      .option('model-dir', { type: 'string', describe: 'Serve every .onnx file in this directory too' })
      .option('name', { type: 'string', describe: 'Name to serve a single model under' })
      .option('host', { type: 'string', default: SERVE_DEFAULTS.host, describe: 'Address to listen on' })
      .option(...integerFlag('port', { ...SERVE_LIMITS.port, default: SERVE_DEFAULTS.port, describe: 'Port to listen on (0 picks a free one)' }))
      .option('backend', { choices: ['native', 'wasm'] as const, default: SERVE_DEFAULTS.backend, describe: 'onnxruntime-node or onnxruntime-web' })
      .option('device', { choices: ['cpu', 'cuda', 'auto'] as const, default: SERVE_DEFAULTS.device, describe: 'Execution device for the native backend' })
      .option(...integerFlag('threads', { ...SERVE_LIMITS.intraOpThreads, describe: 'onnxruntime intra-op threads per model (default: onnxruntime decides)' }))
      .option(...integerFlag('max-batch', { ...SERVE_LIMITS.maxBatch, default: SERVE_DEFAULTS.maxBatch, describe: 'Most images merged into one run; 1 turns dynamic batching off' }))
      .option(...integerFlag('max-delay-ms', { ...SERVE_LIMITS.maxDelayMs, default: SERVE_DEFAULTS.maxDelayMs, describe: 'Longest wait for a batch to fill' }))
      .option(...integerFlag('body-limit', { ...SERVE_LIMITS.bodyLimit, default: SERVE_DEFAULTS.bodyLimit, describe: 'Largest request body in bytes' }))
      .example('$0 serve artifacts/model.onnx', 'serve as model "model" on http://127.0.0.1:8000')
      .example('$0 serve --model-dir models/ --port 0', 'serve every model in models/ on a free port') as unknown as Argv<ServeArguments>,
  handler: async (args: ArgumentsCamelCase<ServeArguments>) => {
    const { startServer } = await import('../../server/index.ts');
    const server = await startServer({
      modelPaths: args.models,
      modelDir: args['model-dir'],
      name: args.name,
      host: args.host,
      port: args.port,
      backend: args.backend,
      device: args.device,
      intraOpThreads: args.threads,
      maxBatch: args['max-batch'],
      maxDelayMs: args['max-delay-ms'],
      bodyLimit: args['body-limit'],
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
