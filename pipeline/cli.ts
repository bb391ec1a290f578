import yargs, { type Argv } from 'yargs';
import { UserError } from '../common/errors.ts';
import { trainCommand } from './commands/train.ts';
import { convertCommand } from './commands/convert.ts';
import { pipelineCommand } from './commands/pipeline.ts';
import { parityCommand } from './commands/parity.ts';
import { serveCommand } from './commands/serve.ts';
import { exportTritonCommand } from './commands/exportTriton.ts';
import { predictCommand } from './commands/predict.ts';

/**
 * The `tfjs-onnx` command line: a thin yargs layer over the stages' library functions.
 * Each subcommand lives in pipeline/commands/ and is registered here.
 */
export const commands = [trainCommand, convertCommand, pipelineCommand, parityCommand, serveCommand, exportTritonCommand, predictCommand];

export function buildCli(argv: string[]): Argv {
  let cli = yargs(argv)
    .scriptName('tfjs-onnx')
    // Options are read by their --kebab-case names; camelCase copies would double every
    // "Unknown argument" message.
    .parserConfiguration({ 'camel-case-expansion': false })
    .usage('$0 <command> [options]\n\nTrain with TensorFlow.js, export to ONNX, run with onnxruntime.')
    .option('verbose', { type: 'boolean', default: false, describe: 'Print stack traces and debug output' })
    .demandCommand(1, 'Name a command; see --help.')
    .recommendCommands()
    .strict()
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false);
  for (const command of commands) cli = cli.command(command as never);
  return cli;
}

/** Runs the CLI and returns the process exit code (0 ok, 1 handled error). */
export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  let failed = false;
  try {
    await buildCli(argv)
      .fail((message, error) => {
        failed = true;
        // yargs validation problems arrive as a message; errors thrown by handlers as `error`.
        throw error ?? new UserError(message);
      })
      .parseAsync();
    return failed ? 1 : 0;
  } catch (error) {
    reportError(error, verbose);
    return 1;
  }
}

function reportError(error: unknown, verbose: boolean): void {
  if (error instanceof UserError) {
    process.stderr.write(`error: ${error.message}\n`);
    if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('(run again with --verbose for the stack trace)\n');
}
