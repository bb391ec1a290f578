/**
 * Files the server ships beside its code but that are not TypeScript (the gRPC .proto, the image
 * worker): found next to the module, or, when the module runs from a compiled copy elsewhere (a
 * dist/ tree), at the same place under the first ancestor folder that has them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** `relative` is a path from the repository root, e.g. 'server/grpc/grpc_service.proto'. */
export function serverAsset(relative: string): string {
  for (let directory = HERE; ; directory = path.dirname(directory)) {
    const candidate = path.join(directory, relative);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(directory) === directory) throw new Error(`the server's ${relative} is missing from this installation`);
  }
}
