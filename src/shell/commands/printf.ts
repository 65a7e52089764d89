/**
 * `printf`: the shell builtin (bash's; busybox ash's applet agrees for these conversions).
 *
 * Design notes: the format's escapes (\n \t \\ \a \b \f \r \v \e \NNN \xHH) are interpreted,
 * then each conversion takes the next argument: %s, %b (argument with echo -e escapes),
 * %c, %d/%i, %u, %o, %x/%X, %% with flags `-`, `0`, `+`, space, a width and a precision
 * (also `*`). With more arguments than conversions the format is used again, as POSIX says;
 * missing arguments are empty strings or 0. A number that does not parse prints bash's
 * `printf: x: invalid number` on stderr, counts as 0, and the status is 1.
 * Integers are 64-bit as in bash: a value beyond intmax_t (uintmax_t for %o %u %x) prints
 * the limit with bash's `warning: V: Numerical result out of range`; a negative `*` width
 * left-justifies.
 * Bound: what one printf builds stops at the shell's output bound (output-limit.ts, 16 MiB
 * per command line): widths and precisions are cut to it and formatting ends once the
 * output passes it, so `printf '%999999999s'` prints 16 MiB of spaces and the bound's notice
 * where bash would print a gigabyte.
 * Left out: floating point (%f %e %g), %q, `-v VAR` and %(...)T.
 */
import { CommandError } from "../errors";
import { OUTPUT_LIMIT } from "../output-limit";
import { builtinHelp, type Builtin } from "./builtin";
import { echoEscapes } from "./echo";

const USAGE = `printf: printf [-v var] format [arguments]
    Formats and prints ARGUMENTS under control of the FORMAT.`;

const CONVERSION = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?([sbcdiuoxX%])/g;

