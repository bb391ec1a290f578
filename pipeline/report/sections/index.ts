/**
 * The report's sections, in page order. To add one (as the precision variants' section was added):
 * write sections/<name>.ts exporting a ReportSection, give ReportInput (types.ts) the field it
 * reads, fill that field in pipeline/stages/report.ts, and add the section here. The page's
 * contents list and anchors follow from this list.
 */
import type { ReportSection } from '../section.ts';
import { confusionSection } from './confusion.ts';
import { manifestSection } from './manifest.ts';
import { misclassifiedSection } from './misclassified.ts';
import { modelSummarySection } from './modelSummary.ts';
import { paritySection } from './parity.ts';
import { recipeSection } from './recipe.ts';
import { stagesSection } from './stages.ts';
import { trainingCurvesSection } from './trainingCurves.ts';
import { variantsSection } from './variants.ts';

export const REPORT_SECTIONS: readonly ReportSection[] = [
  recipeSection,
  modelSummarySection,
  trainingCurvesSection,
  confusionSection,
  misclassifiedSection,
  paritySection,
  variantsSection,
  stagesSection,
  manifestSection,
];
