/**
 * The README's table of commands shows every command the binary has, each with its real synopsis:
 * its positionals in order (required or optional, one or many, as the command declares them), the
 * flags it requires, and only flags it has. Positional placeholders may say more than the yargs
 * name (`<model.json>` for `<model>`); everything else comes from the command modules.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { commands } from '../../pipeline/cli.ts';
import { commandPositionals, type CliCommand } from '../../pipeline/flags.ts';

const README = new URL('../../README.md', import.meta.url);
const START = '<!-- cli-commands';
const END = '<!-- /cli-commands -->';

/** Each row's first cell, unescaped: "convert <model.json> -o <model.onnx> [--opset N] …". */
async function readmeSynopses(): Promise<string[]> {
  const readme = await readFile(README, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  expect(start, `README has ${START}`).toBeGreaterThanOrEqual(0);
  expect(end, `README has ${END}`).toBeGreaterThan(start);
  const rows = readme
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('| `'));
  return rows.map((row) => row.match(/^\| `((?:[^`\\]|\\.)*)`/)![1]!.replace(/\\\|/g, '|'));
}

interface DeclaredOptions {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
  demandedOptions: Record<string, unknown>;
}

function optionsOf(command: CliCommand): DeclaredOptions {
  const cli = yargs([]);
  command.builder(cli);
  return (cli as unknown as { getOptions(): DeclaredOptions }).getOptions();
}

/** The placeholders before the first flag: `<x>` required, `[x]` optional, `...` many. */
function readmePositionals(rest: string[]): { required: boolean; variadic: boolean }[] {
  const end = rest.findIndex((token) => /^\[?-/.test(token));
  return rest
    .slice(0, end < 0 ? undefined : end)
    .map((token) => ({ required: token.startsWith('<'), variadic: /\.\.\.?[>\]]$/.test(token) }));
}

describe("README's command table", () => {
  it('lists every command of the binary once, in any order', async () => {
    const listed = (await readmeSynopses()).map((synopsis) => synopsis.split(' ')[0]);
    expect([...listed].sort()).toEqual(commands.map((command) => command.command.split(' ')[0]).sort());
  });

  it.each(commands.map((command) => [command.command.split(' ')[0]!, command] as const))(
    'shows %s with its real positionals, its required flags and only flags it has',
    async (name, command) => {
      const synopsis = (await readmeSynopses()).find((line) => line.split(' ')[0] === name)!;
      const [, ...rest] = synopsis.split(' ');
      expect(readmePositionals(rest), synopsis).toEqual(
        commandPositionals(command.command).map(({ required, variadic }) => ({ required, variadic })),
      );
      const options = optionsOf(command);
      const known = new Set([...Object.keys(options.key), ...Object.values(options.alias).flat()]);
      const shown = [...synopsis.matchAll(/(?:^|[\s[|])--?([a-z][\w-]*)/g)].map((match) => match[1]!);
      for (const flag of shown) expect(known.has(flag), `${synopsis}: ${name} has no option --${flag}`).toBe(true);
      for (const required of Object.keys(options.demandedOptions).filter(
        (key) => !commandPositionals(command.command).some((p) => p.name === key),
      )) {
        const spellings = [required, ...(options.alias[required] ?? [])];
        expect(
          shown.some((flag) => spellings.includes(flag)),
          `${synopsis} omits the required --${required}`,
        ).toBe(true);
      }
    },
  );
});
