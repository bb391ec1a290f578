/**
 * `npm run demo [-- --port 5173 --host 127.0.0.1 --model artifacts/model.onnx]`: builds the page into
 * demo/dist with the exported model and serves it. Inference happens in the browser; this process
 * only serves files.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidInputError, InvalidOptionError, UserError } from '../common/errors.ts';
import { artifactPaths, PIPELINE_DEFAULTS } from '../pipeline/options.ts';
import { buildDemo, DEFAULT_DEMO_OUT_DIR, DEMO_ROOT } from './build.ts';
import { serveStaticDirectory } from './staticServer.ts';

const DEFAULT_PORT = 5173;
const DEFAULT_HOST = '127.0.0.1';
/** What `npm run pipeline` writes by default. */
const DEFAULT_MODEL = path.join(DEMO_ROOT, '..', artifactPaths(PIPELINE_DEFAULTS.out).onnxModel);

const USAGE = `Usage: npm run demo -- [--port ${DEFAULT_PORT}] [--host ${DEFAULT_HOST}] [--model ${artifactPaths(PIPELINE_DEFAULTS.out).onnxModel}]

Builds the browser demo into demo/dist and serves it: draw a digit and onnxruntime-web classifies it in the page.`;

interface DemoOptions {
  port: number;
  host: string;
  modelPath: string;
}

function parseOptions(argv: string[]): DemoOptions | 'help' {
  const values = readFlags(argv);
  if (values.help) return 'help';
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidOptionError(`--port must be a whole number from 0 to 65535, got ${values.port}`);
  // npm runs scripts from the repository root; a relative --model means relative to where the user typed the command.
  const modelPath = values.model === undefined ? DEFAULT_MODEL : path.resolve(process.env.INIT_CWD ?? process.cwd(), values.model);
  return { port, host: values.host ?? DEFAULT_HOST, modelPath };
}

/** The flags as node:util's parseArgs reads them; what it refuses (an unknown flag, a missing value) comes with the usage. */
function readFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { port: { type: 'string' }, host: { type: 'string' }, model: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (error) {
    throw new InvalidOptionError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
}

async function main(argv: string[]): Promise<number> {
  try {
    const options = parseOptions(argv);
    if (options === 'help') {
      console.log(USAGE);
      return 0;
    }
    const shownModelPath = path.relative(process.cwd(), options.modelPath) || options.modelPath;
    // Checked before building, so the user learns at once what to run.
    if (!existsSync(options.modelPath)) {
      throw new InvalidInputError(`${shownModelPath} is missing: run \`npm run pipeline\` first to train the model and export it to ONNX`);
    }
    console.log(`Building the demo with ${shownModelPath}…`);
    const { outDir } = await buildDemo({ modelPath: options.modelPath, outDir: DEFAULT_DEMO_OUT_DIR, verbose: true });
    const server = await serveStaticDirectory(outDir, { host: options.host, port: options.port });
    // A wildcard address is where the server listens, not an address to open: show localhost for it.
    const openUrl = ['0.0.0.0', '::'].includes(options.host) ? `http://localhost:${server.port}/` : server.url;
    console.log(`\nDigit demo: ${openUrl}\n(serving ${path.relative(process.cwd(), outDir)}; press Ctrl+C to stop)`);
    process.once('SIGINT', () => void server.close().then(() => process.exit(0)));
    return 0;
  } catch (error) {
    if (error instanceof UserError) {
      console.error(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

const exitCode = await main(process.argv.slice(2));
if (exitCode !== 0) process.exitCode = exitCode;
