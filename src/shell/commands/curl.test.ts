import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../labs/catalog';
import { LabSession } from '../../labs/session';
import { ScriptClock } from '../../labs/transcript';
import { readFile } from '../../sim/files';
import { formatWriteOut } from './curl';
import { labSession } from '../../../tests/support/session';

/** stdout and stderr in one stream, in the order they were written, as a terminal shows them. */
async function run(session: LabSession, line: string): Promise<{ out: string; stdout: string; status: number }> {
  let out = '';
  let stdout = '';
  const status = await session.run(line, { write: (t: string) => void ((out += t), (stdout += t)) }, { write: (t: string) => void (out += t) });
  return { out, stdout, status };
}

async function session(): Promise<LabSession> {
  return labSession({ lab: 'fixture-web', seed: 1, scheduler: new ScriptClock(REFERENCE_TIME, 60_000) });
}

const WEB = 'web-7788985cd4-46bg9';

describe('curl --write-out', () => {
  it('prints 000 after the error message when no response came, with the error\'s exit code', async () => {
    const s = await session();
    const refused = await run(s, `kubectl exec ${WEB} -- curl -sS -o /dev/null -w '%{http_code} [%{remote_ip}] %{remote_port}\\n' http://10.244.2.2:81/`);
    expect(refused.out).toBe("curl: (7) Failed to connect to 10.244.2.2 port 81 after 0 ms: Couldn't connect to server\n000 [] 0\ncommand terminated with exit code 7\n");
    expect(refused.status).toBe(7);
    const silent = await run(s, `kubectl exec ${WEB} -- curl -s -o /dev/null -w '%{http_code}\\n' http://nope/`);
    expect([silent.out, silent.status]).toEqual(['000\ncommand terminated with exit code 6\n', 6]);
    const shown = await run(s, `kubectl exec ${WEB} -- curl -sS -w '%{http_code}\\n' http://nope/`);
    expect(shown.out).toBe('curl: (6) Could not resolve host: nope\n000\ncommand terminated with exit code 6\n');
    const timeout = await run(s, "curl -s -m 2 -w '%{http_code} %{time_total}\\n' http://10.96.0.1/");
    expect([timeout.out, timeout.status]).toEqual(['000 2.001000\n', 28]);
  });

  it('reports the status, peer and time of a response', async () => {
    const s = await session();
    const r = await run(s, `kubectl exec ${WEB} -- curl -s -o /dev/null -w '%{http_code} %{response_code} %{remote_ip}:%{remote_port} %{time_total}\\n' http://web/nope`);
    const svc = s.sim.state.k8s.services['default/web']!.spec.clusterIP!;
    expect(r.out).toMatch(new RegExp(`^404 404 ${svc.replace(/\./g, '\\.')}:80 0\\.\\d{6}\\n$`));
    expect(r.status).toBe(0);
  });

  it('follows curl\'s write-out syntax', () => {
    const info = { status: '200', remoteIp: '10.0.0.1', remotePort: 80, totalMs: 1.5 };
    const warnings: string[] = [];
    expect(formatWriteOut('%{http_code}\\t%%{x}\\r\\n\\q %z %{nope}%{toString}%{', info, (w) => warnings.push(w))).toBe('200\t%{x}\r\n\\q %z %{');
    expect(warnings).toEqual(["curl: unknown --write-out variable: 'nope'\n", "curl: unknown --write-out variable: 'toString'\n"]);
    expect(formatWriteOut('%{time_total}', info, () => undefined)).toBe('0.001500');
  });
});

