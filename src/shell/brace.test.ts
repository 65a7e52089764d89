import { describe, expect, it } from 'vitest';
import { BraceLimit, braceExpand } from './brace';

describe('brace expansion', () => {
  it('expands lists and sequences as bash does', () => {
    expect(braceExpand('{1..5}')).toEqual(['1', '2', '3', '4', '5']);
    expect(braceExpand('{5..1..2}')).toEqual(['5', '3', '1']);
    expect(braceExpand('{08..11}')).toEqual(['08', '09', '10', '11']);
    expect(braceExpand('{-1..1}')).toEqual(['-1', '0', '1']);
    expect(braceExpand('{a..e..2}')).toEqual(['a', 'c', 'e']);
    expect(braceExpand('web-{a,b}.txt')).toEqual(['web-a.txt', 'web-b.txt']);
    expect(braceExpand('{a,b{1,2}}x')).toEqual(['ax', 'b1x', 'b2x']);
    expect(braceExpand('{a,b}{1,2}')).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(braceExpand('{,x}y')).toEqual(['y', 'xy']);
  });

  it('leaves braces that are not a group as they are', () => {
    for (const s of ['{}', '{x}', '{1..}', 'a{', '}{', '{a..1}', '\\{a,b}']) expect(braceExpand(s), s).toEqual([s]);
  });

  it('stops at its bound instead of filling the memory', () => {
    expect(() => braceExpand('{1..1000000}')).toThrow(BraceLimit);
    expect(() => braceExpand('{1..100}{1..100}{1..100}')).toThrow(BraceLimit);
  });
});
