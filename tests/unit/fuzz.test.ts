import { describe } from 'vitest';
import { robustness, validationAndPaste } from './fuzz-suite';

describe('robustness', () => {
  robustness(['fixture-web']);
  validationAndPaste();
});
