import { describe, expect, it } from 'vitest';
import { downloadName, placeLabel } from './downloads';

describe('capture downloads', () => {
  it('names the place a capture was written in a few words', () => {
    expect(placeLabel('host:router-1')).toBe('router-1');
    expect(placeLabel('node:node-2')).toBe('node-2');
    expect(placeLabel('workstation')).toBe('workstation');
    expect(placeLabel('pod:default/client')).toBe('pod client');
    expect(placeLabel('pod:kube-system/coredns-1')).toBe('pod kube-system/coredns-1');
    expect(placeLabel('container:host-1/web')).toBe('container web on host-1');
  });

  it('saves a file under its own name, adding .pcap only when it has no extension', () => {
    expect(downloadName('/tmp/x.pcap')).toBe('x.pcap');
    expect(downloadName('/root/trace.cap')).toBe('trace.cap');
    expect(downloadName('/root/capture')).toBe('capture.pcap');
    expect(downloadName('/root/odd.')).toBe('odd.pcap');
    expect(downloadName('/')).toBe('capture.pcap');
  });
});
