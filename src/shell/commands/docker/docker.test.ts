import { describe, expect, it } from 'vitest';
import { humanDuration, goTime } from './common';
import { displayablePorts } from './ps';
import { parsePublish } from './run';
import { keepsRunning } from './container';

describe('docker CLI helpers', () => {
  it('prints go-units human durations', () => {
    expect(humanDuration(400)).toBe('Less than a second');
    expect(humanDuration(1000)).toBe('1 second');
    expect(humanDuration(59_999)).toBe('59 seconds');
    expect(humanDuration(60_000)).toBe('About a minute');
    expect(humanDuration(12 * 60_000)).toBe('12 minutes');
    expect(humanDuration(89 * 60_000)).toBe('About an hour');
    expect(humanDuration(3 * 3_600_000)).toBe('3 hours');
    expect(humanDuration(3 * 86_400_000)).toBe('3 days');
  });

  it('lays out PORTS as DisplayablePorts does', () => {
    expect(displayablePorts([
      { ip: '::', privatePort: 80, publicPort: 8080, type: 'tcp' },
      { ip: '0.0.0.0', privatePort: 80, publicPort: 8080, type: 'tcp' },
    ])).toBe('0.0.0.0:8080->80/tcp, [::]:8080->80/tcp');
    expect(displayablePorts([{ privatePort: 80, type: 'tcp' }])).toBe('80/tcp');
    expect(displayablePorts([
      { ip: '0.0.0.0', privatePort: 81, publicPort: 81, type: 'tcp' },
      { ip: '0.0.0.0', privatePort: 80, publicPort: 80, type: 'tcp' },
      { privatePort: 443, type: 'tcp' },
    ])).toBe('0.0.0.0:80-81->80-81/tcp, 443/tcp');
    expect(displayablePorts([])).toBe('');
  });

  it('parses -p as nat.ParsePortSpec', () => {
    expect(parsePublish('8080:80')).toEqual({ hostPort: 8080, containerPort: 80, protocol: 'tcp' });
    expect(parsePublish('127.0.0.1:5353:53/udp')).toEqual({ hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' });
    expect(parsePublish('80')).toEqual({ hostPort: 0, containerPort: 80, protocol: 'tcp' });
    expect(() => parsePublish('8080:http')).toThrow('docker: invalid containerPort: http');
    expect(() => parsePublish('80/icmp')).toThrow('docker: invalid proto: icmp');
  });

  it('formats times as Go does in JSON', () => {
    expect(goTime(Date.UTC(2025, 2, 14, 9, 30, 0))).toBe('2025-03-14T09:30:00Z');
    expect(goTime(Date.UTC(2025, 2, 14, 9, 30, 0, 120))).toBe('2025-03-14T09:30:00.12Z');
    expect(goTime(undefined)).toBe('0001-01-01T00:00:00Z');
  });

  it('knows which main processes keep a container running', () => {
    expect(keepsRunning({ path: '/docker-entrypoint.sh', args: ['nginx', '-g', 'daemon off;'], openStdin: false })).toBe(true);
    expect(keepsRunning({ path: 'sh', args: [], openStdin: false })).toBe(false);
    expect(keepsRunning({ path: 'sh', args: [], openStdin: true })).toBe(true);
    expect(keepsRunning({ path: 'sleep', args: ['3600'], openStdin: false })).toBe(true);
    expect(keepsRunning({ path: 'ping', args: ['-c', '1', '1.1.1.1'], openStdin: false })).toBe(false);
    expect(keepsRunning({ path: 'hostname', args: [], openStdin: false })).toBe(false);
  });
});
