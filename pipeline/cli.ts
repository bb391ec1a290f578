import yargs, { type Argv } from 'yargs';
import { InvalidOptionError, UserError } from '../common/errors.ts';
import { projectVersion } from '../common/project.ts';
import { convertCommand } from './commands/convert.ts';
import { exportTritonCommand } from './commands/exportTriton.ts';
import { parityCommand } from './commands/parity.ts';
import { pipelineCommand } from './commands/pipeline.ts';
import { predictCommand } from './commands/predict.ts';
import { serveCommand } from './commands/serve.ts';
import { trainCommand } from './commands/train.ts';
import { describeYargsFailure, requireFlagValues, type CliCommand, type FlagContext } from './flags.ts';

/**
 * The `tfjs-onnx` command line: a thin yargs layer over the stages' library functions.
 * Each subcommand lives in pipeline/commands/ and is registered here. Command modules import
 * only yargs, option defaults and these helpers; their handlers load the library (tfjs,
 * onnxruntime, fastify, vega...) when the command runs, so --help answers at once.
 */
export const commands: CliCommand[] = [
  trainCommand,
  convertCommand,
  pipelineCommand,
  parityCommand,
  serveCommand,
  exportTritonCommand,
  predictCommand,
];

export function buildCli(argv: string[], context: FlagContext = { argv, aliases: {} }): Argv {
  let cli = yargs(argv)
    .scriptName('tfjs-onnx')
    .parserConfiguration({
      // Options are read by their --kebab-case names; camelCase copies would double every
      // "Unknown argument" message.
      'camel-case-expansion': false,
      // Numeric flags parse their own text (flags.ts), so "--epochs abc" can say 'abc', not NaN.
      'parse-numbers': false,
      'parse-positional-numbers': false,
    })
    .usage('$0 <command> [options]\n\nTrain with TensorFlow.js, export to ONNX, run with onnxruntime.')
    .option('verbose', { type: 'boolean', default: false, describe: 'Print stack traces and debug output' })
    .demandCommand(1, 'Name a command; see --help.')
    .recommendCommands()
    .strict()
    .help()
    .alias('h', 'help')
    .version(projectVersion())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false);
  for (const command of commands) {
    cli = cli.command({
      ...command,
      builder: (inner: Argv) => {
        command.builder(inner);
        return requireFlagValues(inner, command, context);
      },
    } as never);
  }
  return cli;
}

/**
 * Parses the arguments and runs the command; a problem the user can fix (a bad flag, a missing
 * file) rejects with a UserError whose message is the one line the CLI prints.
 */
export async function runCli(argv: string[]): Promise<void> {
  const context: FlagContext = { argv, aliases: {} };
  await buildCli(argv, context)
    .fail((message, error) => {
      // Errors thrown by handlers and checks arrive as `error`; yargs' own validation problems as
      // a message, or as a YError (its class for a flag without a value or a failed coerce).
      if (error && error.name !== 'YError') throw error;
      throw new InvalidOptionError(describeYargsFailure(error?.message ?? message, context));
    })
    .parseAsync();
}

/** Runs the CLI and returns the process exit code (0 ok, 1 handled error). */
export async function main(argv: string[]): Promise<number> {
  try {
    await runCli(argv);
    return 0;
  } catch (error) {
    reportError(error, argv.includes('--verbose'));
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
