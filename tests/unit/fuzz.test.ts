import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../src/labs/catalog';
import { LabSession } from '../../src/labs/session';
import { ScriptClock } from '../../src/labs/transcript';

// Robustness: generated command lines through every registered command, in every place a
// learner can be. Nothing may escape as an exception or an internal error, and every line
// must end (virtual time is capped by the transcript clock's interrupt).
const WORDS = [
  'pods', 'po', 'nodes', 'svc', 'services', 'deploy', 'all', 'web', 'client', 'nope', 'node-1', 'node-2', 'control-plane',
  '10.244.1.2', '10.244.2.2', '10.96.0.1', '10.96.0.10', '192.168.49.3', '192.168.49.100', '999.1.1.1', 'http://web/', 'http://10.244.1.2/',
  '-n', 'kube-system', '-A', '-o', 'wide', 'json', 'name', 'yaml', '-c', '1', '2', '0', '-1', '-s', '1500', '-t', 'nat', 'filter', 'raw',
  '-p', 'tcp', 'icmp', '-L', '-d', '-m', '3', '-M', 'do', '-v', '-i', '-I', '-H', 'Host: x', '--', '--help', '-h', '--foo', '-x',
  'addr', 'route', 'neigh', 'link', 'dev', 'eth0', 'cni0', 'flannel.1', 'show', 'fdb', '/etc/resolv.conf', '/run/flannel/subnet.env',
  'exec', 'get', 'ping', 'sh', 'api-resources', 'version', 'ep', 'endpointslices', 'rs', 'ds', 'ns', 'ing', '-l', 'app=web', 'app in (a,b', '!app',
  'jsonpath={.items[*].metadata.name}', "jsonpath='{range .items[*]}{.x}{end}'", 'jsonpath={.items[', '--namespaced=false', '--client', '-it', "'{print $1}'", '-f2', '-d-', '"quoted words"', "'single'", '$HOME', '$?', '""', "''",
];

const line = (cmds: string[]) =>
  fc
    .tuple(fc.constantFrom(...cmds), fc.array(fc.constantFrom(...WORDS), { maxLength: 6 }), fc.option(fc.constantFrom('| grep web', '| wc -l', '| head -2', "| awk '{print $2}'", '&& hostname', '|| echo', '; hostname', '|'), { nil: undefined }))
    .map(([c, args, tail]) => [c, ...args, ...(tail ? [tail] : [])].join(' '));

describe('robustness', () => {
  it('no generated command line throws, hangs or reports an internal error', async () => {
    const clock = new ScriptClock(REFERENCE_TIME, 3_000);
    const session = LabSession.create({ labId: 'three-pools', seed: 4, scheduler: clock });
    const registryNames = ['kubectl', 'ping', 'ssh', 'ip', 'iptables-save', 'conntrack', 'curl', 'cat', 'grep', 'head', 'tail', 'wc', 'sort', 'uniq', 'cut', 'awk', 'traceroute', 'bridge', 'nslookup', 'wget', 'hostname', 'help', 'answer', 'clear', 'foo', 'exit'];
    const places = ['', 'ssh node-1', 'kubectl exec -it client -- sh', 'kubectl exec -it web-7788985cd4-46bg9 -- sh'];
    let lines = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...places), fc.array(line(registryNames), { minLength: 1, maxLength: 10 }), async (place, cmds) => {
        let out = '';
        const sink = { write: (t: string) => void (out += t) };
        if (place) await session.run(place, sink, sink);
        for (const c of cmds) {
          clock.beginCommand(() => session.interrupt());
          const start = clock.now();
          const status = await session.run(c, sink, sink);
          lines++;
          expect(Number.isInteger(status)).toBe(true);
          expect(clock.now() - start).toBeLessThan(200_000);
        }
        // Back to the workstation for the next run.
        while (session.prompt() !== 'learner@workstation:~$ ') await session.run('exit', sink, sink);
        expect(out).not.toMatch(/internal error/);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 2200), seed: 20261122 },
    );
    expect(lines).toBeGreaterThanOrEqual(10_000);
  }, 120_000);
});
