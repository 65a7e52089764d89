/**
 * Runs before every unit test file. Property tests draw their cases from one fixed seed, so
 * `npm test` checks the same cases on every run and every machine: a failure is reproducible,
 * never a roll of the dice. `FC_SEED=<n>` draws other cases; `FC_SEED=random` a new seed per
 * property (fast-check prints the seed of any failure).
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED ?? '20261206';
if (seed !== 'random') {
  if (!/^-?\d+$/.test(seed)) throw new Error(`FC_SEED is "${seed}": give an integer, or "random"`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seed) });
}
