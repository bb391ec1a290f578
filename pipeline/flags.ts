/**
 * Command-line flag parsing shared by every command, so a value is either what the user meant or
 * one clear error naming the flag — never NaN, never a silent default.
 *
 * - integerFlag / numberFlag: numeric flags, parsed from the text as typed (so "--epochs abc" says
 *   'abc', not NaN) and bounded to a sane range.
 * - requireFlagValues (applied to every command by cli.ts): a flag that takes a value must be
 *   given one ("--top-k" alone, "-o" followed by another flag) and a non-empty one ("-o ''").
 * - describeYargsFailure: yargs' own messages (missing positional, missing value, invalid choice,
 *   missing required flag) rewritten as one line that names the flag.
 */
import type { Argv, Options } from 'yargs';
import { DEFAULT_DEVICE, DEVICES, type Device } from '@tfjs-onnx/runtime/constants';
import { InvalidOptionError } from '../common/errors.ts';

/** A yargs command module as cli.ts registers it, with what to say when a positional is missing. */
export interface CliCommand {
  /** yargs' command string: name and positionals, 'convert <model>'. */
  command: string;
  describe: string;
  /** Per positional name: the message when it is missing or empty ("name the model.json to convert"). */
  missing?: Record<string, string>;
  /** Declares the flags; loads nothing heavy (--help runs it). */
  builder: (cli: Argv) => unknown;
  /**
   * Runs the command: `await import()`s the library function it calls. Each command's handler takes
   * the arguments its own builder declares, so the common type takes `never` (any handler fits);
   * yargs passes each handler the arguments its builder parsed.
   */
  handler: (args: never) => void | Promise<void>;
}

interface NumberBounds {
  /** Smallest allowed value (inclusive unless `above` is set). */
  min: number;
  /** Largest allowed value, inclusive. */
  max: number;
  /** The value must be strictly greater than `min` (e.g. a learning rate above 0). */
  above?: boolean;
  /** The value must be strictly less than `max` (e.g. a fraction below 1). */
  below?: boolean;
}

export interface NumberFlagSpec extends NumberBounds {
  describe: string;
  default?: number;
  /** Shown in --help instead of the default's value. */
  defaultDescription?: string;
  /** Demand the flag (yargs' "required"). */
  demandOption?: boolean;
}

/** The yargs options of a numeric flag; typed so argv's value is `number`, or `number | undefined` without a default. */
type NumberFlagOptions<S extends NumberFlagSpec> = Options & { coerce: (value: unknown) => number } & (S extends { default: number }
    ? { default: number }
    : unknown) &
  (S extends { demandOption: true } ? { demandOption: true } : unknown);

/** `.option(...integerFlag('epochs', { min: 1, max: 10_000, default: 5, describe }))`: a whole number within bounds. */
export function integerFlag<K extends string, S extends NumberFlagSpec>(name: K, spec: S): [K, NumberFlagOptions<S>] {
  return [name, numericOptions(name, spec, true)];
}

/** `.option(...numberFlag('min-agreement', { min: 0, max: 1, default: 1, describe }))`: a finite decimal within bounds. */
export function numberFlag<K extends string, S extends NumberFlagSpec>(name: K, spec: S): [K, NumberFlagOptions<S>] {
  return [name, numericOptions(name, spec, false)];
}

function numericOptions<S extends NumberFlagSpec>(name: string, spec: S, whole: boolean): NumberFlagOptions<S> {
  const { describe, min, max, above, below, ...rest } = spec;
  const range =
    above || below
      ? `${above ? 'above' : 'at least'} ${formatNumber(min)}, ${below ? 'below' : 'at most'} ${formatNumber(max)}`
      : `${formatNumber(min)}–${formatNumber(max)}`;
  // No yargs `type`: yargs would turn "abc" into NaN before we see it. The text reaches
  // parseNumberFlag as typed (cli.ts turns yargs' number parsing off).
  return {
    ...rest,
    describe: `${describe} (${whole ? 'whole number, ' : ''}${range})`,
    requiresArg: true,
    coerce: (value: unknown) => parseNumberFlag(name, value, { min, max, above, below }, whole),
  } as NumberFlagOptions<S>;
}

