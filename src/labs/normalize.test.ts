import { describe, expect, it } from 'vitest';
import { clean, display, expectedProblem, matches, normalize, type CompareOptions } from './normalize';

const as = (normalizeName: CompareOptions['normalize'], extra: Omit<CompareOptions, 'normalize'> = {}): CompareOptions => ({ normalize: normalizeName, ...extra });

/** True when the learner's `given` is accepted for the lab's `expected`. */
function accepts(given: string, expected: string, opts: CompareOptions): boolean {
  const g = normalize(given, opts);
  return g.ok && matches(g.value, expected, opts);
}

function reason(text: string, opts: CompareOptions): string {
  const n = normalize(text, opts);
  if (n.ok) throw new Error(`"${text}" was accepted as ${n.value}`);
  return n.reason;
}

describe('clean', () => {
  it('drops surrounding blanks and one pair of matching quotes', () => {
    expect(clean('  10.0.0.1 ')).toBe('10.0.0.1');
    expect(clean('"10.0.0.1"')).toBe('10.0.0.1');
    expect(clean("'no reply'")).toBe('no reply');
    expect(clean('`eth0`')).toBe('eth0');
    expect(clean('"unbalanced')).toBe('"unbalanced');
  });
});

describe('ip', () => {
  const o = as('ip');
  it('accepts a dotted quad, with blanks and quotes around it', () => {
    expect(accepts('10.244.1.3', '10.244.1.3', o)).toBe(true);
    expect(accepts(' "10.244.1.3" ', '10.244.1.3', o)).toBe(true);
    expect(accepts('10.244.1.4', '10.244.1.3', o)).toBe(false);
  });
  it('refuses leading zeros as inet_pton does, and says so', () => {
    expect(reason('10.244.01.3', o)).toBe('"10.244.01.3" is not an IPv4 address: leading zeros are not allowed');
    expect(reason('010.244.1.3', o)).toContain('leading zeros');
    expect(accepts('10.0.0.0', '10.0.0.0', o)).toBe(true);
  });
  it('refuses what is not an address, with an example of one', () => {
    expect(reason('10.244.1', o)).toBe('"10.244.1" is not an IPv4 address (four numbers from 0 to 255, such as 10.244.1.3)');
    expect(reason('10.244.1.256', o)).toContain('is not an IPv4 address');
    expect(reason('web', o)).toContain('is not an IPv4 address');
  });
});

describe('cidr', () => {
  const o = as('cidr');
  it('compares blocks: host bits are masked off', () => {
    expect(accepts('10.244.1.0/24', '10.244.1.0/24', o)).toBe(true);
    expect(accepts('10.244.1.7/24', '10.244.1.0/24', o)).toBe(true);
    expect(accepts('10.244.1.0/25', '10.244.1.0/24', o)).toBe(false);
    expect(accepts('10.244.2.0/24', '10.244.1.0/24', o)).toBe(false);
    expect(accepts('0.0.0.0/0', '1.2.3.4/0', o)).toBe(true);
    expect(accepts('10.96.0.1/32', '10.96.0.1/32', o)).toBe(true);
  });
  it('refuses a prefix longer than 32 and text that is no block', () => {
    expect(reason('10.244.1.0/33', o)).toBe('"10.244.1.0/33" is not a CIDR block: the prefix length is at most 32');
    expect(reason('10.244.1.0', o)).toBe('"10.244.1.0" is not a CIDR block (an address, a slash and a prefix length, such as 10.244.1.0/24)');
    expect(reason('10.244.1.0/', o)).toContain('is not a CIDR block');
  });
  it('displays the block as ip route writes it', () => {
    const n = normalize('10.244.1.7/24', o);
    expect(n.ok && display(n.value, o)).toBe('10.244.1.0/24');
  });
});