/** The format's own escapes (not %b's \c or \0NNN forms). */
function formatEscapes(f: string): string {
  return f.replace(
    /\\([0-7]{1,3}|x[0-9A-Fa-f]{1,2}|[\\abfnrtve"'?])/g,
    (_m, e: string) => {
      if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
      if (e[0] === "x") return String.fromCharCode(parseInt(e.slice(1), 16));
      return (
        {
          "\\": "\\",
          a: "\x07",
          b: "\b",
          f: "\f",
          n: "\n",
          r: "\r",
          t: "\t",
          v: "\v",
          e: "\x1b",
          '"': '"',
          "'": "'",
          "?": "?",
        } as Record<string, string>
      )[e]!;
    },
  );
}

function pad(
  s: string,
  flags: string,
  width: number,
  numeric: boolean,
): string {
  if (s.length >= width) return s;
  if (flags.includes("-")) return s.padEnd(width);
  if (numeric && flags.includes("0")) {
    const sign = /^[-+ ]/.test(s) ? s[0]! : "";
    return sign + s.slice(sign.length).padStart(width - sign.length, "0");
  }
  return s.padStart(width);
}

export const printf: Builtin = {
  name: "printf",
  builtin: true,
  summary:
    "format and print: printf '%s\\n' $POD, printf '%-20s %s\\n' NAME IP",
  usage: USAGE,
  where: ["workstation", "node", "pod"],
  async run(ctx) {
    const help = builtinHelp(ctx, USAGE);
    if (help !== undefined) return help;
    let args = ctx.argv.slice(1);
    if (args[0] === "--") args = args.slice(1);
    if (args.length === 0)
      throw new CommandError(
        "USAGE",
        "printf: usage: printf [-v var] format [arguments]",
        2,
      );
    if (args[0] === "-v")
      throw new CommandError(
        "UNSUPPORTED",
        "printf: -v is not supported in this sandbox; use VAR=$(printf ...)",
        2,
      );
    const format = formatEscapes(args[0]!);
    const rest = args.slice(1);
    let status = 0;
    let used = 0;
    let out = "";
    const next = (): string | undefined =>
      used < rest.length ? rest[used++] : undefined;
    const shell =
      ctx.env.location.kind === "pod" || ctx.env.location.kind === "container"
        ? "sh"
        : "bash";
    /** An integer argument as bash's strtoimax/strtoumax read it, clamped to 64 bits. */
    const big = (v: string | undefined, unsigned: boolean): bigint => {
      if (v === undefined || v === "") return 0n;
      if (/^['"]./.test(v)) return BigInt(v.codePointAt(1)!);
      const t = v.trim();
      const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(t);
      if (!m) {
        ctx.stderr.write(`${shell}: printf: ${v}: invalid number\n`);
        status = 1;
        return 0n;
      }
      const digits = m[2]!;
      const magnitude = /^0[xX]/.test(digits)
        ? BigInt(digits)
        : digits.length > 1 && digits.startsWith("0")
          ? BigInt("0o" + digits.slice(1))
          : BigInt(digits);
      let n = m[1] === "-" ? -magnitude : magnitude;
      const [lo, hi] = unsigned
        ? [-(1n << 64n) + 1n, (1n << 64n) - 1n]
        : [-(1n << 63n), (1n << 63n) - 1n];
      if (n < lo || n > hi) {
        ctx.stderr.write(
          `${shell}: printf: warning: ${v}: Numerical result out of range\n`,
        );
        n = unsigned ? hi : n < lo ? lo : hi;
      }
      return n;
    };
    /** A width or precision: an int, cut to what the output bound lets through. */
    const num = (v: string | undefined): number => {
      const n = big(v, false);
      const cap = BigInt(OUTPUT_LIMIT + 1);
      return Number(n > cap ? cap : n < -cap ? -cap : n);
    };
    let stop = false;
    const convert = (
      conv: string,
      flags: string,
      width: number,
      precision: number | undefined,
      arg: string | undefined,
    ): string => {
      switch (conv) {
        case "s":
        case "b": {
          let s = arg ?? "";
          if (conv === "b") {
            const e = echoEscapes(s);
            s = e.text;
            if (e.stop) stop = true;
          }
          if (precision !== undefined) s = s.slice(0, precision);
          return pad(s, flags, width, false);
        }
        case "c":
          return pad((arg ?? "").slice(0, 1), flags, width, false);
        default: {
          const signed = conv === "d" || conv === "i";
          const n = big(arg, !signed);
          let s: string;
          if (signed) s = n.toString();
          else {
            s = BigInt.asUintN(64, n).toString(
              conv === "o" ? 8 : conv === "u" ? 10 : 16,
            );
            if (conv === "X") s = s.toUpperCase();
          }
          if (precision !== undefined)
            s = s.startsWith("-")
              ? "-" + s.slice(1).padStart(precision, "0")
              : s.padStart(precision, "0");
          if ((conv === "d" || conv === "i") && !s.startsWith("-"))
            s =
              (flags.includes("+") ? "+" : flags.includes(" ") ? " " : "") + s;
          return pad(
            s,
            precision !== undefined ? flags.replace("0", "") : flags,
            width,
            true,
          );
        }
      }
    };
    let produced = 0;
    do {
      const before = used;
      out += format.replace(
        CONVERSION,
        (
          _m,
          flags: string,
          w: string | undefined,
          p: string | undefined,
          conv: string,
        ) => {
          if (stop) return "";
          if (conv === "%") return "%";
          // Past the output bound nothing more is built (the shell cuts and reports what passed it).
          if (out.length + produced > OUTPUT_LIMIT) {
            stop = true;
            return "";
          }
          let width =
            w === "*"
              ? num(next())
              : Math.min(Number(w ?? 0), OUTPUT_LIMIT + 1);
          if (width < 0) {
            flags += "-";
            width = -width;
          }
          let precision =
            p === undefined
              ? undefined
              : p === "*"
                ? num(next())
                : Math.min(Number(p || 0), OUTPUT_LIMIT + 1);
          if (precision !== undefined && precision < 0) precision = undefined;
          const arg = next();
          const piece = convert(conv, flags, width, precision, arg);
          produced += piece.length;
          return piece;
        },
      );
      produced = 0;
      if (stop || used === before) break;
    } while (used < rest.length);
    ctx.stdout.write(out);
    return status;
  },
};