/** The value of a numeric flag, or an InvalidOptionError naming the flag and the text given. */
export function parseNumberFlag(name: string, value: unknown, bounds: NumberBounds, whole: boolean): number {
  const flag = `--${name}`;
  const kind = whole ? 'a whole number' : 'a number';
  if (Array.isArray(value)) throw new InvalidOptionError(`${flag} was given ${value.length} times (${value.join(', ')}); give it once`);
  const text = String(value);
  // A plain decimal literal only: Number() would also take '', ' ', '0x1f', 'Infinity' and '1_0'.
  const parsed = typeof value === 'number' ? value : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(parsed)) throw new InvalidOptionError(`${flag} must be ${kind}, got '${text}'`);
  if (whole && !Number.isInteger(parsed)) throw new InvalidOptionError(`${flag} must be ${kind}, got ${text}`);
  if (bounds.above ? parsed <= bounds.min : parsed < bounds.min) {
    throw new InvalidOptionError(`${flag} must be ${bounds.above ? 'above' : 'at least'} ${formatNumber(bounds.min)}, got ${text}`);
  }
  if (bounds.below ? parsed >= bounds.max : parsed > bounds.max) {
    throw new InvalidOptionError(`${flag} must be ${bounds.below ? 'below' : 'at most'} ${formatNumber(bounds.max)}, got ${text}`);
  }
  return parsed;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) && Math.abs(value) >= 10_000 ? value.toLocaleString('en-US') : String(value);
}

/** The positional names in a command string, in order: 'predict <model> <images..>' → model (required), images (required). */
export function commandPositionals(command: string): { name: string; required: boolean; variadic: boolean }[] {
  return [...command.matchAll(/([<[])([^>\]]+?)(\.\.)?[>\]]/g)].map((match) => ({
    name: match[2]!.split('|')[0]!,
    required: match[1] === '<',
    variadic: match[3] === '..',
  }));
}

/** What cli.ts learns about the command that runs, to name flags in yargs' messages. */
export interface FlagContext {
  /** The arguments as given. */
  argv: string[];
  command?: CliCommand;
  /** Every name a flag goes by, its aliases included: output → ['o']. */
  aliases: Record<string, string[]>;
}

/** A flag as the user may have typed it: "-o/--output". */
export function flagLabel(key: string, context: FlagContext): string {
  const canonical = Object.entries(context.aliases).find(([name, aliases]) => name === key || aliases.includes(key))?.[0] ?? key;
  const names = [canonical, ...(context.aliases[canonical] ?? [])];
  return names
    .sort((a, b) => a.length - b.length)
    .map((name) => (name.length === 1 ? `-${name}` : `--${name}`))
    .join('/');
}

/**
 * Makes every value-taking flag of a command demand its value, and refuses empty values, so that
 * "--top-k" alone or "-o ''" is an error instead of the default or the current directory.
 * Called by cli.ts after each command's own builder, so flags added later are covered too.
 */
export function requireFlagValues(cli: Argv, command: CliCommand, context: FlagContext): Argv {
  const options = (cli as unknown as { getOptions(): unknown }).getOptions() as {
    key: Record<string, unknown>;
    boolean: string[];
    count: string[];
    narg: Record<string, number>;
    string: string[];
    alias: Record<string, string[]>;
  };
  const positionals = commandPositionals(command.command);
  const positionalNames = new Set(positionals.map((p) => p.name));
  const valueFlags = Object.keys(options.key).filter(
    (key) =>
      !positionalNames.has(key) && !options.boolean.includes(key) && !options.count.includes(key) && key !== 'help' && key !== 'version',
  );
  for (const key of valueFlags) if (options.narg[key] === undefined) cli.requiresArg(key);
  context.command = command;
  Object.assign(context.aliases, options.alias);
  return cli.check((argv) => {
    for (const positional of positionals) {
      const values = ([] as unknown[]).concat(argv[positional.name] ?? []);
      if (values.some(isBlank)) throw new InvalidOptionError(missingPositionalMessage(command, positional.name, 'is empty'));
    }
    for (const key of valueFlags) {
      const values = ([] as unknown[]).concat(argv[key] ?? []);
      if (values.some(isBlank)) throw new InvalidOptionError(`${flagLabel(key, context)} needs a value, got an empty one`);
    }
    return true;
  });
}

