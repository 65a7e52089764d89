/**
 * `kubectl create configmap|secret generic|secret tls|ingress`: the generators for ConfigMaps,
 * Secrets and Ingresses.
 *
 * Design notes: they build the object kubectl v1.32's generators build
 * (pkg/cmd/create/create_configmap.go, create_secret.go, create_secret_tls.go,
 * create_ingress.go) from the workstation's files, with the same client-side errors:
 * `--from-literal=k=v` (a string array: commas are part of the value), `--from-file=[key=]path`
 * (a string slice: commas separate sources; a directory adds each regular file; a file that
 * is not UTF-8 goes to binaryData), `--from-env-file` (KEY=value lines, `#` comments; a line
 * without `=` takes the variable from kubectl's environment, empty in the sandbox). Secrets
 * hold base64 data; `secret tls` reads `--cert` and `--key` and checks that both hold PEM
 * blocks of the right kind (the sandbox does not parse certificates, so a mismatched pair is
 * not refused as Go's tls.X509KeyPair would). `create ingress` follows kubectl's rule syntax
 * `host/path=svc:port[,tls[=secret]]`: a path ending in `*` is Prefix, otherwise Exact; rules
 * for one host share its rule; `tls` adds the host to a TLS entry per secret.
 * `--dry-run=client` prints without creating (with `-o yaml|json` the object kubectl built,
 * `creationTimestamp: null` and all); `--dry-run=server` validates on a copy; `-o name`.
 */
import { clone } from '../../../sim/clone';
import { ApiError, createIngress } from '../../../sim/k8s/api';
import { admit } from '../../../sim/k8s/validation';
import { base64Bytes, base64Of, createStored, storedKind } from '../../../sim/k8s/objects';
import { LAST_APPLIED } from '../../../sim/k8s/manifests';
import { canonicalJson } from '../../../sim/k8s/names';
import type { Ingress, IngressBackend } from '../../../sim/k8s/types';
import { isDirectory, listDirectory, readFile, resolvePath } from '../../../sim/files';
import { rngOver } from '../../../sim/rng';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { dryRunOf } from './apply';
import { parseFlags, str, type FlagSpec } from './flags';
import { goYaml, sortKeys } from './go-yaml';
import { apiContext } from './mutate';

const COMMON: FlagSpec[] = [
  { name: 'namespace', short: 'n', type: 'string' },
  { name: 'output', short: 'o', type: 'string' },
  { name: 'dry-run', type: 'string', bare: 'unchanged' },
  { name: 'save-config', type: 'bool' },
  { name: 'validate', type: 'string' },
];

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const CONFIG_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

const fail = (msg: string): never => {
  throw new CommandError('INVALID', `error: ${msg}`);
};

