/**
 * `npm test`'s first step (npm's `pretest`): makes sure the Debian packages the suite needs are
 * installed. Missing ones are installed with apt-get where it can (as root on Debian or Ubuntu, as
 * CI runs); elsewhere it prints the one command to run and exits 1, before any test starts.
 */
import { spawnSync } from 'node:child_process';
import { installCommand, missingSystemPackages } from '../helpers/systemPackages.ts';

function main(): number {
  const missing = missingSystemPackages();
  if (missing.length === 0) return 0;
  const names = missing.map((p) => p.name);
  const list = missing.map((p) => `  ${p.name}: ${p.neededBy}`).join('\n');
  const hasAptGet = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  const isRoot = process.getuid?.() === 0;
  if (!hasAptGet) {
    process.stderr.write(
      `The tests need these Debian packages, and this system has no apt-get:\n${list}\nInstall their equivalents, or run the tests on Debian or Ubuntu.\n`,
    );
    return 1;
  }
  if (!isRoot) {
    process.stderr.write(`The tests need these Debian packages:\n${list}\nInstall them with:\n  sudo sh -c '${installCommand(names)}'\n`);
    return 1;
  }
  process.stdout.write(`Installing the Debian packages the tests need: ${names.join(', ')}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...names],
  ]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (result.status !== 0) {
      process.stderr.write(`apt-get ${args[0]} failed (exit ${result.status}); run it yourself: ${installCommand(names)}\n`);
      return 1;
    }
  }
  const still = missingSystemPackages(missing);
  if (still.length > 0) {
    process.stderr.write(`installed, but still not usable: ${still.map((p) => p.name).join(', ')}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
