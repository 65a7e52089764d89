/**
 * Images that serve nothing: shells and tool boxes a walk-through execs into.
 *
 * Design notes: `busybox` (its applets; the tag picks the version, busybox.ts in the shell:
 * 1.28's nslookup differs), `alpine` (busybox's applets with musl and apk), `curlimages/curl`
 * (Alpine with curl, running as curl_user), `nicolaka/netshoot` (Alpine with the full network
 * tools), `registry.k8s.io/e2e-test-images/jessie-dnsutils` (Debian jessie with BIND's
 * dnsutils: the DNS debugging page's pod). Their root filesystems' `/etc/os-release` is here.
 */
import { DEFAULT_PATH, type ImageDef } from './image';

const ALPINE_OS_RELEASE = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.20.6
PRETTY_NAME="Alpine Linux v3.20"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`;

const JESSIE_OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 8 (jessie)"
NAME="Debian GNU/Linux"
VERSION_ID="8"
VERSION="8 (jessie)"
ID=debian
HOME_URL="http://www.debian.org/"
SUPPORT_URL="http://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;

const path = (): [string, string][] => [['PATH', DEFAULT_PATH]];

export const busybox: ImageDef = { id: 'busybox', names: ['busybox'], serves: 'nothing (a shell: `sleep`, `sh`)', env: path };

export const alpine: ImageDef = { id: 'alpine', names: ['alpine'], serves: 'nothing (a shell)', env: path, files: () => ({ '/etc/os-release': ALPINE_OS_RELEASE, '/etc/alpine-release': '3.20.6\n' }) };

export const curlImage: ImageDef = {
  id: 'curl',
  repos: ['curlimages/curl'],
  serves: 'nothing (its command is curl)',
  env: () => [['PATH', DEFAULT_PATH], ['CURL_CA_BUNDLE', '/cacert.pem']],
  home: '/home/curl_user',
  files: () => ({ '/etc/os-release': ALPINE_OS_RELEASE, '/etc/alpine-release': '3.20.6\n' }),
};

export const netshoot: ImageDef = { id: 'netshoot', names: ['netshoot'], serves: 'nothing (a tool box: sleep infinity)', env: path, files: () => ({ '/etc/os-release': ALPINE_OS_RELEASE, '/etc/alpine-release': '3.20.6\n' }) };

export const jessieDnsutils: ImageDef = {
  id: 'dnsutils',
  names: ['jessie-dnsutils', 'dnsutils'],
  serves: 'nothing (the DNS debugging pod: sleep, nslookup, dig)',
  env: path,
  files: () => ({ '/etc/os-release': JESSIE_OS_RELEASE, '/etc/debian_version': '8.11\n' }),
};

/**
 * The cluster's own components: host-network pods whose programs the model provides
 * elsewhere (the API server's address, kube-proxy's rules, flannel's routes).
 */
export const system: ImageDef = {
  id: 'system',
  names: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'etcd', 'flannel', 'pause', 'metrics-server', 'local-path-provisioner'],
  serves: 'the cluster\'s own components (modelled by the cluster, not as a listener in a pod)',
  env: path,
};
