/**
 * The Debian packages the test suite needs beyond `npm ci`, each with what needs it and how to
 * tell it is there. One list serves two places: `npm test` installs what is missing before the
 * suite starts (test/setup/systemPackages.ts), and a test that needs one calls
 * `requireSystemPackage`, which fails naming the package instead of letting the test skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface SystemPackage {
  /** The Debian package name. */
  name: string;
  /** What in the suite needs it. */
  neededBy: string;
  /** Whether it is usable here; checked by what the tests use, not by dpkg, so it works off Debian too. */
  present: () => boolean;
}

/** Where Debian's chromium package puts the browser the tests drive through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/** Debian's interpreter, where python3-* packages install, rather than whatever python3 is first on PATH. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

const pythonImports = (module: string) => () => spawnSync(DEBIAN_PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
const onPath = (command: string) => () => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
const fileExists = (file: string) => () => existsSync(file);
/** The Vulkan loader, wherever the architecture's library folder is (the dynamic linker's cache lists it). */
const vulkanLoader = () => spawnSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' }).stdout?.includes('libvulkan.so.1') ?? false;

export const SYSTEM_PACKAGES: readonly SystemPackage[] = [
  { name: 'python3-onnx', neededBy: 'the official ONNX checker the export tests run on every model', present: pythonImports('onnx') },
  {
    name: 'chromium',
    neededBy:
      'the report, browser demo and runtime browser tests (headless, via playwright-core), and SwiftShader, the software Vulkan driver the WebGPU tests run on',
    present: fileExists(CHROMIUM),
  },
  {
    name: 'libvulkan1',
    neededBy: "the WebGPU tests: the Vulkan loader through which onnxruntime-node's WebGPU provider (Dawn) reaches SwiftShader",
    present: vulkanLoader,
  },
  {
    name: 'dataset-fashion-mnist',
    neededBy: 'the --dataset fashion-mnist training tests',
    present: fileExists('/usr/share/datasets/fashion-mnist'),
  },
  { name: 'python3-grpcio', neededBy: 'the independent gRPC client of the server tests', present: pythonImports('grpc') },
  { name: 'python3-protobuf', neededBy: 'the independent gRPC client of the server tests', present: pythonImports('google.protobuf') },
  { name: 'protobuf-compiler', neededBy: 'the descriptor the independent gRPC client reads (protoc)', present: onPath('protoc') },
  {
    name: 'libonnx-testdata',
    neededBy: 'the official ONNX backend test data the server serves through every encoding',
    present: fileExists('/usr/share/libonnx-testdata/data/node'),
  },
];

export function missingSystemPackages(packages: readonly SystemPackage[] = SYSTEM_PACKAGES): SystemPackage[] {
  return packages.filter((p) => !p.present());
}

/** The one command that installs the given packages on Debian or Ubuntu. */
export function installCommand(names: readonly string[]): string {
  return `apt-get update && apt-get install -y --no-install-recommends ${names.join(' ')}`;
}

/**
 * For a test that cannot run without a package: throws, naming it and the command that installs it.
 * Never a skip: a suite that passes because its browser was missing proves nothing.
 */
export function requireSystemPackage(name: string): void {
  const known = SYSTEM_PACKAGES.find((p) => p.name === name);
  if (!known) throw new Error(`requireSystemPackage: '${name}' is not in SYSTEM_PACKAGES (test/helpers/systemPackages.ts)`);
  if (!known.present()) {
    throw new Error(`the Debian package ${name} is missing (needed by ${known.neededBy}); install it with: ${installCommand([name])}`);
  }
}
