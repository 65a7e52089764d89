/**
 * `docker version` and `docker --version` / `docker -v`: the versions of the CLI and of the
 * daemon of the Docker host.
 *
 * Design notes: the hosts run Docker Engine - Community 28.5.1 from Docker's apt repository
 * for Ubuntu on amd64: CLI commit e180ab8, engine commit f8215cc, both built with go1.24.8
 * (the package's build time), API 1.51 with minimum 1.24, containerd v1.7.28, runc 1.3.0 and
 * docker-init 0.19.0, as that release's packages report them. The layout is the CLI's
 * default version template rendered through its tabwriter (every value starts 20 characters
 * into its line, in both blocks). `docker --version` prints
 * the CLI's version line.
 * Left out: `--format` / `-f` (Go templates, `json`).
 */
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { acceptsNoArgs, parseFlags, requireHost, type FlagSpec, type SubcommandInfo } from './common';

export const VERSION: SubcommandInfo = { path: 'docker version', use: 'docker version [OPTIONS]' };

const FLAGS: FlagSpec[] = [
  { name: 'format', short: 'f', type: 'string' },
  { name: 'help', type: 'bool' },
];

export const VERSION_USAGE = `Usage:  docker version [OPTIONS]

Show the Docker version information

Options:
  -f, --format string   Format output using a custom template:
                        'json':             Print in JSON format
                        'TEMPLATE':         Print output using the given Go template.
                        Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

/** `docker --version`. */
export const VERSION_LINE = 'Docker version 28.5.1, build e180ab8';

const BUILT = 'Wed Oct  8 12:17:26 2025';

const VERSION_TEXT = `Client: Docker Engine - Community
 Version:           28.5.1
 API version:       1.51
 Go version:        go1.24.8
 Git commit:        e180ab8
 Built:             ${BUILT}
 OS/Arch:           linux/amd64
 Context:           default

Server: Docker Engine - Community
 Engine:
  Version:          28.5.1
  API version:      1.51 (minimum version 1.24)
  Go version:       go1.24.8
  Git commit:       f8215cc
  Built:            ${BUILT}
  OS/Arch:          linux/amd64
  Experimental:     false
 containerd:
  Version:          v1.7.28
  GitCommit:        b98a3aace656320842a23f4a392a33f46af97866
 runc:
  Version:          1.3.0
  GitCommit:        v1.3.0-0-g4ca628d1
 docker-init:
  Version:          0.19.0
  GitCommit:        de40ad0`;

export async function dockerVersion(ctx: CommandContext, argv: string[]): Promise<number> {
  requireHost(ctx);
  const flags = parseFlags(argv, FLAGS, VERSION, true);
  if (flags.bools.has('help')) {
    ctx.stdout.write(VERSION_USAGE + '\n');
    return 0;
  }
  if (flags.args.length > 0) throw acceptsNoArgs(VERSION);
  if (flags.strings.has('format')) throw new CommandError('UNSUPPORTED', 'docker: --format is not supported by docker version in this sandbox', 1);
  ctx.stdout.write(VERSION_TEXT + '\n');
  return 0;
}
