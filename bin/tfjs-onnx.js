#!/usr/bin/env node
// The CLI runs the JavaScript that `npm run build` (run by `npm ci` through `prepare`, and by
// `npm test`) compiles from the TypeScript into dist/: starting it costs no compilation.
let cli;
try {
  cli = await import('../dist/pipeline/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('/dist/pipeline/cli.js')) throw error;
  process.stderr.write('error: the CLI is not built yet: run `npm run build` (npm ci does it too)\n');
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2));