describe('curl -o and -I', () => {
  it('-o FILE stores what would have been printed; a failed connection creates no file', async () => {
    const s = await session();
    const r = await run(s, 'ssh node-1');
    expect(r.status).toBe(0);
    expect((await run(s, 'curl -s -o page.html http://10.244.1.2/')).out).toBe('');
    const page = readFile(s.sim.state, 'node-1', '/root/page.html')?.content ?? '';
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect((await run(s, 'curl -si -o /tmp/with-headers http://10.244.1.2/')).status).toBe(0);
    expect(readFile(s.sim.state, 'node-1', '/tmp/with-headers')?.content).toBe(`HTTP/1.1 200 OK\r\nServer: nginx/1.27.5\r\nContent-Type: text/html\r\nContent-Length: ${page.length}\r\nConnection: close\r\n\r\n${page}`);
    expect((await run(s, 'curl -s -o /tmp/none http://10.244.1.2:81/')).status).toBe(7);
    expect(readFile(s.sim.state, 'node-1', '/tmp/none')).toBeUndefined();
    // -S shows the error but, like -s, not the warning before it.
    const bad = await run(s, 'curl -sS -o /nodir/x http://10.244.1.2/');
    expect([bad.out, bad.status]).toEqual(['curl: (23) Failure writing output to destination\n', 23]);
    expect((await run(s, 'curl -o /nodir/x http://10.244.1.2/')).out).toContain('Warning: Failed to open the file /nodir/x: No such file or directory\ncurl: (23) Failure writing output to destination\n');
    expect((await run(s, 'curl -s -o /nodir/x http://10.244.1.2/')).out).toBe('');
  });

  it('-I sends HEAD and prints the headers of GET as received, with no body', async () => {
    const s = await session();
    const get = await run(s, `kubectl exec ${WEB} -- curl -s http://10.244.1.2/nope`);
    const head = await run(s, `kubectl exec ${WEB} -- curl -sI http://10.244.1.2/nope`);
    // The header lines come out as they were received, CRLF included.
    expect(head.stdout).toBe(`HTTP/1.1 404 Not Found\r\nServer: nginx/1.27.5\r\nContent-Type: text/html\r\nContent-Length: ${get.stdout.length}\r\nConnection: close\r\n\r\n`);
    const logs = await run(s, `kubectl logs ${WEB} --tail=1`);
    expect(logs.stdout).toContain('"HEAD /nope HTTP/1.1" 404 0 ');
  });
});

describe('curl option grouping and --fail', () => {
  it('a value-taking letter ends a group and takes the rest of the word or the next word', async () => {
    const s = await session();
    const next = await run(s, `kubectl exec ${WEB} -- curl -w '%{http_code}\\n' -so /dev/null http://web/`);
    expect([next.out, next.status]).toEqual(['200\n', 0]);
    const attached = await run(s, `kubectl exec ${WEB} -- curl -sSo/dev/null -w '%{http_code}\\n' http://web/nope`);
    expect([attached.out, attached.status]).toEqual(['404\n', 0]);
    const unknown = await run(s, `kubectl exec ${WEB} -- curl -sZ http://web/`);
    expect(unknown.out).toBe("curl: option -sZ: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\ncommand terminated with exit code 2\n");
  });

  it('-f makes an HTTP error curl error 22 with no body; -s hides the message, -S shows it', async () => {
    const s = await session();
    const quiet = await run(s, `kubectl exec ${WEB} -- curl -fs http://web/nope`);
    expect([quiet.out, quiet.status]).toEqual(['command terminated with exit code 22\n', 22]);
    const shown = await run(s, `kubectl exec ${WEB} -- curl -fsS -w '%{http_code}\\n' http://web/nope`);
    expect(shown.out).toBe('curl: (22) The requested URL returned error: 404\n404\ncommand terminated with exit code 22\n');
    const ok = await run(s, `kubectl exec ${WEB} -- curl -fsS -o /dev/null -w '%{http_code}\\n' http://web/`);
    expect([ok.out, ok.status]).toEqual(['200\n', 0]);
  });
});

describe('curl --resolve and URL errors', () => {
  it('--resolve sends HOST at PORT to the address given, keeping the Host header, without the resolver', async () => {
    const s = await session();
    const r = await run(s, `kubectl exec ${WEB} -- curl -sv --resolve shop.example:80:${s.sim.state.k8s.services['default/web']!.spec.clusterIP} -o /dev/null http://shop.example/`);
    expect(r.out).toContain('* Added shop.example:80:');
    expect(r.out).toContain('* Hostname shop.example was found in DNS cache');
    expect(r.out).toContain('> Host: shop.example\r\n');
    expect(r.status).toBe(0);
    // Another port is not pinned: the resolver is asked, and knows no such name.
    const other = await run(s, `kubectl exec ${WEB} -- curl -sS --resolve shop.example:80:10.0.0.1 http://shop.example:8080/`);
    expect(other.out).toBe('curl: (6) Could not resolve host: shop.example\ncommand terminated with exit code 6\n');
    const bad = await run(s, 'curl --resolve shop.example http://shop.example/');
    expect([bad.out, bad.status]).toEqual(["curl: (49) Couldn't parse CURLOPT_RESOLVE entry 'shop.example'\n", 49]);
  });

  it('a port that is not a number and a URL without a host are error 3', async () => {
    const s = await session();
    const port = await run(s, 'curl http://10.0.0.1:NODEPORT/');
    expect([port.out, port.status]).toEqual(['curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535\n', 3]);
    expect((await run(s, 'curl http://10.0.0.1:65536/')).status).toBe(3);
    const host = await run(s, 'curl http://:80/');
    expect([host.out, host.status]).toEqual(['curl: (3) URL rejected: No host part in the URL\n', 3]);
  });
});
