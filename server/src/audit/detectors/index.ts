/** The offline detectors, in report order for equal prevalence. One file each; see each file for strict vs broad. */
import { apologyOpener } from './apologyOpener';
import { boldLeadIn } from './boldLeadIn';
import { bottomLineFirst } from './bottomLineFirst';
import { clarifyingQuestion } from './clarifyingQuestion';
import { closingPhrases } from './closingPhrases';
import { closingQuestion } from './closingQuestion';
import type { Detector } from './detector';
import { headings } from './headings';
import { length } from './length';
import { listStructure } from './listStructure';
import { openingPhrases } from './openingPhrases';
import { validationOpener } from './validationOpener';

export type { Detection, Detector, DetectorContext, DetectorPass, SecondPass } from './detector';

export const DETECTORS: readonly Detector[] = [
  openingPhrases,
  closingPhrases,
  closingQuestion,
  clarifyingQuestion,
  bottomLineFirst,
  apologyOpener,
  validationOpener,
  listStructure,
  headings,
  boldLeadIn,
  length,
];
