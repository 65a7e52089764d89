/**
 * The sandbox's built-in commands.
 *
 * Design notes: one file per command; this is the only list of them. Labs may register
 * more (the `answer` command) on the registry this returns.
 */
import { Registry } from '../registry';
import { clear } from './clear';
import { exit } from './exit';
import { helpCommand } from './help';
import { hostname } from './hostname';
import { kubectl } from './kubectl/index';
import { pingBusybox } from './ping-busybox';

export function createRegistry(): Registry {
  const registry = new Registry();
  registry.register(kubectl, pingBusybox, clear, exit, hostname, helpCommand(() => registry.all()));
  return registry;
}
