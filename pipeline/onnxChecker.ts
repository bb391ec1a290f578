/**
 * The official ONNX checker (Python onnx's onnx.checker.check_model with full_check, which also
 * runs shape inference), run on the pipeline's models when Python onnx is installed (Debian's
 * python3-onnx). It is optional for the pipeline: without it the verify stage says it was skipped.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError } from '../common/errors.ts';

const run = promisify(execFile);

/** Debian's interpreter, where python3-onnx installs, rather than whatever python3 is first on PATH. */
const PYTHON = '/usr/bin/python3';

const SCRIPT = `
import sys
try:
    import onnx
except ImportError:
    print("unavailable")
    sys.exit(0)
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
    except Exception as error:
        print("rejected", path, str(error).replace("\\n", " "))
        sys.exit(0)
print("passed", onnx.__version__)
`;

export class OnnxCheckerError extends UserError {}

/** 'passed' (with the onnx version) when every file passes, 'unavailable' without Python onnx; throws on the first rejected file. */
export async function runOnnxChecker(files: readonly string[]): Promise<{ status: 'passed'; version: string } | { status: 'unavailable' }> {
  let stdout: string;
  try {
    ({ stdout } = await run(PYTHON, ['-c', SCRIPT, ...files]));
  } catch {
    return { status: 'unavailable' };
  }
  const [status, ...rest] = stdout.trim().split(' ');
  if (status === 'passed') return { status, version: rest[0] ?? '' };
  if (status === 'rejected') throw new OnnxCheckerError(`the ONNX checker rejected ${rest[0]}: ${rest.slice(1).join(' ')}`);
  return { status: 'unavailable' };
}
