import { describe } from 'vitest';
import { robustness } from './fuzz-suite';

describe('robustness in pods, on nodes and on Docker hosts', () => {
  robustness(['netshoot', 'ipvs', 'docker']);
});
