/**
 * The model repository: `serve --model-repository` reads back what export-triton wrote, serves
 * the versions the config's version_policy selects and routes /versions/{v}; the repository
 * extension (index, load, unload) in the three model control modes, while requests run.
 */
import { appendFileSync, copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '@tfjs-onnx/runtime';
import { startServer } from '../../../server/index.ts';
import { exportTriton } from '../../../server/triton.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import { getJson, postJson, type Reply } from '../helpers/client.ts';
import { CLASS_COUNT, DIGIT_LABELS, inferBody, makeTestModel, predictDirectly, testImage } from '../helpers/fixtures.ts';
import { call, callError, grpcClient } from '../helpers/grpcClient.ts';

let directory: string;
let first: { onnx: string; classifier: Classifier };
let second: { onnx: string; classifier: Classifier };

beforeAll(async () => {
  directory = tempDir('tfjs-onnx-repository-');
  const a = (await makeTestModel(directory, { name: 'first', seed: 3, labels: DIGIT_LABELS })).onnx;
  const b = (await makeTestModel(directory, { name: 'second', seed: 11, labels: DIGIT_LABELS })).onnx;
  first = { onnx: a, classifier: await loadClassifier(a) };
  second = { onnx: b, classifier: await loadClassifier(b) };
});
afterAll(async () => {
  await first?.classifier.dispose();
  await second?.classifier.dispose();
});

async function expectDigits(reply: Reply, classifier: Classifier, images: Uint8Array[]): Promise<void> {
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  const expected = await predictDirectly(classifier, images);
  (reply.body.outputs[0].data as number[]).forEach((value, i) => {
    expect(Math.abs(value - expected[i])).toBeLessThan(1e-5);
  });
}

/** A repository with model `mnist` as export-triton writes it (version 1 = the first model). */
async function exportedRepository(name: string): Promise<string> {
  const repository = path.join(directory, name);
  await exportTriton(first.onnx, repository, { name: 'mnist', maxBatchSize: 8 });
  return repository;
}

function addVersion(repository: string, version: number, onnx: string): void {
  mkdirSync(path.join(repository, 'mnist', String(version)), { recursive: true });
  copyFileSync(onnx, path.join(repository, 'mnist', String(version), 'model.onnx'));
}

describe('serve --model-repository', () => {
  it('serves what export-triton wrote, unchanged, with its labels and max_batch_size', async () => {
    const repository = await exportedRepository('round-trip');
    const server = await startServer({ modelRepository: repository, port: 0, grpcPort: false });
    try {
      expect(server.models).toEqual(['mnist']);
      const metadata = await getJson(`${server.url}/v2/models/mnist`);
      expect(metadata.body).toEqual({
        name: 'mnist',
        versions: ['1'],
        platform: 'onnxruntime_onnx',
        inputs: [{ name: first.classifier.inputName, datatype: 'FP32', shape: [-1, 28, 28, 1] }],
        outputs: [{ name: first.classifier.outputName, datatype: 'FP32', shape: [-1, CLASS_COUNT] }],
        parameters: { device: 'cpu', execution_provider: 'cpu', runtime: 'onnxruntime-node', placement: "device 'cpu' was asked for" },
      });
      const images = [testImage(1), testImage(2)];
      await expectDigits(
        await postJson(`${server.url}/v2/models/mnist/infer`, inferBody(first.classifier, images)),
        first.classifier,
        images,
      );
      // The labels come from the labels.txt export-triton wrote beside the config.
      const classified = await postJson(
        `${server.url}/v2/models/mnist/infer`,
        inferBody(first.classifier, [testImage(3)], {
          outputs: [{ name: first.classifier.outputName, parameters: { classification: 1 } }],
        }),
      );
      const [top] = await first.classifier.classify(testImage(3), { topK: 1 });
      expect(classified.body.outputs[0].data).toEqual([
        `${top.top[0].probability.toFixed(6)}:${top.top[0].index}:${DIGIT_LABELS[top.top[0].index]}`,
      ]);
      const tooMany = await postJson(
        `${server.url}/v2/models/mnist/infer`,
        inferBody(
          first.classifier,
          Array.from({ length: 9 }, (_, i) => testImage(i)),
        ),
      );
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error).toMatch(/batch size 9, more than model 'mnist' takes in one request \(max_batch_size 8\)/);
    } finally {
      await server.close();
    }
  });

  it('serves the versions the version_policy selects, each at /versions/{v}, the newest by default', async () => {
    const repository = await exportedRepository('versions');
    addVersion(repository, 2, second.onnx);
    const images = [testImage(20)];
    // Triton's default policy is the newest version only.
    let server = await startServer({ modelRepository: repository, port: 0, grpcPort: false });
    try {
      expect((await getJson(`${server.url}/v2/models/mnist`)).body.versions).toEqual(['2']);
      await expectDigits(
        await postJson(`${server.url}/v2/models/mnist/infer`, inferBody(second.classifier, images)),
        second.classifier,
        images,
      );
      expect((await postJson(`${server.url}/v2/models/mnist/versions/1/infer`, inferBody(first.classifier, images))).status).toBe(404);
    } finally {
      await server.close();
    }
    appendFileSync(path.join(repository, 'mnist', 'config.pbtxt'), 'version_policy: { all { } }\n');
    server = await startServer({ modelRepository: repository, port: 0, grpcPort: false });
    try {
      expect((await getJson(`${server.url}/v2/models/mnist`)).body.versions).toEqual(['1', '2']);
      await expectDigits(
        await postJson(`${server.url}/v2/models/mnist/versions/1/infer`, inferBody(first.classifier, images)),
        first.classifier,
        images,
      );
      await expectDigits(
        await postJson(`${server.url}/v2/models/mnist/versions/2/infer`, inferBody(second.classifier, images)),
        second.classifier,
        images,
      );
      await expectDigits(
        await postJson(`${server.url}/v2/models/mnist/infer`, inferBody(second.classifier, images)),
        second.classifier,
        images,
      );
      const stats = (await getJson(`${server.url}/v2/models/mnist/stats`)).body.model_stats;
      expect(stats.map((s: { version: string; inference_count: number }) => [s.version, s.inference_count])).toEqual([
        ['1', 1],
        ['2', 2],
      ]);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/nv_inference_count\{model="mnist",version="1"\} 1/);
      expect(metrics).toMatch(/nv_inference_count\{model="mnist",version="2"\} 2/);
    } finally {
      await server.close();
    }
  });

  it('refuses a repository model it cannot serve at start, naming the file and the problem', async () => {
    const repository = await exportedRepository('broken');
    writeFileSync(
      path.join(repository, 'mnist', 'config.pbtxt'),
      'name: "mnist"\nmax_batch_size: 8\ninput [ { name: "wrong" data_type: TYPE_FP32 dims: [ 28, 28, 1 ] } ]\n',
    );
    await expect(startServer({ modelRepository: repository, port: 0, grpcPort: false })).rejects.toThrow(
      /cannot load model 'mnist'.*config lists the inputs wrong, but the model's are/,
    );
    writeFileSync(path.join(repository, 'mnist', 'config.pbtxt'), 'max_batch_size: [\n');
    await expect(startServer({ modelRepository: repository, port: 0, grpcPort: false })).rejects.toThrow(/config\.pbtxt: line 2/);
    await expect(startServer({ modelRepository: path.join(directory, 'missing'), port: 0, grpcPort: false })).rejects.toThrow(
      /cannot read model repository/,
    );
    await expect(startServer({ modelPaths: [first.onnx], port: 0, grpcPort: false, modelControlMode: 'explicit' })).rejects.toThrow(
      /needs --model-repository/,
    );
  });
});

