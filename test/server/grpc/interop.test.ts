/**
 * The gRPC front end against an independent client: Python's grpcio, with messages built from
 * protoc's descriptor of the .proto, so the wire format is checked to be the protocol's and not
 * merely self-consistent with our own client.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Classifier } from '@tfjs-onnx/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../server/index.ts';
import { float32Bytes } from '../helpers/client.ts';
import { useDigitsServer } from '../helpers/digitsServer.ts';
import { DIGIT_LABELS, normalizeBatch, testImage } from '../helpers/fixtures.ts';
import { protocDescriptor } from '../helpers/pythonClient.ts';

const served = useDigitsServer({ tempPrefix: 'tfjs-onnx-grpc-', serve: { grpcPort: 0 } });
let directory: string;
let classifier: Classifier;
let server: RunningServer;
beforeAll(() => {
  ({ directory, classifier, server } = served);
});

const pixelsInput = (images: Uint8Array[]): Float32Array => normalizeBatch(classifier, images);

describe('gRPC', () => {
  it('speaks the protocol to an independent client (Python grpcio with protoc’s descriptor of the .proto)', async () => {
    const python = '/usr/bin/python3';
    const descriptor = protocDescriptor(directory);
    const input = pixelsInput([testImage(5)]);
    const inputFile = path.join(directory, 'input.f32');
    writeFileSync(inputFile, float32Bytes(input));
    const script = `
import sys, struct, grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(open(sys.argv[1], 'rb').read())
pool = descriptor_pool.DescriptorPool()
for file in descriptor_set.file: pool.Add(file)
def message(name): return message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName('inference.' + name))
channel = grpc.insecure_channel(sys.argv[2])
def rpc(method, request_type, response_type, request):
    return channel.unary_unary('/inference.GRPCInferenceService/' + method, request_serializer=lambda m: m.SerializeToString(), response_deserializer=message(response_type).FromString)(request, timeout=20)
print('live', rpc('ServerLive', 'ServerLiveRequest', 'ServerLiveResponse', message('ServerLiveRequest')()).live)
request = message('ModelInferRequest')(model_name='digits', id='py')
tensor = request.inputs.add(); tensor.name = sys.argv[3]; tensor.datatype = 'FP32'; tensor.shape.extend([1, 28, 28, 1])
request.raw_input_contents.append(open(sys.argv[4], 'rb').read())
out = request.outputs.add(); out.name = sys.argv[5]; out.parameters['classification'].int64_param = 1
response = rpc('ModelInfer', 'ModelInferRequest', 'ModelInferResponse', request)
raw = response.raw_output_contents[0]
length = struct.unpack('<I', raw[:4])[0]
print('id', response.id, 'datatype', response.outputs[0].datatype, 'shape', list(response.outputs[0].shape), 'top', raw[4:4 + length].decode())
try:
    rpc('ModelMetadata', 'ModelMetadataRequest', 'ModelMetadataResponse', message('ModelMetadataRequest')(name='nope'))
except grpc.RpcError as error:
    print('error', error.code().name)
`;
    // Asynchronously: the server answering it runs in this process.
    const run = await promisify(execFile)(
      python,
      ['-c', script, descriptor, server.grpcAddress!, classifier.inputName, inputFile, classifier.outputName],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('live True');
    const [expected] = await classifier.classify(testImage(5), { topK: 1 });
    const best = expected.top[0];
    expect(lines[1]).toBe(`id py datatype BYTES shape [1, 1] top ${best.probability.toFixed(6)}:${best.index}:${DIGIT_LABELS[best.index]}`);
    expect(lines[2]).toBe('error NOT_FOUND');
  });
});
