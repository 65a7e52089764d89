import { beforeAll, describe, expect, it } from 'vitest';
import { defineLab, LabDefinitionError } from '../schema';
import type { LabSession } from '../session';
import type { TraceView } from '../contract';
import { openSession, type RunResult } from '../../../tests/support/session';
import { task, webLab, WEB_BINDINGS } from '../../../tests/fixtures/labs/small';

const lab = webLab('answers', [
  task('pod-ip', { answer: { expect: '{{target.ip}}', normalize: 'ip', wrong: 'Look at the IP column of `kubectl get pods -o wide`.' } }, { passed: '{{target.name}} has {{target.ip}}.' }),
  task('pod-cidr', { answer: { expect: '10.244.1.0/24', normalize: 'cidr' } }),
  task('mac', { answer: { expect: '{{client.mac}}', normalize: 'mac' } }),
  task('ttl', { answer: { expect: '62', normalize: 'number' } }),
  task('probability', { answer: { expect: '0.33333333349', normalize: 'decimal' } }),
  task('probability-tight', { answer: { expect: '0.33333333349', normalize: 'decimal', tolerance: 0.00001 } }),
  task('third', { answer: { expect: '0.33333333349', normalize: 'decimal' } }),
  task('percent', { answer: { expect: '0.33333333349', normalize: 'decimal' } }),
  task('checksum', { answer: { expect: '0x8d5c', normalize: 'hex' } }),
  task('checksum-bare', { answer: { expect: '8d5c', normalize: 'hex' } }),
  task('node', { answer: { expect: '{{target.node}}', wrong: 'The NODE column says it.' } }),
  task('endpoints', { answer: { expect: '{{web.endpointIps}}', normalize: 'set', element: 'ip' } }),
  task('chain', { answer: { expect: 'KUBE-SVC-[A-Z2-7]{16}', normalize: 'regex' } }),
  task('pool', { answer: { expect: ['service', 'service network', 'svc'] } }),
  task('echo-id', { answer: { observed: { value: 'echo-request-id', from: '@client', to: '@target' }, wrong: 'Read the id in the IP header tcpdump -v prints.' } }),
  task('echo-checksum', { answer: { observed: { value: 'echo-request-checksum', from: '@client', to: '@target' } } }, { solution: { text: 'Read it.', steps: ['answer echo-checksum {{expected.echo-checksum}}'] } }),
]);

let session: LabSession;
let run: (line: string) => Promise<RunResult>;

beforeAll(async () => {
  ({ session, run } = await openSession({ lab }));
});

const view = (id: string) => session.tasks().find((t) => t.id === id)!;
const b = () => session.bindings;

