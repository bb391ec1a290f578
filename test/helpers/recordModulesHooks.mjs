import { appendFileSync } from 'node:fs';

/** Module resolve hook: records each resolved URL, then resolves as usual. */
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (process.env.TFJS_ONNX_MODULE_LOG) appendFileSync(process.env.TFJS_ONNX_MODULE_LOG, `${resolved.url}\n`);
  return resolved;
}
