/**
 * Charts are vega-lite specs compiled and rendered to SVG at build time, in Node: the page then
 * needs no JavaScript and no network, and opens the same in every browser.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { formatDecimal, formatPercent } from './format.ts';
import { trustedMarkup, type SafeHtml } from './html.ts';
import type { EpochRecord } from './types.ts';

/** Same font stack as the page's CSS (no quotes: vega writes it into an attribute). */
export const CHART_FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';

const CHART_CONFIG = {
  font: CHART_FONT,
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, labelColor: '#333', titleColor: '#222', gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600 },
} as const;

/**
 * Renders a vega-lite spec to an SVG string. `idPrefix` makes the SVG's internal ids (legend
 * gradients, clip paths) unique: several inline SVGs share one HTML document, and vega numbers
 * them from 0 in every SVG, so without it one chart's legend would paint another's gradient.
 */
export async function renderVegaLiteToSvg(spec: TopLevelSpec, idPrefix: string): Promise<SafeHtml> {
  const compiled = compile({ ...spec, config: { ...CHART_CONFIG, ...spec.config } } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return trustedMarkup(namespaceSvgIds(dropNamespaceDeclarations(svg), idPrefix));
  } finally {
    view.finalize();
  }
}

/**
 * Inline SVG in HTML needs no xmlns declarations; dropping them keeps the page free of any
 * http(s) URL, which makes "this page loads nothing from the network" checkable by a grep.
 */
function dropNamespaceDeclarations(svg: string): string {
  return svg.replace(/^<svg([^>]*?) xmlns="[^"]*"/, '<svg$1').replace(/^<svg([^>]*?) xmlns:xlink="[^"]*"/, '<svg$1');
}

