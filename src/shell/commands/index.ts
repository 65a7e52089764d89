/**
 * The sandbox's built-in commands.
 *
 * Design notes: one file per command; this is the only list of them. Labs may register
 * more (the `answer` command) on the registry this returns.
 */
import { Registry } from '../registry';
import { base64Busybox, base64Gnu } from './base64';
import { bridge } from './bridge';
import { ifconfig, ipBusybox, nslookup, route, wget } from './busybox-net';
import { cat } from './cat';
import { clear } from './clear';
import { conntrack } from './conntrack';
import { curl } from './curl';
import { docker } from './docker/index';
import { dig } from './dig';
import { exit } from './exit';
import { helpCommand } from './help';
import { hostname } from './hostname';
import { ip } from './ip';
import { ipset } from './ipset';
import { ipvsadm } from './ipvsadm';
import { nslookupBind } from './nslookup-bind';
import { nsenter } from './nsenter';
import { iptables } from './iptables';
import { iptablesRestore } from './iptables-restore';
import { iptablesSave } from './iptables-save';
import { kubectl } from './kubectl/index';
import { minikube } from './minikube';
import { pingBusybox } from './ping-busybox';
import { pingIputils } from './ping-iputils';
import { ssh } from './ssh';
import { sysctl } from './sysctl';
import { ss } from './ss';
import { nc } from './nc';
import { openssl } from './openssl';
import { tcpdump } from './tcpdump/tcpdump';
import { traceroute } from './traceroute';
import { awk, cut, grep, head, sort, tail, uniq, wc } from './text';
import { echo } from './echo';
import { printf } from './printf';
import { sed } from './sed';
import { env, printenv } from './env';
import { exportCommand, unset } from './export';
import { history } from './history';
import { ls } from './ls';
import { pwd } from './pwd';
import { rm } from './rm';
import { sleep } from './sleep';
import { touch } from './touch';
import { falseCommand, trueCommand } from './true-false';
import { bracketCommand, testCommand } from './test';
import { seqBusybox, seqGnu } from './seq';
import { ps } from './ps';
import { systemctl } from './systemctl';
import { journalctl } from './journalctl';
import { xargsBusybox, xargsGnu } from './xargs';
import { bashCommand, shCommand } from './sh';

export function createRegistry(): Registry {
  const registry = new Registry();
  registry.register(kubectl, minikube, docker, pingBusybox, pingIputils, traceroute, bridge, nsenter, nslookup, wget, cat, ssh, ip, ss, nc, ipBusybox, ifconfig, route, iptables, dig, nslookupBind, iptablesSave, ipvsadm, ipset, iptablesRestore, conntrack, sysctl, systemctl, journalctl, curl, tcpdump, grep, head, tail, wc, sort, uniq, cut, awk, sed, clear, exit, hostname, ps, echo, printf, exportCommand, unset, history, pwd, trueCommand, falseCommand, sleep, ls, rm, touch, env, printenv, testCommand, bracketCommand, seqGnu, seqBusybox, base64Gnu, base64Busybox, openssl, xargsGnu, xargsBusybox, shCommand, bashCommand, helpCommand((location, image, env) => registry.available(location, image, false, env)));
  return registry;
}
