import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../labs/catalog';
import { LabSession } from '../../labs/session';
import { ScriptClock } from '../../labs/transcript';
import { readFile } from '../../sim/files';
import { labSession } from '../../../tests/support/session';

async function run(session: LabSession, line: string): Promise<{ out: string; err: string; status: number }> {
  let out = '';
  let err = '';
  const status = await session.run(line, { write: (t: string) => void (out += t) }, { write: (t: string) => void (err += t) });
  return { out, err, status };
}

async function session(): Promise<LabSession> {
  return labSession({ lab: 'fixture-web', seed: 1, scheduler: new ScriptClock(REFERENCE_TIME, 60_000) });
}

/** The client pod's stored files, by absolute path. */
function clientFile(s: LabSession, path: string): string | undefined {
  const uid = s.sim.pod('default', 'client')!.metadata.uid;
  return readFile(s.sim.state, `pod:${uid}`, path)?.content;
}

const PAGE_START = '<!DOCTYPE html>\n<html>\n';

describe('busybox wget', () => {
  it('parses options as getopt does: clustered, separate, with the argument attached or next', async () => {
    const s = await session();
    for (const line of ['wget -qO- http://web/', 'wget -O- -q http://web/', 'wget -q -O - http://web/', 'wget http://web/ -qO -', 'wget --quiet --output-document=- http://web/', 'wget -T 2 -qO- web']) {
      const r = await run(s, `kubectl exec client -- ${line}`);
      expect([line, r.status, r.err, r.out.startsWith(PAGE_START)]).toEqual([line, 0, '', true]);
    }
  });

  it('saves to the URL\'s file name (index.html for /) with busybox\'s messages, and refuses to overwrite it', async () => {
    const s = await session();
    const svc = s.sim.state.k8s.services['default/web']!.spec.clusterIP!;
    const r = await run(s, 'kubectl exec client -- wget -T 2 http://web/');
    expect(r.status).toBe(0);
    expect(r.out).toBe('');
    const size = clientFile(s, '/index.html')!.length;
    expect(clientFile(s, '/index.html')!.startsWith(PAGE_START)).toBe(true);
    expect(r.err).toBe(
      `Connecting to web (${svc}:80)\nsaving to 'index.html'\nindex.html           100% |********************************|${String(size).padStart(6)}  0:00:00 ETA\n'index.html' saved\n`,
    );
    const again = await run(s, 'kubectl exec client -- wget http://web/');
    expect([again.status, again.err]).toEqual([1, `Connecting to web (${svc}:80)\nwget: can't open 'index.html': File exists\ncommand terminated with exit code 1\n`]);
  });

  it('writes -O FILE (overwriting it), discards -O /dev/null, and reports what cannot be opened', async () => {
    const s = await session();
    expect((await run(s, 'kubectl exec client -- wget -qO /tmp/page http://web/')).status).toBe(0);
    expect(clientFile(s, '/tmp/page')!.startsWith(PAGE_START)).toBe(true);
    expect((await run(s, 'kubectl exec client -- wget -q -O /tmp/page http://web/')).status).toBe(0);
    const null1 = await run(s, 'kubectl exec client -- wget -q -O /dev/null http://web/');
    expect([null1.status, null1.out, null1.err]).toEqual([0, '', '']);
    expect(clientFile(s, '/dev/null')).toBeUndefined();
    const loud = await run(s, 'kubectl exec client -- wget -O /dev/null http://web/');
    expect(loud.err).toMatch(/\nsaving to '\/dev\/null'\nnull {17}100% \|\*{32}\| +\d+  0:00:00 ETA\n'\/dev\/null' saved\n$/);
    const bad = await run(s, 'kubectl exec client -- wget -qO /nodir/x http://web/');
    expect([bad.status, bad.err]).toEqual([1, "wget: can't open '/nodir/x': No such file or directory\ncommand terminated with exit code 1\n"]);
    // An error from the server leaves no file behind.
    expect((await run(s, 'kubectl exec client -- wget -q http://web/missing')).status).toBe(1);
    expect(clientFile(s, '/missing')).toBeUndefined();
  });

  it('--spider only checks that the URL exists', async () => {
    const s = await session();
    const ok = await run(s, 'kubectl exec client -- wget --spider http://web/');
    expect([ok.status, ok.out, ok.err.endsWith('\nremote file exists\n')]).toEqual([0, '', true]);
    expect(clientFile(s, '/index.html')).toBeUndefined();
    const missing = await run(s, 'kubectl exec client -- wget -q --spider http://web/nope');
    expect([missing.status, missing.err]).toEqual([1, 'wget: server returned error: HTTP/1.1 404 Not Found\ncommand terminated with exit code 1\n']);
  });

  it('busybox 1.28 (before 1.31) prints neither remote file exists nor the saving and saved lines', async () => {
    const s = await session();
    const svc = s.sim.state.k8s.services['default/web']!.spec.clusterIP!;
    expect((await run(s, 'kubectl run old --image=busybox:1.28 -- sleep 3600')).status).toBe(0);
    await run(s, 'sleep 10');
    const spider = await run(s, 'kubectl exec old -- wget --spider --timeout=1 web');
    expect([spider.status, spider.out, spider.err]).toEqual([0, '', `Connecting to web (${svc}:80)\n`]);
    const get = await run(s, 'kubectl exec old -- wget -O /tmp/page http://web/');
    expect(get.status).toBe(0);
    expect(get.err).toMatch(new RegExp(`^Connecting to web \\(${svc.replace(/\./g, '\\.')}:80\\)\npage {17}100% \\|\\*{32}\\| +\\d+  0:00:00 ETA\n$`));
  });

  it('-T bounds the connect; without it the kernel gives up after its SYN retries', async () => {
    const s = await session();
    const t0 = s.sim.clock.now();
    const r = await run(s, 'kubectl exec client -- wget -q -T 2 http://10.96.0.1:81/');
    expect([r.status, r.err]).toEqual([1, 'wget: download timed out\ncommand terminated with exit code 1\n']);
    expect(s.sim.clock.now() - t0).toBe(2000);
    const patient = await labSession({ lab: 'fixture-web', seed: 1, scheduler: new ScriptClock(REFERENCE_TIME, 300_000) });
    const t1 = patient.sim.clock.now();
    const slow = await run(patient, 'kubectl exec client -- wget -q http://10.96.0.1:81/');
    expect([slow.status, slow.err]).toEqual([1, "wget: can't connect to remote host (10.96.0.1): Connection timed out\ncommand terminated with exit code 1\n"]);
    expect(patient.sim.clock.now() - t1).toBe(131_000);
    const bad = await run(s, 'kubectl exec client -- wget -T x http://web/');
    expect([bad.status, bad.err]).toEqual([1, "wget: invalid number 'x'\ncommand terminated with exit code 1\n"]);
  });

  it('rejects bad options with glibc getopt\'s message and busybox\'s usage', async () => {
    const s = await session();
    const x = await run(s, 'kubectl exec client -- wget -x http://web/');
    expect(x.status).toBe(1);
    expect(x.err).toMatch(/^wget: invalid option -- 'x'\nBusyBox v1\.36\.1 .*\n\nUsage: wget \[-cqS\] \[--spider\]/);
    expect((await run(s, 'kubectl exec client -- wget -O')).err).toMatch(/^wget: option requires an argument -- 'O'\n/);
    expect((await run(s, 'kubectl exec client -- wget --foo=1 http://web/')).err).toMatch(/^wget: unrecognized option '--foo=1'\n/);
    expect((await run(s, 'kubectl exec client -- wget --spider=1 http://web/')).err).toMatch(/^wget: option '--spider' doesn't allow an argument\n/);
    expect((await run(s, 'kubectl exec client -- wget --no-c http://web/')).err).toMatch(/^wget: option '--no-c' is ambiguous; possibilities: '--no-check-certificate' '--no-cache' '--no-clobber'\n/);
    // An unambiguous prefix is enough.
    expect((await run(s, 'kubectl exec client -- wget --spi http://web/')).status).toBe(0);
  });

  it('sends busybox\'s request: Host with the port, User-Agent Wget, Connection: close', async () => {
    const s = await session();
    await run(s, 'kubectl exec client -- wget -qO- http://web:80/nope');
    const logs = await run(s, 'kubectl logs -l app=web --tail=2');
    expect(logs.out).toContain('host: "web:80"');
    expect(logs.out).toContain('"GET /nope HTTP/1.1" 404');
    expect(logs.out).toContain('"Wget"');
  });
});
