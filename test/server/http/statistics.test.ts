/**
 * Dynamic batching over real HTTP, seen through the statistics extension and the Triton-named
 * metrics, which move by exactly the requests sent.
 */
import { describe, expect, it } from 'vitest';
import { expectError, getJson, metricValue, postJson } from '../helpers/client.ts';
import { expectClose, useHttpDigitsServer } from '../helpers/digitsServer.ts';
import { inferBody, predictDirectly, testImage } from '../helpers/fixtures.ts';

const served = useHttpDigitsServer();

async function metricsText(target = served.server): Promise<string> {
  const response = await fetch(`${target.url}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/text\/plain/);
  return response.text();
}

describe('dynamic batching, statistics and metrics', () => {
  it('merges concurrent requests, gives each caller its own rows, and counts exactly what was sent', async () => {
    const before = await metricsText();
    const statsBefore = (await getJson(`${served.server.url}/v2/models/digits/stats`)).body.model_stats[0];
    const images = Array.from({ length: 40 }, (_, i) => testImage(200 + i));
    const replies = await Promise.all(
      images.map((pixels, i) => postJson(served.inferUrl(), inferBody(served.classifier, [pixels], { id: `r${i}` }))),
    );
    const failed = await postJson(served.inferUrl(), {
      inputs: [{ name: served.classifier.inputName, shape: [1, 28, 28, 1], datatype: 'FP32', data: [1] }],
    });
    expect(failed.status).toBe(400);
    for (const [i, reply] of replies.entries()) {
      expect(reply.status).toBe(200);
      expect(reply.body.id).toBe(`r${i}`);
      expectClose(reply.body.outputs[0].data, await predictDirectly(served.classifier, [images[i]]));
    }
    const after = await metricsText();
    const delta = (name: string) =>
      metricValue(after, name, 'model="digits",version="1"') - metricValue(before, name, 'model="digits",version="1"');
    expect(delta('nv_inference_request_success')).toBe(40);
    expect(delta('nv_inference_count')).toBe(40);
    expect(delta('nv_inference_request_failure')).toBe(1);
    const executions = delta('nv_inference_exec_count');
    // Fewer runs than requests means some runs carried several requests' rows.
    expect(executions).toBeGreaterThan(0);
    expect(executions).toBeLessThan(40);
    expect(delta('nv_inference_request_duration_us')).toBeGreaterThan(0);
    expect(delta('nv_inference_compute_infer_duration_us')).toBeGreaterThan(0);
    expect(after).toMatch(/nv_inference_queue_duration_us\{model="digits",version="1"\}/);
    expect(after).toContain('# TYPE nv_inference_first_response_histogram_ms histogram');
    expect(
      metricValue(after, 'tfjs_onnx_batch_size_sum', 'model="digits"') - metricValue(before, 'tfjs_onnx_batch_size_sum', 'model="digits"'),
    ).toBe(40);
    expect(metricValue(after, 'tfjs_onnx_http_requests_total', 'route="/v2/models/:name/infer",status="200"')).toBeGreaterThan(0);

    const stats = (await getJson(`${served.server.url}/v2/models/digits/stats`)).body.model_stats[0];
    expect(stats).toMatchObject({ name: 'digits', version: '1' });
    expect(stats.inference_count - statsBefore.inference_count).toBe(40);
    expect(stats.execution_count - statsBefore.execution_count).toBe(executions);
    expect(stats.inference_stats.success.count - statsBefore.inference_stats.success.count).toBe(40);
    expect(stats.inference_stats.fail.count - statsBefore.inference_stats.fail.count).toBe(1);
    expect(stats.batch_stats.some((batch: { batch_size: number }) => batch.batch_size > 1)).toBe(true);
    expect((await getJson(`${served.server.url}/v2/models/digits/versions/1/stats`)).body.model_stats).toHaveLength(1);
    expect((await getJson(`${served.server.url}/v2/models/stats`)).body.model_stats.map((s: { name: string }) => s.name)).toEqual([
      'digits',
    ]);
    expectError(await getJson(`${served.server.url}/v2/models/nope/stats`), 404, /nope/);
  });
});
