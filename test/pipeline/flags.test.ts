/**
 * Flag parsing for every command (pipeline/flags.ts through the real CLI, in this process): a bad
 * flag is one line naming it, never NaN, never a silent default. None of these reach a handler,
 * so no library loads and the whole file takes about a second.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import yargs from 'yargs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidOptionError } from '../../common/errors.ts';
import { commands, runCli } from '../../pipeline/cli.ts';
import { commandPositionals, parseNumberFlag } from '../../pipeline/flags.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

afterEach(() => vi.restoreAllMocks());

/** The error the CLI would print after "error: ", or undefined if the arguments parse. */
async function cliError(args: string[]): Promise<string | undefined> {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await runCli(args);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return (error as Error).message;
  }
}

const TRITON = ['export-triton', 'm.onnx', '-o', 'repository'];
const PARITY = ['parity', '--tfjs', 'a.json', '--onnx', 'b.onnx'];

describe('tfjs-onnx flags', () => {
  it.each([
    // A missing positional names what is missing.
    [['convert'], 'name the model.json to convert (tfjs-onnx convert <model>)'],
    [['convert', ' ', '-o', 'm.onnx'], 'name the model.json to convert (tfjs-onnx convert <model>)'],
    [['predict', 'm.onnx'], 'name at least one PNG or JPEG image to classify (tfjs-onnx predict <model> <images..>)'],
    [['export-triton'], 'name the .onnx model to export (tfjs-onnx export-triton <model>)'],
    // A number flag reads the text as typed.
    [['train', '--epochs', 'abc'], "--epochs must be a whole number, got 'abc'"],
    [['train', '--batch-size', '2.5'], '--batch-size must be a whole number, got 2.5'],
    [['train', '--learning-rate', '0'], '--learning-rate must be above 0, got 0'],
    [['train', '--epochs', '3', '--epochs', '4'], '--epochs was given 2 times (3, 4); give it once'],
    [['convert', 'm.json', '-o', 'm.onnx', '--opset', '0x10'], "--opset must be a whole number, got '0x10'"],
    // A flag without its value is an error, not the default.
    [['train', '--epochs'], '--epochs needs a value'],
    [['train', '--epochs', '--quiet'], '--epochs needs a value'],
    [['predict', 'm.onnx', 'a.png', '--top-k'], '--top-k needs a value'],
    [[...TRITON, '--max-batch-size'], '--max-batch-size needs a value'],
    [['export-triton', 'm.onnx', '-o'], '-o/--output needs a value'],
    [['export-triton', 'm.onnx', '-o', ''], '-o/--output needs a value, got an empty one'],
    [[...PARITY, '--json'], '--json needs a value'],
    // Numbers are bounded to what works.
    [[...TRITON, '--max-batch-size', '1e20'], '--max-batch-size must be at most 2,147,483,647, got 1e20'],
    [[...PARITY, '--min-agreement', '-1'], '--min-agreement must be at least 0, got -1'],
    [[...PARITY, '--min-agreement', 'NaN'], "--min-agreement must be a number, got 'NaN'"],
    [[...PARITY, '--max-abs-diff', '2'], '--max-abs-diff must be at most 1, got 2'],
    [['serve', '--threads', '100000'], '--threads must be at most 256, got 100000'],
    [['serve', '--threads', '1e9'], '--threads must be at most 256, got 1e9'],
    [['serve', '--max-delay-ms', '1e9'], '--max-delay-ms must be at most 10,000, got 1e9'],
    [['serve', '--port', '-5'], '--port must be at least 0, got -5'],
    // yargs' own messages, as one line naming the flag.
    [
      ['predict', 'm.onnx', 'a.png', '--device', 'tpu'],
      "--device must be one of cpu, wasm, webgpu, cuda, dml, coreml, gpu, auto, got 'tpu'",
    ],
    [
      ['predict', 'm.onnx', 'a.png', '--backend', 'wasm'],
      '--backend is gone: --device says where the model runs (cpu runs onnxruntime-node, wasm onnxruntime-web; see --help)',
    ],
    [
      ['serve', 'm.onnx', '--backend', 'native'],
      '--backend is gone: --device says where the model runs (cpu runs onnxruntime-node, wasm onnxruntime-web; see --help)',
    ],
    [
      ['parity', '--tfjs', 'm.json', '--onnx', 'm.onnx', '--backend', 'cpu'],
      "--backend is now --tfjs-backend (tfjs's backend for the reference); --device lists the devices the ONNX model runs on",
    ],
    [['pipeline', '--from', 'nowhere'], "--from must be one of train, convert, verify, parity, package, report, got 'nowhere'"],
    [['parity'], '--tfjs and --onnx are required'],
    [['convert', 'm.json'], '-o/--output is required'],
    [['fly'], 'Unknown argument: fly'],
    [['trian'], "unknown command 'trian': did you mean train?"],
  ])('tfjs-onnx %j: %s', async (args, message) => {
    expect(await cliError(args)).toBe(message);
  });

  it('demands a value for every value flag of every command, including flags added later', async () => {
    let checked = 0;
    for (const command of commands) {
      const name = command.command.split(' ')[0]!;
      const positionals = commandPositionals(command.command)
        .filter((p) => p.required)
        .map(() => 'x');
      for (const flag of valueFlags(command)) {
        const message = await cliError([name, ...positionals, `${flag.length === 1 ? '-' : '--'}${flag}`]);
        expect(message, `${name} --${flag}`).toMatch(/^(-\w\/)?--[\w-]+ needs a value$/);
        expect(message).toContain(flag);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('declares no plain yargs number flag, which would read "abc" as NaN: numbers go through integerFlag/numberFlag', () => {
    for (const command of commands) expect(optionsOf(command).number, command.command).toEqual([]);
  });

  it('prints the package version for --version', async () => {
    let printed = '';
    vi.spyOn(console, 'log').mockImplementation((text: string) => {
      printed += text;
    });
    await runCli(['--version']);
    expect(printed).toBe((JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('parses exactly the decimal numbers within bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), (value) => {
        const parse = () => parseNumberFlag('n', String(value), { min: 0, max: 100 }, true);
        if (value >= 0 && value <= 100) expect(parse()).toBe(value);
        else expect(parse).toThrow(value < 0 ? /^--n must be at least 0, got -\d+$/ : /^--n must be at most 100, got \d+$/);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text));
        expect(() => parseNumberFlag('n', text, { min: -Infinity, max: Infinity }, false)).toThrow(`--n must be a number, got '${text}'`);
      }),
    );
    expect(parseNumberFlag('rate', '1e-3', { min: 0, above: true, max: 10 }, false)).toBe(0.001);
  });

  it("answers --help without loading any command's library (tfjs, onnxruntime, fastify, vega, protobufjs)", () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'tfjs-onnx-modules-'));
    try {
      for (const args of [['--help'], ...commands.map((command) => [command.command.split(' ')[0]!, '--help'])]) {
        const log = path.join(directory, `${args.join('-')}.log`);
        const run = spawnSync(
          process.execPath,
          ['--import', path.join(REPO_ROOT, 'test/helpers/recordModules.mjs'), path.join(REPO_ROOT, 'bin/tfjs-onnx.js'), ...args],
          {
            cwd: REPO_ROOT,
            encoding: 'utf8',
            env: { ...process.env, TFJS_ONNX_MODULE_LOG: log },
          },
        );
        expect(run.status, run.stderr).toBe(0);
        expect(run.stdout).toMatch(/Options:/);
        const loaded = readFileSync(log, 'utf8').split('\n');
        expect(
          loaded.some((url) => url.includes('/node_modules/yargs/')),
          'the log records modules',
        ).toBe(true);
        const heavy = loaded.filter((url) =>
          /node_modules\/(@tensorflow|onnxruntime|onnx-proto|protobufjs|fastify|vega|@tfjs-onnx|prom-client|pngjs|jpeg-js|webgpu)/.test(
            url,
          ),
        );
        expect(heavy, `tfjs-onnx ${args.join(' ')}`).toEqual([]);
        // Of the runtime, only its backend-free entries, which import nothing: the constants (the device
        // vocabulary of --device) and the errors (describeError, which every error message uses).
        const runtime = loaded.filter((url) => /\/runtime\/dist\//.test(url));
        expect(
          runtime.every((url) => /\/runtime\/dist\/(constants|errors)\.js$/.test(url)),
          `tfjs-onnx ${args.join(' ')}: ${runtime.join(', ')}`,
        ).toBe(true);
        if (args[0] === 'predict')
          expect(runtime.length, 'predict --help reads the device list from the constants entry').toBeGreaterThan(0);
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

interface YargsOptions {
  key: Record<string, unknown>;
  boolean: string[];
  count: string[];
  number: string[];
}

/** The options a command's builder declares, as yargs records them. */
function optionsOf(command: (typeof commands)[number]): YargsOptions {
  const cli = yargs([]);
  command.builder(cli);
  return (cli as unknown as { getOptions(): YargsOptions }).getOptions();
}

function valueFlags(command: (typeof commands)[number]): string[] {
  const options = optionsOf(command);
  const positionals = new Set(commandPositionals(command.command).map((p) => p.name));
  return Object.keys(options.key).filter(
    (key) => !positionals.has(key) && !options.boolean.includes(key) && !options.count.includes(key) && key !== 'help' && key !== 'version',
  );
}
