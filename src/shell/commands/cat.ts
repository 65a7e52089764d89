/**
 * `cat` of the files that say how a machine is networked.
 *
 * Design notes: the files are generated from the model, with the content real machines have:
 * in a pod, `/etc/resolv.conf` (ClusterFirst: search list, 10.96.0.10, ndots:5), the
 * kubelet-managed `/etc/hosts` and `/etc/hostname`; on a node, flannel's
 * `/run/flannel/subnet.env` and `/etc/cni/net.d/10-flannel.conflist`,
 * `/proc/sys/net/ipv4/ip_forward`, `/etc/resolv.conf` and `/etc/hostname`. `cat` without a
 * file copies its input, as in a pipeline.
 * Left out: every other file (`No such file or directory`); files the learner writes come
 * with the lab editor.
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { formatCidr, formatIp } from '../../sim/ipv4';
import { resolvConf } from '../../sim/k8s/coredns';
import { podMtu } from '../../sim/cni';

const FLANNEL_CONFLIST = `{
  "name": "cbr0",
  "cniVersion": "0.3.1",
  "plugins": [
    {
      "type": "flannel",
      "delegate": {
        "hairpinMode": true,
        "isDefaultGateway": true
      }
    },
    {
      "type": "portmap",
      "capabilities": {
        "portMappings": true
      }
    }
  ]
}
`;

function files(ctx: CommandContext): Record<string, string> {
  const loc = ctx.env.location;
  const state = ctx.env.sim.state;
  if (loc.kind === 'pod') {
    const pod = ctx.env.sim.pod(loc.namespace, loc.pod);
    return {
      '/etc/resolv.conf': resolvConf(state, loc.namespace),
      '/etc/hostname': `${loc.pod}\n`,
      '/etc/hosts': `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n${pod?.status.podIP ?? ''}\t${loc.pod}\n`,
    };
  }
  if (loc.kind === 'node') {
    const node = state.k8s.nodes[loc.node];
    const out: Record<string, string> = {
      '/etc/hostname': `${loc.node}\n`,
      '/etc/resolv.conf': `nameserver ${formatIp(state.config.gateway)}\n`,
      '/proc/sys/net/ipv4/ip_forward': `${state.netns[loc.ns]?.ipForward ? 1 : 0}\n`,
    };
    if (node) {
      const [net] = node.spec.podCIDR.split('/');
      const parts = net!.split('.');
      parts[3] = String(Number(parts[3]) + 1);
      out['/run/flannel/subnet.env'] = `FLANNEL_NETWORK=${formatCidr(state.config.podCidr)}\nFLANNEL_SUBNET=${parts.join('.')}/${node.spec.podCIDR.split('/')[1]}\nFLANNEL_MTU=${podMtu(state)}\nFLANNEL_IPMASQ=true\n`;
      out['/etc/cni/net.d/10-flannel.conflist'] = FLANNEL_CONFLIST;
    }
    return out;
  }
  return {};
}

export const cat: Command = {
  name: 'cat',
  summary: 'print a file: cat /etc/resolv.conf (in a pod), cat /run/flannel/subnet.env (on a node)',
  usage: 'Usage: cat [FILE]...\nConcatenate FILE(s) to standard output.',
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const names = ctx.argv.slice(1).filter((a) => a !== '-');
    if (names.length === 0) {
      if (ctx.stdin === undefined) throw new CommandError('USAGE', 'cat: reading from the terminal is not supported in this sandbox; give it a file', 1);
      ctx.stdout.write(ctx.stdin);
      return 0;
    }
    const fs = files(ctx);
    let status = 0;
    for (const n of names) {
      const body = fs[n];
      if (body === undefined) {
        ctx.stderr.write(`cat: ${n}: No such file or directory\n`);
        status = 1;
      } else ctx.stdout.write(body);
    }
    return status;
  },
};
