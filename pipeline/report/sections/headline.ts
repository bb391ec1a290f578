/** The figures a reader wants first: how accurate is the model, and do the runtimes agree. */
import { formatCount, formatDecimal, formatPercent, formatSeconds } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import type { ReportInput } from '../types.ts';

type Tone = 'good' | 'bad' | 'neutral';

function headlineCard(label: string, value: string, detail: string, tone: Tone = 'neutral'): SafeHtml {
  return html`<div class="card tone-${tone}"><div class="card-label">${label}</div><div class="card-value">${value}</div><div class="card-detail">${detail}</div></div>`;
}

function parityCard(parity: ReportInput['parity']): SafeHtml {
  if (!parity) return headlineCard('Parity', 'not run', 'no runtime comparison in this run');
  const failing = parity.pairs.filter((pair) => !pair.passed).length;
  const detail =
    failing === 0 ? `${parity.pairs.length} runtime pairs agree` : `${failing} of ${parity.pairs.length} pairs out of tolerance`;
  return headlineCard('Parity', parity.passed ? 'passed' : 'failed', detail, parity.passed ? 'good' : 'bad');
}

function trainingCard({ history, summary }: ReportInput['metrics']): SafeHtml {
  if (history.length === 0) return headlineCard('Training', '–', 'no training history');
  const last = history[history.length - 1]!;
  const seconds = history.reduce((sum, record) => sum + record.seconds, 0);
  const validation = last.val_accuracy === undefined ? '' : ` · validation ${formatPercent(last.val_accuracy)}`;
  return headlineCard(
    'Epochs',
    String(history.length),
    `train accuracy ${formatPercent(last.accuracy)}${validation} · ${formatSeconds(seconds)} · ${formatCount(summary.totalParams)} parameters`,
  );
}

export function renderHeadline(input: ReportInput): SafeHtml {
  const testCount = input.confusion.flat().reduce((sum, count) => sum + count, 0);
  // The misclassified list is a sample for display; the confusion matrix has the full count.
  const errorCount = testCount - input.confusion.reduce((sum, row, index) => sum + row[index]!, 0);
  const cards = [
    headlineCard(
      'Test accuracy',
      formatPercent(input.metrics.test.accuracy),
      `on ${formatCount(testCount)} test images · loss ${formatDecimal(input.metrics.test.loss)}`,
    ),
    parityCard(input.parity),
    trainingCard(input.metrics),
    headlineCard('Test errors', formatCount(errorCount), `${input.metrics.dataset.classNames.length} classes`),
  ];
  if (input.stages && input.stages.length > 0) {
    const total = input.stages.reduce((sum, stage) => sum + stage.seconds, 0);
    cards.push(headlineCard('Pipeline', formatSeconds(total), `${input.stages.length} stages`));
  }
  return html`<section class="headline" aria-label="Summary">${cards}</section>`;
}