describe('the repository extension', () => {
  it('in explicit mode loads, reloads and unloads while requests run, losing none', async () => {
    const repository = await exportedRepository('explicit');
    const server = await startServer({ modelRepository: repository, modelControlMode: 'explicit', port: 0, grpcPort: false });
    const url = (route: string) => `${server.url}${route}`;
    try {
      expect(server.models).toEqual([]);
      expect((await postJson(url('/v2/repository/index'), {})).body).toEqual([
        { name: 'mnist', state: 'UNAVAILABLE', reason: 'not loaded (--model-control-mode explicit)' },
      ]);
      expect((await postJson(url('/v2/models/mnist/infer'), inferBody(first.classifier, [testImage(0)]))).status).toBe(404);
      expect((await postJson(url('/v2/repository/models/mnist/load'), '')).status).toBe(200);
      expect((await postJson(url('/v2/repository/index'), { ready: true })).body).toEqual([
        { name: 'mnist', version: '1', state: 'READY' },
      ]);

      // Requests keep coming while version 1 is replaced by version 2 (a reload) and then unloaded.
      addVersion(repository, 2, second.onnx);
      const images = Array.from({ length: 30 }, (_, i) => testImage(40 + i));
      const inFlight = images.map((pixels, i) =>
        new Promise<Reply>((resolve) => setTimeout(resolve, i * 5)).then(() =>
          postJson(url('/v2/models/mnist/infer'), inferBody(first.classifier, [pixels])),
        ),
      );
      const reload = postJson(url('/v2/repository/models/mnist/load'), '');
      const replies = await Promise.all(inFlight);
      expect((await reload).status).toBe(200);
      for (const [i, reply] of replies.entries()) {
        expect(reply.status).toBe(200);
        // Each reply is wholly one version's answer: the one named in it.
        await expectDigits(reply, reply.body.model_version === '1' ? first.classifier : second.classifier, [images[i]]);
      }
      expect((await getJson(url('/v2/models/mnist'))).body.versions).toEqual(['2']);

      const during = Array.from({ length: 10 }, (_, i) =>
        postJson(url('/v2/models/mnist/infer'), inferBody(second.classifier, [testImage(i)])),
      );
      const unload = await postJson(url('/v2/repository/models/mnist/unload'), '');
      expect(unload.status).toBe(200);
      for (const reply of await Promise.all(during)) expect([200, 404]).toContain(reply.status);
      const after = await postJson(url('/v2/models/mnist/infer'), inferBody(second.classifier, [testImage(0)]));
      expect(after.status).toBe(404);
      expect((await postJson(url('/v2/repository/index'), '')).body).toEqual([{ name: 'mnist', state: 'UNAVAILABLE', reason: 'unloaded' }]);
      const missing = await postJson(url('/v2/repository/models/nope/load'), '');
      expect(missing.status).toBe(400);
      expect(missing.body.error).toMatch(/failed to load 'nope'/);
    } finally {
      await server.close();
    }
  });

  it('in none mode refuses load and unload, over HTTP and gRPC alike', async () => {
    const repository = await exportedRepository('none');
    const server = await startServer({ modelRepository: repository, port: 0, grpcPort: 0 });
    try {
      const reply = await postJson(`${server.url}/v2/repository/models/mnist/unload`, '');
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatch(/explicit model unload is not allowed with --model-control-mode none/);
      const client = grpcClient(server.grpcAddress!, { keepCase: true, longs: Number, defaults: true });
      expect(await call(client, 'RepositoryIndex', {})).toEqual({ models: [{ name: 'mnist', version: '1', state: 'READY', reason: '' }] });
      const refused = await callError(client, 'RepositoryModelLoad', { model_name: 'mnist' });
      expect(refused.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(refused.details).toMatch(/not allowed with --model-control-mode none/);
      client.close();
    } finally {
      await server.close();
    }
  });

  it('in poll mode follows the repository: new models load, changed ones reload, removed ones unload', async () => {
    const repository = await exportedRepository('poll');
    const server = await startServer({
      modelRepository: repository,
      modelControlMode: 'poll',
      repositoryPollSecs: 1,
      port: 0,
      grpcPort: false,
    });
    const waitFor = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 100 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await check()).toBe(true);
    };
    try {
      cpSync(path.join(repository, 'mnist'), path.join(repository, 'copy'), { recursive: true });
      writeFileSync(
        path.join(repository, 'copy', 'config.pbtxt'),
        (await import('node:fs'))
          .readFileSync(path.join(repository, 'mnist', 'config.pbtxt'), 'utf8')
          .replace('name: "mnist"', 'name: "copy"'),
      );
      await waitFor(async () => (await getJson(`${server.url}/v2/models/copy/ready`)).status === 200);
      addVersion(repository, 2, second.onnx);
      await waitFor(async () => (await getJson(`${server.url}/v2/models/mnist`)).body.versions?.[0] === '2');
      await expectDigits(
        await postJson(`${server.url}/v2/models/mnist/infer`, inferBody(second.classifier, [testImage(5)])),
        second.classifier,
        [testImage(5)],
      );
      rmSync(path.join(repository, 'copy'), { recursive: true });
      await waitFor(async () => (await getJson(`${server.url}/v2/models/copy/ready`)).status === 404);
    } finally {
      await server.close();
    }
  });
});
