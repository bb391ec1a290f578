/**
 * Import rules `npm test` checks (dependency-cruiser): no cycles, and the stages' layering —
 * runtime/ is its own package and imports no other part; common/ imports only the runtime;
 * export/, server/ and training/ import only the runtime and common/; the pipeline (the CLI)
 * sits over them; the demo's page imports only the runtime, its build tools the pipeline's
 * defaults too; bench/ is on top; nothing imports the tests.
 */
const stage = (name, allowed) => ({
  name: `${name}-layering`,
  severity: 'error',
  comment: `${name}/ may import only ${allowed.join(', ')}`,
  from: { path: `^${name}/` },
  to: {
    dependencyTypesNot: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
    pathNot: [`^${name}/`, ...allowed.map((a) => `^${a}/`)],
  },
});

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'An import cycle makes a module depend on itself.', from: {}, to: { circular: true } },
    stage('runtime/src', []),
    {
      name: 'no-test-imports',
      severity: 'error',
      comment: 'Only tests import test code.',
      from: { pathNot: '^(test|runtime/test)/' },
      to: { path: '^(test|runtime/test)/' },
    },
    stage('common', ['runtime']),
    stage('export', ['runtime', 'common']),
    stage('server', ['runtime', 'common']),
    stage('training', ['runtime', 'common']),
    stage('demo/src', ['runtime']),
    stage('demo', ['runtime', 'common', 'pipeline']),
    stage('pipeline', ['runtime', 'common', 'export', 'server', 'training']),
    stage('bench', ['runtime', 'common', 'export', 'server', 'training', 'pipeline', 'demo']),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|artifacts)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'development'],
      extensions: ['.ts', '.js', '.mjs'],
    },
  },
};
