import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../labs/catalog';
import { ScriptClock, transcript } from '../../labs/transcript';
import { labSession } from '../../../tests/support/session';

/** nslookup and dig on a node: Ubuntu's bind9-dnsutils, asking the node's resolver unless told. */
describe('BIND tools on the nodes', () => {
  it('nslookup NAME 10.96.0.10 finds a Service; without the server the LAN router does not know it', async () => {
    const clock = new ScriptClock(REFERENCE_TIME);
    const session = await labSession({ lab: 'fixture-web', seed: 1, scheduler: clock });
    const ip = session.sim.state.k8s.services['default/web']!.spec.clusterIP!;
    const out = await transcript(session, clock, ['ssh node-1', 'nslookup web.default.svc.cluster.local 10.96.0.10', 'nslookup web', 'dig @10.96.0.10 +short web.default.svc.cluster.local', 'dig web.default.svc.cluster.local | head -2']);
    expect(out).toContain(`# nslookup web.default.svc.cluster.local 10.96.0.10\nServer:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tweb.default.svc.cluster.local\nAddress: ${ip}\n\n`);
    expect(out).toMatch(/# nslookup web\nServer:\t\t192\.168\.\d+\.1\nAddress:\t192\.168\.\d+\.1#53\n\n\*\* server can't find web: NXDOMAIN\n/);
    expect(out).toContain(`# dig @10.96.0.10 +short web.default.svc.cluster.local\n${ip}\n`);
    expect(out).toContain('\n; <<>> DiG 9.18.30-0ubuntu0.24.04.2-Ubuntu <<>> web.default.svc.cluster.local\n');
  });
});
