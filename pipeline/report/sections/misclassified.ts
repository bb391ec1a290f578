import { formatPercent } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { displayScale, encodePngDataUri } from '../images.ts';
import type { ReportSection } from '../section.ts';
import type { MisclassifiedImage } from '../types.ts';

/** More images than this make the page long without teaching anything new. */
export const MAX_MISCLASSIFIED_SHOWN = 48;

function renderTile(image: MisclassifiedImage): SafeHtml {
  const scale = displayScale(image.height, image.width);
  const description = `test image #${image.index}: true ${image.trueLabel}, predicted ${image.predictedLabel} with probability ${formatPercent(image.probability, 1)}`;
  return html`<figure class="tile" title="${description}">
<img src="${encodePngDataUri(image)}" width="${image.width * scale}" height="${image.height * scale}" alt="${description}">
<figcaption><span class="tile-true">${image.trueLabel}</span> → <span class="tile-predicted">${image.predictedLabel}</span><br><span class="muted">${formatPercent(image.probability, 1)} · #${image.index}</span></figcaption>
</figure>`;
}

function renderMisclassified(images: MisclassifiedImage[], predictedBy: string): SafeHtml {
  // The most confident mistakes teach the most about the model, so they come first.
  const shown = [...images].sort((a, b) => b.probability - a.probability).slice(0, MAX_MISCLASSIFIED_SHOWN);
  const intro =
    images.length === 0
      ? 'No misclassified test images were passed to the report.'
      : `${shown.length === images.length ? `All ${images.length}` : `${shown.length} of ${images.length}`} test images that ${predictedBy} misclassified, the most confident mistakes first: true label → predicted label, the model's probability for its (wrong) prediction, and the test-set index.`;
  return html`<p class="muted">${intro}</p>
<div class="tiles">${shown.map(renderTile)}</div>`;
}

export const misclassifiedSection: ReportSection = {
  id: 'misclassified',
  title: 'Misclassified test images',
  render: ({ misclassified, predictedBy }) => ({ body: renderMisclassified(misclassified, predictedBy) }),
};