describe('answer with an expected value', () => {
  it('explains a wrong address from the model, then the lab\'s words, and passes the right one', async () => {
    let v = session.answer('pod-ip', '1.2.3.4');
    expect(v.status).toBe('failed');
    expect(v.feedback).toBe("1.2.3.4 is outside the cluster's three pools. Look at the IP column of `kubectl get pods -o wide`.");
    v = session.answer('pod-ip', b().target!.nodeIp!);
    expect(v.feedback).toBe(`${b().target!.nodeIp} is node ${b().target!.node}'s address (node network 192.168.49.0/24). Look at the IP column of \`kubectl get pods -o wide\`.`);
    v = session.answer('pod-ip', `"${b().client!.ip}"`);
    expect(v.feedback).toBe(`${b().client!.ip} is pod client on ${b().client!.node} (pod network 10.244.0.0/16). Look at the IP column of \`kubectl get pods -o wide\`.`);
    v = session.answer('pod-ip', b().web!.ip!);
    expect(v.feedback).toMatch(/^10\.\d+\.\d+\.\d+ is the ClusterIP of Service default\/web \(service network 10\.96\.0\.0\/12\)\./);
    v = session.answer('pod-ip', '10.244.1.02');
    expect(v.feedback).toBe('"10.244.1.02" is not an IPv4 address: leading zeros are not allowed. Look at the IP column of `kubectl get pods -o wide`.');
    expect(v.attempts).toBe(5);
    // The address as `kubectl get pods -o wide` prints it.
    const wide = (await run('kubectl get pods -o wide')).stdout;
    const ip = wide.split('\n').find((l) => l.startsWith(`${b().target!.name} `))!.split(/\s+/)[5]!;
    v = session.answer('pod-ip', ` ${ip} `);
    expect(v.status).toBe('passed');
    expect(v.feedback).toBe(`${b().target!.name} has ${ip}.`);
  });

  it('compares CIDR blocks with the host bits masked, and says the block is written otherwise', async () => {
    const podCidr = (await run('kubectl get node node-1 -o jsonpath={.spec.podCIDR}')).stdout;
    expect(podCidr).toBe('10.244.1.0/24');
    expect(session.answer('pod-cidr', '10.244.1.0/23').status).toBe('failed');
    expect(session.answer('pod-cidr', '10.244.1.0/33').feedback).toBe('"10.244.1.0/33" is not a CIDR block: the prefix length is at most 32. That is not it yet.');
    const v = session.answer('pod-cidr', '10.244.1.7/24');
    expect(v.status).toBe('passed');
    expect(v.feedback).toBe('10.244.1.7/24 names the same block, written 10.244.1.0/24: the host bits of an address are masked off by the prefix.');
  });

  it('takes a MAC written with -, in upper case, without leading zeros', async () => {
    const link = (await run('kubectl exec client -- ip link show eth0')).stdout;
    const mac = /link\/ether (\S+)/.exec(link)![1]!;
    expect(session.answer('mac', mac.replace(/:/g, '-').replace(/^.{2}/, 'ff')).status).toBe('failed');
    const sloppy = mac
      .split(':')
      .map((o) => o.replace(/^0/, '').toUpperCase())
      .join('-');
    expect(session.answer('mac', sloppy).status).toBe('passed');
  });

  it('compares numbers as numbers', () => {
    expect(session.answer('ttl', '63').status).toBe('failed');
    expect(session.answer('ttl', 'sixty-two').feedback).toBe('"sixty-two" is not a whole number. That is not it yet.');
    expect(session.answer('ttl', '062').status).toBe('passed');
  });

  it("takes kube-proxy's probability as a decimal, a fraction or a percentage", async () => {
    await run(`ssh ${b().target!.node}`);
    const rules = (await run(`iptables-save -t nat | grep 'default/web ->'`)).stdout;
    await run('exit');
    // The value the lab expects is what kube-proxy wrote for the first of three endpoints.
    expect(rules).toContain('--probability 0.33333333349 ');
    expect(session.answer('probability', '0.33').status).toBe('failed');
    expect(session.answer('probability', '0.333').status).toBe('passed');
    expect(session.answer('third', '1/3').status).toBe('passed');
    expect(session.answer('percent', '33.3333%').status).toBe('passed');
    expect(session.answer('probability-tight', '0.333').status).toBe('failed');
    expect(session.answer('probability-tight', '1/3').status).toBe('passed');
  });

  it('takes hexadecimal with or without 0x, in any case', () => {
    expect(session.answer('checksum', '8d5d').status).toBe('failed');
    expect(session.answer('checksum', '8D5C').status).toBe('passed');
    expect(session.answer('checksum-bare', '0x8d5c').status).toBe('passed');
  });

  it('compares words without case, with the lab\'s feedback for a wrong one', () => {
    const other = b().target!.node === 'node-1' ? 'node-2' : 'node-1';
    const v = session.answer('node', other);
    expect(v.feedback).toBe('The NODE column says it.');
    expect(session.answer('node', b().target!.node!.toUpperCase()).status).toBe('passed');
  });

  it('compares sets in any order, each element as an address', async () => {
    const ips = (await run('kubectl get endpoints web -o jsonpath={.subsets[0].addresses[*].ip}')).stdout.trim().split(' ');
    expect(ips).toHaveLength(3);
    expect(session.answer('endpoints', ips.slice(0, 2).join(',')).status).toBe('failed');
    expect(session.answer('endpoints', `${ips[2]}, ${ips[0]} ${ips[1]}`).status).toBe('passed');
  });

  it('matches a regular expression against the whole answer', async () => {
    await run(`ssh ${b().client!.node}`);
    const chain = /-A (KUBE-SVC-\w+) .*default\/web/.exec((await run('iptables-save -t nat')).stdout)![1]!;
    await run('exit');
    expect(session.answer('chain', `-j ${chain}`).status).toBe('failed');
    expect(session.answer('chain', chain.toLowerCase()).status).toBe('passed');
  });

  it('accepts any of several expected values', () => {
    expect(session.answer('pool', 'pod').status).toBe('failed');
    expect(session.answer('pool', 'Service  Network').status).toBe('passed');
  });

  it('waits for an answer without failing, and a passed answer stays passed', () => {
    const fresh = session.tasks().find((t) => t.id === 'echo-id')!;
    expect(fresh.status).toBe('pending');
    expect(fresh.input).toEqual({ kind: 'text' });
    session.answer('pod-ip', '1.2.3.4');
    expect(view('pod-ip').status).toBe('passed');
  });
});