describe('mac', () => {
  const o = as('mac');
  it('accepts - or : separators, any case, and missing leading zeros', () => {
    const expected = '0a:58:0a:f4:01:02';
    expect(accepts('0a:58:0a:f4:01:02', expected, o)).toBe(true);
    expect(accepts('0A-58-0A-F4-01-02', expected, o)).toBe(true);
    expect(accepts('a:58:a:f4:1:2', expected, o)).toBe(true);
    expect(accepts('0a:58:0a:f4:01:03', expected, o)).toBe(false);
  });
  it('refuses five octets or three-digit ones', () => {
    expect(reason('0a:58:0a:f4:01', o)).toBe('"0a:58:0a:f4:01" is not a MAC address (six hex octets, such as 02:42:ac:11:00:02)');
    expect(reason('0a:58:0a:f4:01:002', o)).toContain('is not a MAC address');
    expect(reason('0g:58:0a:f4:01:02', o)).toContain('is not a MAC address');
  });
});

describe('number', () => {
  const o = as('number');
  it('compares integers, with a sign, leading zeros or in 0x hex', () => {
    expect(accepts('62', '62', o)).toBe(true);
    expect(accepts('+62', '62', o)).toBe(true);
    expect(accepts('062', '62', o)).toBe(true);
    expect(accepts('0x3e', '62', o)).toBe(true);
    expect(accepts('-1', '1', o)).toBe(false);
    expect(accepts('63', '62', o)).toBe(false);
  });
  it('refuses fractions and words', () => {
    expect(reason('6.2', o)).toBe('"6.2" is not a whole number');
    expect(reason('two', o)).toBe('"two" is not a whole number');
  });
});

describe('decimal', () => {
  const o = as('decimal');
  // kube-proxy writes the first of three endpoints' probability as 0.33333333349.
  const kubeProxy = '0.3333333333';
  it('accepts a decimal, a fraction or a percentage within the tolerance', () => {
    for (const given of ['0.333', '1/3', '33.3333%', '33.3%', '.3333', ' 1 / 3 ']) expect(accepts(given, kubeProxy, o), given).toBe(true);
    expect(accepts('0.33', kubeProxy, o)).toBe(false);
    expect(accepts('0.5', '50%', o)).toBe(true);
    expect(accepts('1e-1', '0.1', o)).toBe(true);
  });
  it('takes the lab\'s tolerance', () => {
    expect(accepts('0.33', kubeProxy, as('decimal', { tolerance: 0.01 }))).toBe(true);
    expect(accepts('0.3334', kubeProxy, as('decimal', { tolerance: 0 }))).toBe(false);
    expect(accepts('0.25', '1/4', as('decimal', { tolerance: 0 }))).toBe(true);
  });
  it('refuses a division by zero and text', () => {
    expect(reason('1/0', o)).toBe('"1/0" is not a number (write it as 0.25, 1/4 or 25%)');
    expect(reason('a third', o)).toContain('is not a number');
  });
});

describe('hex', () => {
  const o = as('hex');
  it('compares as a number, with or without 0x, any case', () => {
    expect(accepts('0x1c46', '1c46', o)).toBe(true);
    expect(accepts('1C46', '0x1c46', o)).toBe(true);
    expect(accepts('0x0a1f', 'a1f', o)).toBe(true);
    expect(accepts('0x1c47', '0x1c46', o)).toBe(false);
  });
  it('refuses what is not hexadecimal', () => {
    expect(reason('0x1g', o)).toBe('"0x1g" is not a hexadecimal number (such as 0x1c46 or 1c46)');
    expect(reason('0x', o)).toContain('is not a hexadecimal number');
  });
  it('displays a value as 0x with at least four digits, as tcpdump -v prints a checksum', () => {
    const n = normalize('a1f', o);
    expect(n.ok && display(n.value, o)).toBe('0x0a1f');
  });
});

