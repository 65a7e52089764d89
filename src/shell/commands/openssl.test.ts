import { describe, expect, it } from 'vitest';
import { readFile } from '../../sim/files';
import { certificateNames, certificatesIn, commonName, pemBlocks } from '../../sim/tls';
import { openSession } from '../../../tests/support/session';
import { parseSubject } from './openssl';

const REQ = 'openssl req -x509 -nodes -days 365 -newkey rsa:2048 -keyout /tmp/nginx.key -out /tmp/nginx.crt -subj "/CN=my-nginx/O=my-nginx"';

describe('openssl req -x509', () => {
  it('prints OpenSSL 3\'s progress marks on stderr and writes a PKCS#8 key and an X.509 certificate', async () => {
    const { run, session } = await openSession();
    const r = await run(REQ);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines.length).toBe(4);
    for (const l of lines.slice(0, 2)) expect(l).toMatch(/^(?:\.+\+)*\.+\+{65}\*(?:\.+\+)*\.+\+{65}\*(?:\.+\+)*\.+\+{65}$/);
    expect(lines.slice(2)).toEqual(['-----', '']);
    const key = readFile(session.sim.state, 'workstation', '/tmp/nginx.key')!.content;
    const cert = readFile(session.sim.state, 'workstation', '/tmp/nginx.crt')!.content;
    expect(pemBlocks(key).map((b) => b.label)).toEqual(['PRIVATE KEY']);
    // A 2048-bit RSA key in PKCS#8 and its certificate start as real ones do.
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----\nMIIEv[A-Za-z0-9+/]IBADANBgkqhkiG9w0BAQEFAASCBK/);
    expect(cert).toMatch(/^-----BEGIN CERTIFICATE-----\nMIIDLTCCAhWgAwIBAgIU/);
    for (const line of cert.split('\n').slice(1, -3)) expect(line.length).toBe(64);
    const der = certificatesIn(cert)[0]!;
    expect(certificateNames(der)).toEqual({ issuer: [['CN', 'my-nginx'], ['O', 'my-nginx']], subject: [['CN', 'my-nginx'], ['O', 'my-nginx']] });
    expect(commonName(der)).toBe('my-nginx');
    // The Secret generator accepts the pair.
    expect((await run('kubectl create secret tls nginxsecret --key /tmp/nginx.key --cert /tmp/nginx.crt')).stdout).toBe('secret/nginxsecret created\n');
  });

  it('the same seed gives the same files', async () => {
    const a = await openSession();
    const b = await openSession();
    await a.run(REQ);
    await b.run(REQ);
    expect(readFile(a.session.sim.state, 'workstation', '/tmp/nginx.crt')!.content).toBe(readFile(b.session.sim.state, 'workstation', '/tmp/nginx.crt')!.content);
  });

  it('refuses what it would prompt for, and bad input, in OpenSSL\'s words, writing nothing', async () => {
    const { run, session } = await openSession();
    expect((await run('openssl req -x509 -newkey rsa:2048 -keyout k -out c -subj /CN=a')).stderr).toMatch(/without -nodes/);
    expect((await run('openssl req -x509 -nodes -newkey rsa:2048 -keyout k -out c')).stderr).toMatch(/without -subj/);
    expect((await run('openssl req -x509 -nodes -bogus')).stderr).toBe('req: Unrecognized flag bogus\nreq: Use -help for summary.\n');
    expect((await run('openssl frob')).stderr).toBe('Invalid command \'frob\'; type "help" for a list.\n');
    expect((await run('openssl req -x509 -nodes -newkey rsa:2048 -keyout /nope/k -out c -subj /CN=a')).stderr).toBe('req: Can\'t open "/nope/k" for writing, No such file or directory\n');
    expect(readFile(session.sim.state, 'workstation', '/home/learner/c')).toBeUndefined();
    expect((await run('openssl version')).stdout).toBe('OpenSSL 3.0.13 30 Jan 2024 (Library: OpenSSL 3.0.13 30 Jan 2024)\n');
  });

  it('parses -subj', () => {
    expect(parseSubject('/CN=my-nginx/O=my-nginx')).toEqual([['CN', 'my-nginx'], ['O', 'my-nginx']]);
    expect(parseSubject('CN=x')).toBeUndefined();
    expect(parseSubject('/CN')).toBeUndefined();
  });
});
