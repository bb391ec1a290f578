/** Reading a rendered report page in the tests: its charts' SVG marks, tables, sections and images. */
import { PNG } from 'pngjs';
import { expect } from 'vitest';

/** The `<figure data-chart="…">`'s SVG, or the test fails saying which chart is missing. */
export function chartSvg(page: string, chart: string): string {
  const match = new RegExp(`<figure class="chart" data-chart="${chart}">[\\s\\S]*?(<svg[\\s\\S]*?</svg>)`).exec(page);
  expect(match, `chart ${chart} is in the page`).not.toBeNull();
  return match![1]!;
}

/** Paths or texts of one named vega mark group ("cells_marks", "points_marks", …). */
export function markItems(svg: string, markName: string, element: 'path' | 'text'): string[] {
  const group = new RegExp(`<g class="mark-[a-z]+ role-mark ${markName}"[^>]*>([\\s\\S]*?)</g>`).exec(svg);
  expect(group, `mark group ${markName}`).not.toBeNull();
  return [...group![1]!.matchAll(new RegExp(`<${element}[^>]*>([^<]*)`, 'g'))].map((item) => item[1]!);
}

export function axisTitles(svg: string): string[] {
  return [...svg.matchAll(/<g class="mark-text role-axis-title"[^>]*><text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]!);
}

export function imageSources(page: string): string[] {
  return [...page.matchAll(/<img src="([^"]+)"/g)].map((match) => match[1]!);
}

export function decodePngDataUri(uri: string): PNG {
  expect(uri.startsWith('data:image/png;base64,')).toBe(true);
  return PNG.sync.read(Buffer.from(uri.slice('data:image/png;base64,'.length), 'base64'));
}

/** The rows of a table body or foot whose rows carry `data-<attribute>`, as arrays of cell texts. */
export function tableRows(page: string, attribute: string): Map<string, string[]> {
  const rows = [...page.matchAll(new RegExp(`<tr data-${attribute}="([^"]*)"[^>]*>([\\s\\S]*?)</tr>`, 'g'))];
  return new Map(
    rows.map((row) => [row[1]!, [...row[2]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, ''))]),
  );
}

export function sectionHtml(page: string, id: string): string {
  const match = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(page);
  expect(match, `section ${id} is on the page`).not.toBeNull();
  return match![1]!;
}
