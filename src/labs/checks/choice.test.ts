import { beforeAll, describe, expect, it } from 'vitest';
import type { LabSession } from '../session';
import { openSession, type RunResult } from '../../../tests/support/session';
import { task, webLab } from '../../../tests/fixtures/labs/small';

const arp = {
  choice: {
    options: [
      { text: 'The bridge `cni0`', why: 'A bridge forwards and floods frames; it does not ask for addresses.' },
      { text: 'The sending pod', correct: true, why: 'client needs the MAC of its gateway on {{client.node}} before it can send.' },
      { text: 'kube-proxy on {{client.node}}' },
    ],
    wrong: 'Think about who needs the MAC address.',
  },
};
const pools = {
  choice: {
    multiple: true,
    options: [
      { text: 'Pod addresses', correct: true },
      { text: 'ClusterIPs', why: 'A ClusterIP is on no interface.' },
      { text: 'Node addresses', correct: true, why: 'Each node has its own on eth0.' },
    ],
  },
};

const lab = webLab('choices', [task('arp', arp), task('arp-2', arp), task('arp-3', arp), task('pools', pools), task('pools-2', pools)], { solutionAfter: 2 });

let session: LabSession;
let run: (line: string) => Promise<RunResult>;
beforeAll(async () => {
  ({ session, run } = await openSession({ lab }));
});
const view = (id: string) => session.tasks().find((t) => t.id === id)!;

describe('choice with one right option', () => {
  it('shows its options, lettered and filled in', async () => {
    const node = session.bindings.client!.node;
    expect(view('arp').input).toEqual({
      kind: 'choice',
      multiple: false,
      options: [
        { id: 'a', text: 'The bridge `cni0`' },
        { id: 'b', text: 'The sending pod' },
        { id: 'c', text: `kube-proxy on ${node}` },
      ],
    });
    const r = await run('answer arp');
    expect(r).toEqual({ status: 0, stderr: '', stdout: `  a) The bridge \`cni0\`\n  b) The sending pod\n  c) kube-proxy on ${node}\nAnswer with: answer arp LETTER\n` });
    expect(view('arp').status).toBe('pending');
    expect(view('arp').feedback).toBe('');
  });

  it("answers a wrong letter with that option's why, then the lab's words", async () => {
    const r = await run('answer arp a');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('arp: not quite. A bridge forwards and floods frames; it does not ask for addresses. Think about who needs the MAC address.\n');
    expect(session.answer('arp', 'c').feedback).toBe('Think about who needs the MAC address.');
    expect(view('arp').status).toBe('failed');
  });

  it('refuses letters it does not have, and two letters, as failed tries', () => {
    expect(session.answer('arp', 'd').feedback).toBe('Pick one option by letter: a, b, c.');
    expect(session.answer('arp', 'a,b').feedback).toBe('Pick only one option.');
    expect(session.answer('arp', '').feedback).toBe('Pick one option by letter: a, b, c.');
    const v = view('arp');
    expect(v.attempts).toBe(5);
    expect(v.solution.offered).toBe(true);
  });

  it("passes the right letter, written as b, B, b), (b) or 2, with the option's why", () => {
    const v = session.answer('arp', 'B)');
    expect(v.status).toBe('passed');
    expect(v.feedback).toBe(`client needs the MAC of its gateway on ${session.bindings.client!.node} before it can send.`);
    expect(session.answer('arp-2', '(b)').status).toBe('passed');
    expect(session.answer('arp-3', '2').status).toBe('passed');
    // A passed choice stays passed: another letter changes nothing.
    expect(session.answer('arp', 'a').status).toBe('passed');
  });

  it('takes the text of an option as well as its letter', async () => {
    const { session: s } = await openSession({ lab: webLab('choice-text', [task('arp', arp), task('arp-2', arp)]) });
    expect(s.answer('arp', 'The bridge cni0').feedback).toBe('A bridge forwards and floods frames; it does not ask for addresses. Think about who needs the MAC address.');
    expect(s.answer('arp', 'the sending  pod').status).toBe('passed');
    expect(s.answer('arp-2', '`The sending pod`').status).toBe('passed');
  });

  it('reads a letter as a letter, even when an option says that letter', async () => {
    const letters = { choice: { options: [{ text: 'b' }, { text: 'a', correct: true }] } };
    const { session: s } = await openSession({ lab: webLab('choice-letters', [task('x', letters), task('y', letters)]) });
    expect(s.answer('x', 'a').status).toBe('failed');
    expect(s.answer('x', 'b').status).toBe('passed');
    expect(s.answer('y', 'b)').status).toBe('passed');
  });
});

describe('choice with several right options', () => {
  it('shows check boxes', () => {
    expect(view('pools').input).toMatchObject({ kind: 'choice', multiple: true });
  });

  it('says when the options picked are right but some are missing', () => {
    const v = session.answer('pools', 'a');
    expect(v.status).toBe('failed');
    expect(v.feedback).toBe('Those are right, but not all the right ones.');
  });

  it('explains a wrong option among right ones', () => {
    expect(session.answer('pools', 'a,b').feedback).toBe('A ClusterIP is on no interface. Not that one.');
    expect(session.answer('pools', 'a b c').feedback).toBe('A ClusterIP is on no interface. Each node has its own on eth0. Not that one.');
  });

  it('passes with every right option, in any order and any separator', () => {
    expect(session.answer('pools', 'c; a').status).toBe('passed');
    expect(view('pools').feedback).toBe('Each node has its own on eth0.');
    expect(session.answer('pools-2', 'a c a').status).toBe('passed');
  });
});

describe('choice parameters', () => {
  const bad = (check: unknown) => () => webLab('bad-choice', [task('t', check)]);
  it('wants a right option, one unless multiple', () => {
    expect(bad({ choice: { options: [{ text: 'a' }, { text: 'b' }] } })).toThrow('tasks.0.check.choice.options: no option is marked correct');
    expect(bad({ choice: { options: [{ text: 'a', correct: true }, { text: 'b', correct: true }] } })).toThrow('tasks.0.check.choice.options: several options are correct: set multiple: true');
  });
  it('wants two to eight options, each with text', () => {
    expect(bad({ choice: { options: [{ text: 'a', correct: true }] } })).toThrow('tasks.0.check.choice.options: Array must contain at least 2 element(s)');
    const nine = Array.from({ length: 9 }, (_, i) => ({ text: `o${i}`, correct: i === 0 }));
    expect(bad({ choice: { options: nine } })).toThrow('tasks.0.check.choice.options: Array must contain at most 8 element(s)');
    expect(bad({ choice: { options: [{ text: '', correct: true }, { text: 'b' }] } })).toThrow('tasks.0.check.choice.options.0.text: String must contain at least 1 character(s)');
    expect(bad({ choice: { options: [{ text: 'a', right: true }, { text: 'b' }] } })).toThrow("tasks.0.check.choice.options.0: Unrecognized key(s) in object: 'right'");
  });
  it('checks placeholders in options and their whys', () => {
    expect(bad({ choice: { options: [{ text: '{{client.ipp}}', correct: true }, { text: 'b', why: '{{nobody.ip}}' }] } })).toThrow(/tasks\.0\.check: \{\{client\.ipp\}\}: a pod binding has no field ipp \(it has name, namespace, ip, [^)]*\)\n {2}tasks\.0\.check: \{\{nobody\.ip\}\} names no binding/);
  });
});