function configKeyErrors(k: string): string[] {
  const errs: string[] = [];
  if (k.length > 253) errs.push('must be no more than 253 characters');
  if (!CONFIG_KEY.test(k)) errs.push(CONFIG_KEY_MSG);
  if (k === '.') errs.push("must not be '.'");
  else if (k === '..') errs.push("must not be '..'");
  else if (k.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** util.ParseLiteralSource. */
function literal(source: string): [string, string] {
  const at = source.indexOf('=');
  if (at <= 0) fail(`invalid literal source ${source}, expected key=value`);
  return [source.slice(0, at), source.slice(at + 1)];
}

/** util.ParseFileSource. */
function fileSource(source: string): [string, string] {
  const n = (source.match(/=/g) ?? []).length;
  if (n === 0) return [source.replace(/\/+$/, '').split('/').pop() ?? source, source];
  if (n === 1 && source.startsWith('=')) fail(`key name for file path ${source.slice(1)} missing`);
  if (n === 1 && source.endsWith('=')) fail(`file path for key name ${source.slice(0, -1)} missing`);
  if (n > 1) fail("key names or file paths cannot contain '='");
  const [k, p] = source.split('=') as [string, string];
  return [k, p];
}

const isUtf8Text = (s: string): boolean => !/[\x00-\x08\x0e-\x1f]/.test(s);

interface Entry {
  key: string;
  text?: string;
  /** Bytes as a binary string, for binaryData. */
  binary?: string;
}

/** The keys and values `--from-file` sources name, read from the workstation. */
function readFileSources(ctx: CommandContext, sources: string[]): Entry[] {
  const state = ctx.env.sim.state;
  const out: Entry[] = [];
  for (const src of sources) {
    const [key, path] = fileSource(src);
    if (isDirectory(state, 'workstation', path)) {
      if (src.includes('=')) fail('cannot give a key name for a directory path');
      const dir = resolvePath('workstation', path);
      for (const e of listDirectory(state, 'workstation', path).filter((x) => !x.dir).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const f = readFile(state, 'workstation', `${dir}/${e.name}`)!;
        out.push(f.binary || !isUtf8Text(f.content) ? { key: e.name, binary: f.content } : { key: e.name, text: f.content });
      }
      continue;
    }
    const f = readFile(state, 'workstation', path);
    if (!f) fail(`error reading ${path}: no such file or directory`);
    out.push(f!.binary || !isUtf8Text(f!.content) ? { key, binary: f!.content } : { key, text: f!.content });
  }
  return out;
}

/** cmdutil.AddFromEnvFile. */
function readEnvFiles(ctx: CommandContext, files: string[]): Entry[] {
  const state = ctx.env.sim.state;
  const out: Entry[] = [];
  for (const path of files) {
    if (isDirectory(state, 'workstation', path)) fail('env config file cannot be a directory');
    const f = readFile(state, 'workstation', path);
    if (!f) fail(`error reading ${path}: no such file or directory`);
    f!.content.split('\n').forEach((raw, i) => {
      const line = (i === 0 ? raw.replace(/^\uFEFF/, '') : raw).replace(/\r$/, '').trimStart();
      if (line === '' || line.startsWith('#')) return;
      const at = line.indexOf('=');
      const key = at < 0 ? line : line.slice(0, at);
      if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(key)) {
        fail(`${JSON.stringify(key)} is not a valid key name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`);
      }
      out.push({ key, text: at < 0 ? '' : line.slice(at + 1) });
    });
  }
  return out;
}

function nameArg(args: string[], cmd: string): string {
  if (args.length === 0) throw new CommandError('USAGE', 'error: exactly one NAME is required, got 0', 1, `See '${cmd} -h' for help and examples`);
  if (args.length > 1) throw new CommandError('USAGE', `error: exactly one NAME is required, got ${args.length}`, 1, `See '${cmd} -h' for help and examples`);
  return args[0]!;
}

/** Prints the built object or stores it, as kubectl's create generators end. */
function finish(ctx: CommandContext, flags: ReturnType<typeof parseFlags>, obj: Record<string, unknown>, ref: string, store: (c: ReturnType<typeof apiContext>) => Record<string, unknown>, wrap: (e: ApiError) => string): number {
  const output = str(flags, 'output');
  if (output !== undefined && !['yaml', 'json', 'name'].includes(output)) {
    throw new CommandError('INVALID', `error: unable to match a printer suitable for the output format "${output}", allowed formats are: json,name,yaml`);
  }
  const dry = dryRunOf(str(flags, 'dry-run'));
  if (flags.values['save-config'] === true) {
    const meta = obj.metadata as Record<string, unknown>;
    meta.annotations = { ...((meta.annotations as Record<string, string> | undefined) ?? {}), [LAST_APPLIED]: canonicalJson(obj) + '\n' };
  }
  let printed = obj;
  if (dry !== 'client') {
    const base = apiContext(ctx);
    const target = dry === 'server' ? { ...base, state: clone(base.state), rng: rngOver(clone(base.state.rng)) } : base;
    try {
      printed = store(target);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      throw new CommandError(e.reason === 'NotFound' ? 'NOT_FOUND' : e.reason === 'AlreadyExists' ? 'ALREADY_EXISTS' : 'INVALID', wrap(e));
    }
  }
  const suffix = dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : '';
  if (output === 'yaml') ctx.stdout.write(goYaml(sortKeys(printed)));
  else if (output === 'json') ctx.stdout.write(JSON.stringify(sortKeys(printed), null, 4) + '\n');
  else if (output === 'name') ctx.stdout.write(`${ref}\n`);
  else ctx.stdout.write(`${ref} created${suffix}\n`);
  return 0;
}

function checkNamespace(ctx: CommandContext, namespace: string, wrap: (e: ApiError) => string): void {
  if (!ctx.env.sim.state.k8s.namespaces[namespace]) throw new CommandError('NOT_FOUND', wrap(new ApiError('NotFound', `namespaces "${namespace}" not found`)));
}

export function createConfigMapCmd(ctx: CommandContext, argv: string[]): number {
  const cmd = 'kubectl create configmap';
  const flags = parseFlags(argv, [...COMMON, { name: 'from-literal', type: 'string' }, { name: 'from-file', type: 'string' }, { name: 'from-env-file', type: 'string' }, { name: 'append-hash', type: 'bool' }], cmd);
  const name = nameArg(flags.args, cmd);
  const literals = flags.lists['from-literal'] ?? [];
  const files = (flags.lists['from-file'] ?? []).flatMap((v) => v.split(','));
  const envFiles = (flags.lists['from-env-file'] ?? []).flatMap((v) => v.split(','));
  if (envFiles.length > 0 && (files.length > 0 || literals.length > 0)) fail('from-env-file cannot be combined with from-file or from-literal');
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  const add = (e: Entry): void => {
    const errs = configKeyErrors(e.key);
    if (errs.length) fail(`${JSON.stringify(e.key)} is not a valid key name for a ConfigMap: ${errs.join(',')}`);
    if (e.key in data) fail(`cannot add key ${JSON.stringify(e.key)}, another key by that name already exists in Data for ConfigMap ${JSON.stringify(name)}`);
    if (e.key in binaryData) fail(`cannot add key ${JSON.stringify(e.key)}, another key by that name already exists in BinaryData for ConfigMap ${JSON.stringify(name)}`);
    if (e.binary !== undefined) binaryData[e.key] = base64Bytes(Array.from(e.binary, (c) => c.charCodeAt(0) & 0xff));
    else data[e.key] = e.text ?? '';
  };
  for (const e of readFileSources(ctx, files)) add(e);
  for (const l of literals) {
    const [k, v] = literal(l);
    add({ key: k, text: v });
  }
  for (const e of readEnvFiles(ctx, envFiles)) add(e);
  const nsFlag = str(flags, 'namespace');
  const namespace = nsFlag ?? 'default';
  const obj: Record<string, unknown> = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { creationTimestamp: null, name, ...(nsFlag !== undefined ? { namespace } : {}) },
    ...(Object.keys(data).length ? { data } : {}),
    ...(Object.keys(binaryData).length ? { binaryData } : {}),
  };
  const wrap = (e: ApiError): string => `error: failed to create configmap: ${e.message}`;
  return finish(ctx, flags, obj, `configmap/${name}`, (c) => {
    admit(c.state, 'ConfigMap', obj);
    checkNamespace(ctx, namespace, wrap);
    return createStored(c, storedKind('ConfigMap')!, namespace, name, obj) as unknown as Record<string, unknown>;
  }, wrap);
}