function namespaceSvgIds(svg: string, idPrefix: string): string {
  return svg
    .replace(/ id="([^"]+)"/g, ` id="${idPrefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${idPrefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${idPrefix}-$1"`);
}

/**
 * The curves' names say what was measured: "test" is the test set evaluated after each epoch
 * (the lecture's validation_data), "validation" the held-out split, present only when training used one.
 */
const SPLITS = [
  { split: 'train', color: '#1f77b4', figure: (record: EpochRecord, metric: CurveMetric) => record[metric] },
  {
    split: 'validation',
    color: '#ff7f0e',
    figure: (record: EpochRecord, metric: CurveMetric) => record[metric === 'loss' ? 'val_loss' : 'val_accuracy'],
  },
  {
    split: 'test',
    color: '#2ca02c',
    figure: (record: EpochRecord, metric: CurveMetric) => record[metric === 'loss' ? 'test_loss' : 'test_accuracy'],
  },
] as const;

type CurveMetric = 'loss' | 'accuracy';

/** The splits the history has figures for, in legend order. */
export function recordedSplits(history: EpochRecord[]): string[] {
  const hasValidation = history.some((record) => record.val_loss !== undefined);
  return SPLITS.map(({ split }) => split).filter((split) => split !== 'validation' || hasValidation);
}

interface CurveRow {
  epoch: number;
  split: string;
  value: number;
  /** The point's accessible label, formatted by the report's rules (no 100% short of 1). */
  label: string;
}

/** Long-form rows (epoch, split, value) for one metric; non-finite values (a diverged run) are left out rather than breaking the scale. */
function curveRows(history: EpochRecord[], metric: CurveMetric): CurveRow[] {
  const format = metric === 'accuracy' ? formatPercent : formatDecimal;
  return history.flatMap((record) =>
    SPLITS.flatMap(({ split, figure }) => {
      const value = figure(record, metric);
      return value !== undefined && Number.isFinite(value)
        ? [{ epoch: record.epoch, split, value, label: `epoch ${record.epoch}, ${split} ${metric}: ${format(value)}` }]
        : [];
    }),
  );
}

/** A line chart with points of one metric per epoch: train, validation (when held out) and test. */
export function trainingCurveSpec(history: EpochRecord[], metric: CurveMetric): TopLevelSpec {
  const encoding = {
    x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd', grid: false } },
    y: {
      field: 'value',
      type: 'quantitative',
      title: metric,
      scale: { zero: false, nice: true },
      axis: metric === 'accuracy' ? { format: '.1%' } : { format: '.3~f' },
    },
    color: {
      field: 'split',
      type: 'nominal',
      title: null,
      scale: splitColors(history),
      legend: { orient: 'top', direction: 'horizontal' },
    },
    description: { field: 'label', type: 'nominal' },
  };
  return {
    width: 380,
    height: 220,
    data: { values: curveRows(history, metric) },
    encoding,
    layer: [
      { name: 'lines', mark: { type: 'line', strokeWidth: 2 } },
      { name: 'points', mark: { type: 'point', filled: true, size: 45 } },
    ],
  } as TopLevelSpec;
}

function splitColors(history: EpochRecord[]): { domain: string[]; range: string[] } {
  const splits = recordedSplits(history);
  return { domain: splits, range: splits.map((name) => SPLITS.find(({ split }) => split === name)!.color) };
}

/**
 * Class names need not be unique in a label file, but they are the heatmap's axis domain:
 * repeat names get their index appended so no row or column collapses into another.
 */
export function distinctAxisLabels(labels: string[]): string[] {
  const seen = new Set<string>();
  return labels.map((label, index) => {
    const distinct = seen.has(label) ? `${label} (#${index})` : label;
    seen.add(distinct);
    return distinct;
  });
}

interface ConfusionCell {
  truth: string;
  predicted: string;
  count: number;
  /** Share of the true class's samples that landed in this cell (a row-normalised recall). */
  share: number;
  /** The cell's accessible label, formatted by the report's rules. */
  label: string;
}

function confusionCells(confusion: number[][], axisLabels: string[]): ConfusionCell[] {
  return confusion.flatMap((row, truthIndex) => {
    const rowTotal = row.reduce((sum, count) => sum + count, 0);
    return row.map((count, predictedIndex) => {
      const share = rowTotal > 0 ? count / rowTotal : 0;
      const [truth, predicted] = [axisLabels[truthIndex]!, axisLabels[predictedIndex]!];
      return {
        truth,
        predicted,
        count,
        share,
        label: `true ${truth}, predicted ${predicted}: ${count} images, ${formatPercent(share)} of true ${truth}`,
      };
    });
  });
}

/** Cell size shrinks with the number of classes so the matrix stays about 440 px wide (smaller only for a handful of classes). */
function confusionCellSize(classCount: number): number {
  return Math.max(12, Math.min(64, Math.floor(440 / classCount)));
}

/**
 * The confusion matrix as a heatmap with counts in the cells. Colour encodes the share of each
 * true class (not the raw count) on a square-root scale, so a 1 % confusion is still visible
 * next to a 99 % diagonal and classes of different sizes compare fairly.
 */
export function confusionMatrixSpec(confusion: number[][], labels: string[]): TopLevelSpec {
  const axisLabels = distinctAxisLabels(labels);
  const cellSize = confusionCellSize(labels.length);
  const countFontSize = Math.max(7, Math.min(12, Math.round(cellSize * 0.3)));
  const longestLabel = Math.max(...axisLabels.map((label) => label.length));
  const position = {
    x: {
      field: 'predicted',
      type: 'nominal',
      title: 'predicted',
      scale: { domain: axisLabels },
      axis: { orient: 'top', labelAngle: longestLabel > 2 ? -45 : 0, labelLimit: 140, domain: false, ticks: false },
    },
    y: {
      field: 'truth',
      type: 'nominal',
      title: 'true',
      scale: { domain: axisLabels },
      axis: { labelLimit: 140, domain: false, ticks: false },
    },
  };
  return {
    width: cellSize * labels.length,
    height: cellSize * labels.length,
    data: { values: confusionCells(confusion, axisLabels) },
    encoding: { ...position, description: { field: 'label', type: 'nominal' } },
    layer: [
      {
        name: 'cells',
        mark: { type: 'rect', stroke: 'white', strokeWidth: cellSize > 16 ? 1 : 0.5 },
        encoding: {
          color: {
            field: 'share',
            type: 'quantitative',
            title: 'share of true class',
            // Starts at near-white so an empty cell is told apart from a cell with a few confusions;
            // the middle stop keeps a 10–20 % confusion clearly blue rather than grey.
            scale: { type: 'sqrt', domain: [0, 0.2, 1], range: ['#f6f9fc', '#74a9cf', '#084081'], interpolate: 'rgb' },
            // The square-root scale squeezes high shares together; these ticks spread evenly along it.
            // Below the matrix rather than beside it, so the per-class table fits next to the chart.
            legend: {
              orient: 'bottom',
              direction: 'horizontal',
              format: '.0%',
              values: [0, 0.05, 0.25, 0.5, 1],
              titleLimit: 240,
              gradientLength: Math.max(160, Math.min(300, cellSize * labels.length)),
            },
          },
        },
      },
      {
        name: 'counts',
        mark: { type: 'text', fontSize: countFontSize },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          // Counts of zero fade out so the eye finds the real confusions; dark cells get white text.
          color: {
            condition: [
              { test: 'datum.count === 0', value: '#cdd3da' },
              { test: 'datum.share > 0.45', value: 'white' },
            ],
            value: '#1d2733',
          },
          opacity: { value: cellSize >= 18 ? 1 : 0 },
        },
      },
    ],
  } as TopLevelSpec;
}
