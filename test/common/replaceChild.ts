/**
 * Child process for the kill tests: replaces DIR's pair (tfjs/ folder, metrics.json) with one
 * labelled LABEL, through replaceTogether. TFJS_ONNX_TEST_KILL_AT makes it kill itself mid-way.
 *
 *   node --import tsx test/common/replaceChild.ts DIR LABEL
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { replaceTogether } from '../../common/replaceTogether.ts';

const [directory, label] = process.argv.slice(2);
await replaceTogether(directory, [
  {
    name: 'tfjs',
    kind: 'directory',
    write: async (target) => {
      await fs.mkdir(target);
      await fs.writeFile(path.join(target, 'group1-shard1of1.bin'), `weights ${label}`);
      await fs.writeFile(path.join(target, 'model.json'), JSON.stringify({ label }));
    },
  },
  { name: 'metrics.json', kind: 'file', write: (target) => fs.writeFile(target, JSON.stringify({ label })) },
]);