export function createSecretCmd(ctx: CommandContext, argv: string[]): number {
  const typeAt = argv.findIndex((a, i) => !a.startsWith('-') && !['-n', '--namespace', '-o', '--output'].includes(argv[i - 1] ?? ''));
  const sub = typeAt >= 0 ? argv[typeAt] : undefined;
  const rest = typeAt >= 0 ? [...argv.slice(0, typeAt), ...argv.slice(typeAt + 1)] : argv;
  if (sub === 'generic') return secretGeneric(ctx, rest);
  if (sub === 'tls') return secretTls(ctx, rest);
  if (sub === 'docker-registry') throw new CommandError('UNSUPPORTED', 'error: the sandbox does not support "kubectl create secret docker-registry" (it has no registry); use generic or tls');
  if (sub === undefined) {
    ctx.stderr.write(`Create a secret with specified type.\n\n A docker-registry type secret is for accessing a container registry.\n\n A generic type secret indicate an Opaque secret type.\n\n A tls type secret holds TLS certificate and its associated key.\n\nAvailable Commands:\n  docker-registry   Create a secret for use with a Docker registry\n  generic           Create a secret from a local file, directory, or literal value\n  tls               Create a TLS secret\n\nUsage:\n  kubectl create secret (docker-registry | generic | tls) [options]\n\nUse "kubectl create secret <command> --help" for more information about a given command.\nUse "kubectl options" for a list of global command-line options (applies to all commands).\n`);
    return 1;
  }
  throw new CommandError('USAGE', `error: unknown command "${sub}" for "kubectl create secret"`, 1, "Run 'kubectl create secret --help' for usage.");
}