describe('word', () => {
  const o = as('word');
  it('ignores case and runs of blanks', () => {
    expect(accepts('Service  Network', 'service network', o)).toBe(true);
    expect(accepts('NODE-1', 'node-1', o)).toBe(true);
    expect(accepts('node-2', 'node-1', o)).toBe(false);
  });
  it('refuses an empty answer', () => {
    expect(reason('  ', o)).toBe('the answer is empty');
    expect(reason('""', o)).toBe('the answer is empty');
  });
});

describe('set', () => {
  it('is order-free and ignores repeats, with commas, semicolons or blanks', () => {
    const o = as('set');
    expect(accepts('b, a;c', 'a,b,c', o)).toBe(true);
    expect(accepts('a a b c', 'c b a', o)).toBe(true);
    expect(accepts('a,b', 'a,b,c', o)).toBe(false);
  });
  it('normalises each element with its element normaliser', () => {
    const o = as('set', { element: 'ip' });
    expect(accepts('10.244.2.2 10.244.1.3', '10.244.1.3,10.244.2.2', o)).toBe(true);
    expect(reason('10.244.1.3, 10.244.01.2', o)).toBe('"10.244.01.2" is not an IPv4 address: leading zeros are not allowed');
    expect(accepts('A:B:C:D:E:F', '0a:0b:0c:0d:0e:0f', as('set', { element: 'mac' }))).toBe(true);
  });
  it('refuses an empty answer', () => {
    expect(reason(' , ', as('set'))).toBe('the answer is empty');
  });
});

describe('regex', () => {
  const o = as('regex');
  it('matches the whole answer, ignoring case', () => {
    expect(accepts('KUBE-SVC-ABC123', 'kube-svc-[a-z0-9]+', o)).toBe(true);
    expect(accepts('x KUBE-SVC-ABC123', 'kube-svc-[a-z0-9]+', o)).toBe(false);
    expect(accepts('KUBE-SVC-ABC123 x', 'kube-svc-[a-z0-9]+', o)).toBe(false);
    expect(accepts('a', 'a|b', o)).toBe(true);
    expect(accepts('ab', 'a|b', o)).toBe(false);
  });
  it('accepts nothing for a broken pattern, which a lab cannot define', () => {
    expect(accepts('(', '(', o)).toBe(false);
    expect(expectedProblem('(', o)).toMatch(/^invalid regular expression: /);
  });
});

describe('expectedProblem', () => {
  it('checks a lab\'s expected value with the same normaliser', () => {
    expect(expectedProblem('10.244.1.300', as('ip'))).toContain('is not an IPv4 address');
    expect(expectedProblem('10.244.1.3', as('ip'))).toBeUndefined();
    expect(expectedProblem('0.5', as('number'))).toBe('"0.5" is not a whole number');
  });
  it('leaves templated values to the session', () => {
    expect(expectedProblem('{{target.ip}}', as('ip'))).toBeUndefined();
  });
});

describe('display', () => {
  it('shows a canonical value as a learner writes it, so that it normalises back to itself', () => {
    const cases: [CompareOptions, string][] = [
      [as('ip'), '10.244.1.3'],
      [as('cidr'), '10.244.1.0/24'],
      [as('mac'), '0a:58:0a:f4:01:02'],
      [as('number'), '62'],
      [as('hex'), '0x8d5c'],
      [as('decimal'), '0.25'],
      [as('word'), 'no reply'],
      [as('set', { element: 'ip' }), '10.244.1.3,10.244.2.2'],
    ];
    for (const [o, written] of cases) {
      const n = normalize(written, o);
      if (!n.ok) throw new Error(n.reason);
      expect(display(n.value, o), o.normalize).toBe(written);
      const again = normalize(display(n.value, o), o);
      expect(again.ok && again.value, o.normalize).toBe(n.value);
    }
  });
});

