/**
 * A tiny HTML template helper: every interpolated value is escaped unless it is already
 * `SafeHtml`, so forgetting to escape a class name or a file path cannot inject markup.
 */

/** Markup that was produced by `html` (or by a trusted renderer such as vega) and must not be escaped again. */
export class SafeHtml {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

function renderInterpolation(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(renderInterpolation).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let markup = strings[0]!;
  values.forEach((value, position) => {
    markup += renderInterpolation(value) + strings[position + 1]!;
  });
  return new SafeHtml(markup);
}

/** Trusts markup from a renderer that escapes its own text (vega's SVG renderer does). */
export function trustedMarkup(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