describe('answer with an observed value', () => {
  it('explains what to do when no traffic has been seen yet', () => {
    const v = session.answer('echo-id', '1234');
    expect(v.status).toBe('failed');
    expect(v.feedback).toBe(`There is nothing to compare with yet: ping pod ${b().target!.name} (${b().target!.ip}) from pod client (${b().client!.ip}) while capturing with tcpdump -v, then read the value.`);
  });

  it("takes the IP id and checksum of the learner's own echo request", async () => {
    const traces: TraceView[] = [];
    const stop = session.subscribe((e) => void (e.type === 'trace' && traces.push(e.trace)));
    await run(`ssh ${b().client!.node}`);
    let out = '';
    const capture = session.run('tcpdump -v -n -i cni0 icmp', { write: (t) => void (out += t) }, { write: () => {} });
    const other = session.openTerminal();
    expect(await other.run(`kubectl exec client -- ping -c 1 ${b().target!.ip}`, { write: () => {} }, { write: () => {} })).toBe(0);
    session.interrupt();
    await capture;
    stop();
    await run('exit');
    const m = new RegExp(`id (\\d+), offset 0, flags \\[DF\\], proto ICMP \\(1\\), length 84\\)\\n\\s+${b().client!.ip} > ${b().target!.ip}: ICMP echo request`).exec(out);
    expect(m, out).not.toBeNull();
    const id = Number(m![1]);
    const wrong = session.answer('echo-id', String((id + 1) & 0xffff));
    expect(wrong.feedback).toBe(`${(id + 1) & 0xffff} is not what your traffic showed. Read the id in the IP header tcpdump -v prints.`);
    expect(session.answer('echo-id', `0x${id.toString(16)}`).status).toBe('passed');

    // The checksum as the request left client: the first hop of its trace.
    const sent = traces.map((t) => t.hops[0]!).find((h) => h.ip?.src === b().client!.ip && h.ip!.dst === b().target!.ip && h.ip!.proto === 1)!;
    expect(sent.ip!.id).toBe(id);
    const checksum = sent.ip!.checksum;
    // {{expected.TASK}} is written as a learner writes the value, so the stored solution works.
    expect(session.solution().map((s) => session.renderStep(s))).toContain(`answer echo-checksum 0x${checksum.toString(16).padStart(4, '0')}`);
    expect(session.answer('echo-checksum', ((checksum + 1) & 0xffff).toString(16)).status).toBe('failed');
    expect(session.answer('echo-checksum', checksum.toString(16).toUpperCase()).status).toBe('passed');
  });
});

describe('answer parameters', () => {
  const bad = (check: unknown) => () => webLab('bad-answer', [task('t', check)]);
  it('wants exactly one of expect and observed', () => {
    expect(bad({ answer: { normalize: 'ip' } })).toThrow('tasks.0.check.answer: give exactly one of expect and observed');
    expect(bad({ answer: { expect: '1', observed: { value: 'reply-ttl', from: '@client', to: '@target' } } })).toThrow('tasks.0.check.answer: give exactly one of expect and observed');
  });
  it('names the field of a bad normaliser, tolerance or element', () => {
    expect(bad({ answer: { expect: '1', normalize: 'ipv4' } })).toThrow(/tasks\.0\.check\.answer\.normalize: Invalid enum value\. Expected 'ip' \| 'cidr'/);
    expect(bad({ answer: { expect: '1', tolerance: 0.1 } })).toThrow('tasks.0.check.answer: tolerance applies only with normalize: decimal');
    expect(bad({ answer: { expect: '1', element: 'ip' } })).toThrow('tasks.0.check.answer: element applies only with normalize: set');
    expect(bad({ answer: { expect: '1', normalize: 'decimal', tolerance: -1 } })).toThrow('tasks.0.check.answer.tolerance: Number must be greater than or equal to 0');
    expect(bad({ answer: { expect: '1', typo: true } })).toThrow("tasks.0.check.answer: Unrecognized key(s) in object: 'typo'");
  });
  it('checks an expected value against its normaliser', () => {
    expect(bad({ answer: { expect: '10.244.1.256', normalize: 'ip' } })).toThrow('tasks.0.check.answer: expect "10.244.1.256": "10.244.1.256" is not an IPv4 address');
    expect(bad({ answer: { expect: ['a', '('], normalize: 'regex' } })).toThrow(/tasks\.0\.check\.answer: expect "\(": invalid regular expression/);
  });
  it('checks an observable: its name and what it needs', () => {
    expect(bad({ answer: { observed: { value: 'echo-id', from: '@client', to: '@target' } } })).toThrow('tasks.0.check.answer: unknown observable "echo-id"; known: echo-request-id, ');
    expect(bad({ answer: { observed: { value: 'echo-request-id', from: '@client' } } })).toThrow('tasks.0.check.answer: observable echo-request-id needs `to`');
    expect(bad({ answer: { observed: { value: 'echo-request-id', from: '@nobody', to: '@target' } } })).toThrow('tasks.0.check.answer: "@nobody" names no binding');
    expect(bad({ answer: { observed: { value: 'echo-request-id', from: '@client', to: 'target' } } })).toThrow('tasks.0.check.answer.observed.to: "target" is not a place or an address; write workstation, node:NAME, host:NAME, pod:[NAMESPACE/]NAME, container:HOST/NAME or @binding, or an IPv4 address');
  });
  it('throws a LabDefinitionError naming the lab', () => {
    try {
      defineLab({ id: 'named', title: 't', summary: 's', bindings: { ...WEB_BINDINGS }, tasks: [task('t', { answer: {} })] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LabDefinitionError);
      expect((e as Error).message).toBe('lab named is invalid:\n  tasks.0.check.answer: give exactly one of expect and observed');
    }
  });
});