function isBlank(value: unknown): boolean {
  return typeof value === 'string' && value.trim() === '';
}

/** predict, serve and parity once took --backend; say what replaced it rather than "Unknown argument". */
function removedBackendFlag(context: FlagContext): string {
  if (context.command?.command.startsWith('parity'))
    return "--backend is now --tfjs-backend (tfjs's backend for the reference); --device lists the devices the ONNX model runs on";
  return '--backend is gone: --device says where the model runs (cpu runs onnxruntime-node, wasm onnxruntime-web; see --help)';
}

function missingPositionalMessage(command: CliCommand, name: string, problem: 'is missing' | 'is empty'): string {
  const usage = `tfjs-onnx ${command.command}`;
  const message = command.missing?.[name];
  return message ? `${message} (${usage})` : `<${name}> ${problem} (${usage})`;
}

/** yargs' own failure messages as one line naming the flag or positional; other messages pass through, joined into one line. */
export function describeYargsFailure(message: string, context: FlagContext): string {
  const notEnoughPositionals = /^Not enough non-option arguments: got (\d+), need at least \d+/.exec(message);
  if (notEnoughPositionals && context.command) {
    const required = commandPositionals(context.command.command).filter((p) => p.required);
    const missing = required[Number(notEnoughPositionals[1])];
    if (missing) return missingPositionalMessage(context.command, missing.name, 'is missing');
  }
  const suggestion = /^Did you mean (.+)\?$/.exec(message);
  if (suggestion) {
    const typed = context.argv.find((argument) => !argument.startsWith('-'));
    return `unknown command${typed ? ` '${typed}'` : ''}: did you mean ${suggestion[1]}?`;
  }
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (unknown && unknown[1]!.split(', ').includes('backend')) return removedBackendFlag(context);
  const noValue = /^Not enough arguments following: (.+)$/.exec(message);
  if (noValue) return `${flagLabel(noValue[1]!, context)} needs a value`;
  const required = /^Missing required arguments?: (.+)$/m.exec(message);
  if (required) {
    const flags = required[1]!.split(', ').map((key) => flagLabel(key, context));
    return `${flags.join(' and ')} ${flags.length === 1 ? 'is' : 'are'} required`;
  }
  if (message.startsWith('Invalid values:')) {
    const problems = [...message.matchAll(/Argument: (.+?), Given: (.+?), Choices: (.+)/g)].map(
      ([, key, given, choices]) => `${flagLabel(key!, context)} must be one of ${unquote(choices!)}, got '${unquote(given!)}'`,
    );
    if (problems.length > 0) return problems.join('; ');
  }
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}

function unquote(choices: string): string {
  return choices.replace(/"([^"]*)"/g, '$1');
}

/**
 * The `--device` flag of predict and serve: the runtime's one device vocabulary, read from its
 * backend-free constants entry, so --help loads no onnxruntime.
 */
export function deviceFlag(describe: string, defaultDevice: Device = DEFAULT_DEVICE) {
  return [
    'device',
    {
      choices: DEVICES,
      default: defaultDevice,
      describe: `${describe}: cpu (onnxruntime-node's CPU), wasm (onnxruntime-web), webgpu (onnxruntime-node's WebGPU: Dawn over Vulkan, D3D12 or Metal), cuda, dml, coreml, gpu (the first GPU provider that works, never a software adapter) or auto (gpu, else cpu)`,
    },
  ] as const;
}