describe('path', () => {
  const o = as('path');
  const across = 'K8s-Pod(default/client) node-2/cni0 node-2/router lan node-1/router node-1/cni0 K8s-Pod(default/web-7788985cd4-46bg9)';
  it('accepts the vertex names with blanks, commas, semicolons, bars, dashes or arrows between them, in any case', () => {
    for (const given of [
      across,
      `  ${across.replace(/ /g, '   ')}  `,
      across.replace(/ /g, ', '),
      across.replace(/ /g, ' -> '),
      across.replace(/ /g, '->'),
      across.replace(/ /g, ' → '),
      across.replace(/ /g, ' => '),
      across.replace(/ /g, ' > '),
      across.replace(/ /g, ' | '),
      across.replace(/ /g, ' - '),
      across.replace(/ /g, '; '),
      across.toUpperCase(),
      `"${across}"`,
      `${across} delivered`,
    ]) {
      expect(accepts(given, across, o), given).toBe(true);
    }
  });
  it('reads K8s-Pod(NAME) as the pod in namespace default, with blanks inside the parentheses', () => {
    expect(accepts('K8s-Pod(client) node-2/cni0', 'K8s-Pod(default/client) node-2/cni0', o)).toBe(true);
    expect(accepts('k8s-pod ( client ) node-2/cni0', 'K8s-Pod(default/client) node-2/cni0', o)).toBe(true);
    expect(accepts('K8s-Pod(kube-system/client) node-2/cni0', 'K8s-Pod(default/client) node-2/cni0', o)).toBe(false);
    expect(accepts('K8s-Node(node-2) node-2/router', 'k8s-node(node-2) node-2/router', o)).toBe(true);
  });
  it('compares order and every vertex: a missing LAN or a swapped pair is another path', () => {
    expect(accepts(across.replace(' lan', ''), across, o)).toBe(false);
    expect(accepts(across.replace('node-2/cni0 node-2/router', 'node-2/router node-2/cni0'), across, o)).toBe(false);
    expect(accepts('K8s-Pod(default/client)', across, o)).toBe(false);
  });
  it('a discard is a last word after the vertex that discards, in several words, also in parentheses', () => {
    const broken = 'K8s-Pod(default/client) node-2/cni0 node-2/router lan gateway discard';
    for (const end of ['discard', 'discarded', 'DROPPED', 'drop', 'lost', '(discarded)']) expect(accepts(broken.replace(/discard$/, end), broken, o), end).toBe(true);
    expect(accepts(broken.replace(/ discard$/, ''), broken, o)).toBe(false);
    expect(accepts(broken, broken.replace(/ discard$/, ''), o)).toBe(false);
    expect(normalize(broken, o)).toEqual({ ok: true, value: 'k8s-pod(default/client) node-2/cni0 node-2/router lan gateway discard' });
  });
  it('refuses what names no vertex, an end word in the middle, and names that are no vertex, saying what a name looks like', () => {
    expect(reason('', o)).toBe('the answer is empty');
    expect(reason('discarded', o)).toBe('"discarded" names no vertex: write the vertices the message visits, such as K8s-Pod(default/client), node-1/cni0, node-1/router or lan');
    expect(reason('K8s-Pod(client) discard node-2/cni0', o)).toBe('"discard" can only be the last word, after the vertex where the message ends');
    expect(reason('pod(client) node-2/cni0', o)).toBe('"pod(client)" is not the name of a vertex (such as K8s-Pod(default/client), node-1/cni0, node-1/router or lan)');
    expect(reason('K8s-Pod(client node-2/cni0', o)).toContain('is not the name of a vertex');
  });
  it('displays with arrows and the real capitals, and what it displays reads back the same', () => {
    const n = normalize('k8s-pod(client) node-2/cni0 node-2/router lan gateway dropped', o);
    if (!n.ok) throw new Error(n.reason);
    const shown = display(n.value, o);
    expect(shown).toBe('K8s-Pod(default/client) → node-2/cni0 → node-2/router → lan → gateway, discarded');
    expect(normalize(shown, o)).toEqual(n);
    expect(expectedProblem('K8s-Node({{node.name}}) x', o)).toBeUndefined();
    expect(expectedProblem('node-1/router discard lan', o)).toContain('can only be the last word');
  });
});
