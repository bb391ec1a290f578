import fc from 'fast-check';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../src/errors.ts';
import { readModelMetadata } from '../../src/model/metadata.ts';
import { buildTinyClassifier } from '../../../test/helpers/fixtures/models.ts';

const { onnx } = onnxProto;

describe('readModelMetadata', () => {
  it('reads back any metadata_props that onnx-proto (protobufjs) wrote, around a real graph', () => {
    const graph = buildTinyClassifier({ inputShape: [null, 2, 2, 1], classCount: 2 }).bytes;
    const decoded = onnx.ModelProto.decode(graph);
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 300 }), { maxKeys: 6 }),
        (props) => {
          const model = onnx.ModelProto.create({
            ...decoded,
            metadataProps: Object.entries(props).map(([key, value]) => ({ key, value })),
          });
          const bytes = onnx.ModelProto.encode(model).finish();
          expect(Object.fromEntries(readModelMetadata(bytes, 'model'))).toEqual(props);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects every truncation that cuts into a field', () => {
    const bytes = buildTinyClassifier({ inputShape: [null, 2, 2, 1], classCount: 2, metadata: { 'tfjs_onnx.labels': '["x","y"]' } }).bytes;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: bytes.length - 1 }), (length) => {
        let error: unknown;
        try {
          readModelMetadata(bytes.subarray(0, length), 'model');
        } catch (e) {
          error = e;
        }
        // A cut exactly between two top-level fields leaves a shorter valid message: then the graph must be whole.
        if (error === undefined) expect(onnx.ModelProto.decode(bytes.subarray(0, length)).graph?.node?.length).toBe(4);
        else expect(error).toBeInstanceOf(ModelLoadError);
      }),
      { numRuns: 200 },
    );
  });

  it('says what is missing from protobuf that is not a model', () => {
    const notAModel = onnx.TensorProto.encode({ name: 'x', dims: [1] }).finish();
    expect(() => readModelMetadata(notAModel, 'x.onnx')).toThrow(
      /x.onnx is not an ONNX model: expected a ModelProto with ir_version and graph/,
    );
  });
});
