/**
 * The sandbox's built-in commands.
 *
 * Design notes: one file per command; this is the only list of them. Labs may register
 * more (the `answer` command) on the registry this returns.
 */
import { Registry } from '../registry';
import { bridge } from './bridge';
import { nslookup, wget } from './busybox-net';
import { cat } from './cat';
import { clear } from './clear';
import { conntrack } from './conntrack';
import { curl } from './curl';
import { exit } from './exit';
import { helpCommand } from './help';
import { hostname } from './hostname';
import { ip } from './ip';
import { iptablesSave } from './iptables-save';
import { kubectl } from './kubectl/index';
import { pingBusybox } from './ping-busybox';
import { pingIputils } from './ping-iputils';
import { ssh } from './ssh';
import { traceroute } from './traceroute';
import { awk, cut, grep, head, sort, tail, uniq, wc } from './text';

export function createRegistry(): Registry {
  const registry = new Registry();
  registry.register(kubectl, pingBusybox, pingIputils, traceroute, bridge, nslookup, wget, cat, ssh, ip, iptablesSave, conntrack, curl, grep, head, tail, wc, sort, uniq, cut, awk, clear, exit, hostname, helpCommand(() => registry.all()));
  return registry;
}