function secretGeneric(ctx: CommandContext, argv: string[]): number {
  const cmd = 'kubectl create secret generic';
  const flags = parseFlags(argv, [...COMMON, { name: 'from-literal', type: 'string' }, { name: 'from-file', type: 'string' }, { name: 'from-env-file', type: 'string' }, { name: 'type', type: 'string' }, { name: 'append-hash', type: 'bool' }], cmd);
  const name = nameArg(flags.args, cmd);
  const literals = flags.lists['from-literal'] ?? [];
  const files = (flags.lists['from-file'] ?? []).flatMap((v) => v.split(','));
  const envFiles = (flags.lists['from-env-file'] ?? []).flatMap((v) => v.split(','));
  if (envFiles.length > 0 && (files.length > 0 || literals.length > 0)) fail('from-env-file cannot be combined with from-file or from-literal');
  const data: Record<string, string> = {};
  const add = (e: Entry): void => {
    const errs = configKeyErrors(e.key);
    if (errs.length) fail(`${JSON.stringify(e.key)} is not valid key name for a Secret ${errs.join(';')}`);
    if (e.key in data) fail(`cannot add key ${e.key}, another key by that name already exists`);
    data[e.key] = e.binary !== undefined ? base64Bytes(Array.from(e.binary, (c) => c.charCodeAt(0) & 0xff)) : base64Of(e.text ?? '');
  };
  for (const l of literals) {
    const [k, v] = literal(l);
    add({ key: k, text: v });
  }
  for (const e of readFileSources(ctx, files)) add(e);
  for (const e of readEnvFiles(ctx, envFiles)) add(e);
  const type = str(flags, 'type') ?? '';
  return secretFinish(ctx, flags, name, data, type);
}

function secretTls(ctx: CommandContext, argv: string[]): number {
  const cmd = 'kubectl create secret tls';
  const flags = parseFlags(argv, [...COMMON, { name: 'cert', type: 'string' }, { name: 'key', type: 'string' }, { name: 'append-hash', type: 'bool' }], cmd);
  const name = nameArg(flags.args, cmd);
  const certPath = str(flags, 'cert') ?? '';
  const keyPath = str(flags, 'key') ?? '';
  if (certPath === '' || keyPath === '') fail('key and cert must be specified');
  const read = (p: string): string => {
    const f = readFile(ctx.env.sim.state, 'workstation', p);
    if (!f || isDirectory(ctx.env.sim.state, 'workstation', p)) fail(`Cannot read file ${p}, open ${p}: ${f ? 'is a directory' : 'no such file or directory'}`);
    return f!.content;
  };
  const cert = read(certPath);
  const key = read(keyPath);
  if (!/-----BEGIN [A-Z ]+-----/.test(cert)) fail('tls: failed to find any PEM data in certificate input');
  if (!/-----BEGIN CERTIFICATE-----/.test(cert)) fail('tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: [' + [...cert.matchAll(/-----BEGIN ([A-Z ]+)-----/g)].map((m) => m[1]).join(' ') + ']');
  if (!/-----BEGIN [A-Z ]+-----/.test(key)) fail('tls: failed to find any PEM data in key input');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) fail('tls: found a certificate rather than a key in the PEM for the private key');
  return secretFinish(ctx, flags, name, { 'tls.crt': base64Of(cert), 'tls.key': base64Of(key) }, 'kubernetes.io/tls');
}

function secretFinish(ctx: CommandContext, flags: ReturnType<typeof parseFlags>, name: string, data: Record<string, string>, type: string): number {
  const nsFlag = str(flags, 'namespace');
  const namespace = nsFlag ?? 'default';
  const obj: Record<string, unknown> = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { creationTimestamp: null, name, ...(nsFlag !== undefined ? { namespace } : {}) },
    ...(Object.keys(data).length ? { data } : {}),
    ...(type ? { type } : {}),
  };
  const wrap = (e: ApiError): string => `error: failed to create secret ${e.message}`;
  return finish(ctx, flags, obj, `secret/${name}`, (c) => {
    admit(c.state, 'Secret', obj);
    checkNamespace(ctx, namespace, wrap);
    return createStored(c, storedKind('Secret')!, namespace, name, obj) as unknown as Record<string, unknown>;
  }, wrap);
}

/** kubectl's rule check: `host/path=svc:port[,tls[=secret]]`. */
const RULE = /^([\w*\-.]*)(\/.*)=([\w-]+):([\w-]+)(,(tls)=?([\w-]+)?)?/;

