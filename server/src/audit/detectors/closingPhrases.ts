/**
 * closing-phrases — recurring phrases that close responses ("Does that help?", "Let me know if you
 * have any questions"), discovered from the data; see phrases.ts for how, and for strict vs broad.
 * One pattern per phrase, id "closing:<phrase-with-dashes>", named 'Ends with "<phrase>"'.
 */
import type { Detector } from './detector';
import { phrasePass } from './phrases';

export const closingPhrases: Detector = { id: 'closing-phrases', begin: () => phrasePass('closing') };
