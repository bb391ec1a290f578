/**
 * A report section is one module that turns the report's input into one titled part of the page.
 * The page lists them in sections/index.ts, in order; adding a section is adding a module there.
 */
import type { SafeHtml } from './html.ts';
import type { ReportInput } from './types.ts';

export interface SectionContent {
  body: SafeHtml;
  /** Shown after the title, e.g. a pass/fail badge. */
  badge?: SafeHtml;
}

export interface ReportSection {
  /** The section's anchor on the page (report.html#parity) and its test hook. */
  id: string;
  /** Its heading, and its entry in the page's contents. */
  title: string;
  /** The section's content, or undefined to leave it off the page (its input is absent from this run). */
  render(input: ReportInput): SectionContent | undefined | Promise<SectionContent | undefined>;
}