type Rules = NonNullable<Ingress['spec']['rules']>;

function backend(service: string): IngressBackend {
  const [svc, port] = service.split(':') as [string, string];
  return { service: { name: svc, port: /^-?\d+$/.test(port) ? { number: Number(port) } : { name: port } } };
}

export function createIngressCmd(ctx: CommandContext, argv: string[]): number {
  const cmd = 'kubectl create ingress';
  const flags = parseFlags(argv, [...COMMON, { name: 'class', type: 'string' }, { name: 'rule', type: 'string' }, { name: 'default-backend', type: 'string' }, { name: 'annotation', type: 'string' }], cmd);
  const name = nameArg(flags.args, cmd);
  const rules = flags.lists['rule'] ?? [];
  const annotations = flags.lists['annotation'] ?? [];
  const def = str(flags, 'default-backend') ?? '';
  if (def === '' && rules.length === 0) fail('not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)');
  for (const r of rules) if (!RULE.test(r)) fail(`rule ${r} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]`);
  for (const a of annotations) if (!a.includes('=')) fail(`annotation ${a} is invalid and should be in format key=[value]`);
  if (def !== '' && def.split(':').length !== 2) fail('default-backend should be in format servicename:serviceport');

  // buildTLSRules
  const tls: { hosts?: string[]; secretName?: string }[] = [];
  const seen = new Set<string>();
  for (const r of rules) {
    const parts = r.split(',');
    if (parts.length !== 2) continue;
    const host = r.split('/')[0]!;
    const s = parts[1]!.split('=');
    const secret = s.length > 1 ? s[1]! : '';
    if (seen.has(host)) continue;
    const idx = tls.findIndex((t) => (t.secretName ?? '') === secret);
    seen.add(host);
    if (idx > -1) {
      (tls[idx]!.hosts ??= []).push(host);
      continue;
    }
    const entry: { hosts?: string[]; secretName?: string } = {};
    if (host !== '') entry.hosts = [host];
    if (secret !== '') entry.secretName = secret;
    if (entry.hosts || entry.secretName) tls.push(entry);
  }
  // buildIngressRules
  const built: Rules = [];
  for (const r of rules) {
    const noTls = r.split(',')[0]!;
    const slash = noTls.indexOf('/');
    const host = noTls.slice(0, slash);
    const [p, svc] = noTls.slice(slash + 1).split('=') as [string, string];
    let path = '/' + p;
    let pathType: 'Exact' | 'Prefix' = 'Exact';
    if (path.endsWith('*')) {
      pathType = 'Prefix';
      path = path.slice(0, -1);
    }
    const entry = { path, pathType, backend: backend(svc) };
    const existing = built.find((x) => (x.host ?? '') === host);
    if (existing) existing.http!.paths.push(entry);
    else built.push({ ...(host ? { host } : {}), http: { paths: [entry] } });
  }
  const ann = Object.fromEntries(annotations.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
  const cls = str(flags, 'class') ?? '';
  const nsFlag = str(flags, 'namespace');
  const namespace = nsFlag ?? 'default';
  const spec = {
    ...(def ? { defaultBackend: backend(def) } : {}),
    ...(cls ? { ingressClassName: cls } : {}),
    ...(built.length ? { rules: built } : {}),
    ...(tls.length ? { tls } : {}),
  };
  const obj: Record<string, unknown> = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { creationTimestamp: null, name, ...(nsFlag !== undefined ? { namespace } : {}), ...(Object.keys(ann).length ? { annotations: ann } : {}) },
    spec,
    status: { loadBalancer: {} },
  };
  const wrap = (e: ApiError): string => `error: failed to create ingress: ${e.message}`;
  return finish(ctx, flags, obj, `ingress.networking.k8s.io/${name}`, (c) => {
    admit(c.state, 'Ingress', obj);
    checkNamespace(ctx, namespace, wrap);
    const ing = createIngress(c, { name, namespace, rules: built, ...(cls ? { ingressClassName: cls } : {}), ...(def ? { defaultBackend: backend(def) } : {}) });
    if (tls.length) (ing.spec as Record<string, unknown>).tls = tls;
    const extra = { ...ann, ...(((obj.metadata as Record<string, unknown>).annotations as Record<string, string> | undefined) ?? {}) };
    if (Object.keys(extra).length) ing.metadata.annotations = extra;
    return ing as unknown as Record<string, unknown>;
  }, wrap);
}
