/** The GraphModels section's tables: convertModel() seconds, then images/s of tfjs-converter against onnxruntime. */
import { failed, formatSpread, type Table } from '../../report/table.ts';
import type { SectionRun } from '../definition.ts';
import type { GraphModelsData } from './measure.ts';

export function graphModelTables(run: SectionRun<GraphModelsData>): Table[] {
  const conversion: Table = {
    title: 'GraphModels from npm: conversion (convertModel, seconds)',
    header: ['model', 'TF nodes', 'ONNX nodes', 'ONNX MB', 'seconds', 'reps'],
    rows: [],
    notes: [],
  };
  const inference: Table = {
    title: 'GraphModels from npm: images/s, tfjs-converter execute vs onnxruntime',
    header: ['model', 'path', 'batch', 'images/s', '× tfjs'],
    rows: [],
    notes: [],
  };
  if (!run.data) return [failed(conversion, run)];
  const engines = new Map<string, string>();
  for (const row of run.data.rows) {
    conversion.rows.push([
      row.model,
      String(row.tfNodes),
      String(row.onnxNodes),
      (row.onnxBytes / 2 ** 20).toFixed(2),
      formatSpread(row.conversionSeconds),
      String(row.conversionSeconds.repetitions),
    ]);
    conversion.notes.push(`${row.model}: ${row.architecture}.`);
    for (const point of row.throughput) {
      engines.set(point.path, point.engine);
      inference.rows.push([
        row.model,
        point.path,
        String(point.batch),
        formatSpread(point.imagesPerSecond),
        point.path === 'tfjs' ? '1' : formatSpread(point.speedupOverTfjs),
      ]);
    }
  }
  conversion.notes.unshift(
    `Models shipped in ${run.data.source}; first conversion of each is an untimed warm-up. Figures: median (min–max).`,
  );
  inference.notes.push(
    `Paths: ${[...engines].map(([path, engine]) => `${path} = ${engine}`).join('; ')}. Batch ${run.data.batchSizes.join(' and ')}; models whose graph fixes batch 1 are measured at batch 1 only.`,
  );
  inference.notes.push('Seeded random inputs; each repetition times the three paths back to back, × tfjs is paired per repetition.');
  return [conversion, inference];
}
