import { describe, it, expect } from 'vitest';
import { formatColumns, formatTable } from './table';

/** A sample block from docs/reference/fidelity.md 1.1: drop the 4-space indent and trailing blanks. */
const sample = (text: string): string =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.replace(/^ {4}/, '').replace(/\s+$/, '') + '\n')
    .join('');

describe('formatTable (docs/reference/fidelity.md 1.1 samples)', () => {
  it('pads to max(6, longest + 3)', () => {
    expect(
      formatTable([
        ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
        ['nginx', '1/1', 'Running', '0', '6s'],
      ]),
    ).toBe(
      sample(`
    NAME    READY   STATUS    RESTARTS   AGE
    nginx   1/1     Running   0          6s
`),
    );
  });

  it('nodes -o wide', () => {
    expect(
      formatTable([
        ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
        ['k8s-ctr', 'NotReady', 'control-plane', '100s', 'v1.32.11', '172.31.7.91', '<none>', 'Rocky Linux 9.6 (Blue Onyx)', '5.14.0-570.17.1.el9_6.x86_64', 'containerd://2.1.5'],
      ]),
    ).toBe(
      sample(`
    NAME      STATUS     ROLES           AGE    VERSION    INTERNAL-IP   EXTERNAL-IP   OS-IMAGE                      KERNEL-VERSION                 CONTAINER-RUNTIME
    k8s-ctr   NotReady   control-plane   100s   v1.32.11   172.31.7.91   <none>        Rocky Linux 9.6 (Blue Onyx)   5.14.0-570.17.1.el9_6.x86_64   containerd://2.1.5
`),
    );
  });

  it('services', () => {
    expect(
      formatTable([
        ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
        ['kube-dns', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP,9153/TCP', '2m56s'],
      ]),
    ).toBe(
      sample(`
    NAME       TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                  AGE
    kube-dns   ClusterIP   10.96.0.10   <none>        53/UDP,53/TCP,9153/TCP   2m56s
`),
    );
  });

  it('pods -o wide (an excerpt: its NAME width comes from an elided 31-char pod name)', () => {
    // The sample's NAME column is 34 wide, but its longest shown name has 24 chars: the
    // listing was cut. kubeadm's kube-controller-manager-k8s-ctr (31 chars) gives 31 + 3.
    const out = formatTable([
      ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
      ['coredns-668d6bf9bc-m9wgw', '0/1', 'Pending', '0', '2m20s', '<none>', '<none>', '<none>', '<none>'],
      ['etcd-k8s-ctr', '1/1', 'Running', '0', '2m26s', '172.31.7.91', 'k8s-ctr', '<none>', '<none>'],
      ['kube-controller-manager-k8s-ctr', '1/1', 'Running', '0', '2m26s', '172.31.7.91', 'k8s-ctr', '<none>', '<none>'],
    ]);
    const lines = out.split('\n');
    expect(lines.slice(0, 3).map((l) => l + '\n').join('')).toBe(
      sample(`
    NAME                              READY   STATUS    RESTARTS   AGE     IP            NODE      NOMINATED NODE   READINESS GATES
    coredns-668d6bf9bc-m9wgw          0/1     Pending   0          2m20s   <none>        <none>    <none>           <none>
    etcd-k8s-ctr                      1/1     Running   0          2m26s   172.31.7.91   k8s-ctr   <none>           <none>
`),
    );
  });
});

describe('formatTable rules', () => {
  it('uses the minimum width 6 for short columns', () => {
    expect(formatTable([['A', 'B', 'C'], ['x', 'y', 'z']])).toBe('A     B     C\nx     y     z\n');
  });

  it('pads by exactly 3 once a cell reaches 4 characters', () => {
    expect(formatTable([['ABC', 'X'], ['abcd', 'y']])).toBe('ABC    X\nabcd   y\n');
  });

  it('never pads the last column and leaves no trailing blanks', () => {
    const out = formatTable([['NAME', 'AGE'], ['a', ''], ['b', '5s']]);
    expect(out).toBe('NAME   AGE\na\nb      5s\n');
    for (const line of out.split('\n')) expect(line).toBe(line.trimEnd());
  });

  it('counts code points, not UTF-16 units', () => {
    expect(formatTable([['NAME', 'X'], ['🙂🙂🙂🙂', 'y']])).toBe('NAME   X\n🙂🙂🙂🙂   y\n');
  });

  it('handles no rows and a single column', () => {
    expect(formatTable([])).toBe('');
    expect(formatTable([['NAME'], ['a-very-long-name']])).toBe('NAME\na-very-long-name\n');
  });

  it('lets a short row leave the later columns alone', () => {
    expect(formatTable([['NAME', 'A', 'B'], ['x'], ['longer-name', 'a', 'b']])).toBe(
      'NAME          A     B\nx\nlonger-name   a     b\n',
    );
  });
});

describe('formatColumns', () => {
  it('takes other widths and paddings (docker uses minwidth 10, padding 3)', () => {
    expect(formatColumns([['ID', 'IMAGE'], ['abc', 'nginx']], { minWidth: 10, padding: 3 })).toBe(
      'ID        IMAGE\nabc       nginx\n',
    );
    expect(formatColumns([['a', 'b']], { minWidth: 0, padding: 1 })).toBe('a b\n');
  });
});
