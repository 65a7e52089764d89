import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../labs/catalog';
import { ScriptClock, transcript } from '../../labs/transcript';
import { labSession } from '../../../tests/support/session';
import { busyboxVersion } from '../images';

const SUBDOMAIN = `apiVersion: v1
kind: Service
metadata:
  name: sub
spec:
  clusterIP: None
  selector:
    app: bb
  ports:
  - port: 1234
---
apiVersion: v1
kind: Pod
metadata:
  name: bb1
  labels:
    app: bb
spec:
  hostname: busybox-1
  subdomain: sub
  containers:
  - name: bb
    image: busybox:1.28
    command: ["sleep", "3600"]
`;

async function run(lines: string[]): Promise<string> {
  const clock = new ScriptClock(REFERENCE_TIME);
  const session = await labSession({ lab: 'fixture-web', seed: 1, scheduler: clock });
  const files = [`cat > sub.yaml <<'X'`, ...SUBDOMAIN.split('\n').slice(0, -1), 'X', 'kubectl apply -f sub.yaml', 'sleep 30'];
  return transcript(session, clock, [...files, ...lines]);
}

describe('hostname display options', () => {
  it('busybox: -f is the FQDN the kubelet writes in /etc/hosts for a pod with a subdomain; -s, -d, -i split it; --fqdn is not an option', async () => {
    const out = await run(['kubectl exec bb1 -- hostname -f', 'kubectl exec bb1 -- hostname -s', 'kubectl exec bb1 -- hostname -d', 'kubectl exec bb1 -- hostname -i', 'kubectl exec bb1 -- hostname --fqdn']);
    expect(out).toContain('$ kubectl exec bb1 -- hostname -f\nbusybox-1.sub.default.svc.cluster.local\n');
    expect(out).toContain('$ kubectl exec bb1 -- hostname -s\nbusybox-1\n');
    expect(out).toContain('$ kubectl exec bb1 -- hostname -d\nsub.default.svc.cluster.local\n');
    expect(out).toMatch(/\$ kubectl exec bb1 -- hostname -i\n10\.244\.\d+\.\d+\n/);
    expect(out).toContain("$ kubectl exec bb1 -- hostname --fqdn\nhostname: unrecognized option '--fqdn'\nBusyBox v");
    expect(out).toContain('command terminated with exit code 1');
  });

  it('a pod without a subdomain: -f is its name and -d prints nothing; the workstation\'s Debian hostname takes --fqdn', async () => {
    const out = await run(['kubectl exec client -- hostname -f', 'kubectl exec client -- hostname -d', 'hostname --fqdn', 'hostname -x']);
    expect(out).toContain('$ kubectl exec client -- hostname -f\nclient\n');
    expect(out).toMatch(/\$ kubectl exec client -- hostname -d\n[^\n]*\$ hostname --fqdn\nworkstation\n/);
    expect(out).toContain("$ hostname -x\nhostname: invalid option -- 'x'\nUsage: hostname");
  });
});

describe('hostname operands', () => {
  it('`-` and words after `--` are a name to set, refused for a learner; the bad letter of a group is the one named', async () => {
    const out = await run(['hostname -', 'hostname -- -f', 'hostname -fx', 'kubectl exec bb1 -- hostname new']);
    expect(out).toContain('$ hostname -\nhostname: you must be root to change the host name\n');
    expect(out).toContain('$ hostname -- -f\nhostname: you must be root to change the host name\n');
    expect(out).toContain("$ hostname -fx\nhostname: invalid option -- 'x'\n");
    expect(out).toContain('$ kubectl exec bb1 -- hostname new\nhostname: sethostname: Operation not permitted\ncommand terminated with exit code 1\n');
  });
});

describe('busybox versions', () => {
  it('Google\'s old untagged busybox is one from before 1.29 (getaddrinfo nslookup); tags name their version', () => {
    expect(busyboxVersion('gcr.io/google-containers/busybox')).toBe('1.24.0');
    expect(busyboxVersion('busybox:1.28')).toBe('1.28.0');
    expect(busyboxVersion('busybox')).toBe('1.36.1');
  });
});
