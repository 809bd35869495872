/**
 * opening-phrases — recurring phrases that open responses ("Great question!", "Sure, here's"),
 * discovered from the data; see phrases.ts for how, and for strict vs broad. One pattern per
 * phrase, id "opening:<phrase-with-dashes>", named 'Opens with "<phrase>"'.
 */
import type { Detector } from './detector';
import { phrasePass } from './phrases';

export const openingPhrases: Detector = { id: 'opening-phrases', begin: () => phrasePass('opening') };
