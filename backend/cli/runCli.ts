import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isKeylaunchError } from '../core/errors';

/**
 * The one wrapper every command a person types runs in (`npm start`, `npm run admin|jobs|build|dist`):
 * `--help`, one-line errors that say what to do next, exit codes that mean something, and a stack trace
 * only with KEYLAUNCH_DEBUG=1. Commands throw CliError for what they foresee; everything else is
 * classified once here (bad flags, AWS region and credentials, missing files) or reported as a bug.
 */
export const EXIT = {
  ok: 0,
  /** The command ran and could not do what was asked (no such user, a job file with problems). */
  failed: 1,
  /** The command line is wrong: unknown command or flag, a bad value. */
  usage: 2,
  /** Something around the command needs fixing first: a settings file, AWS region/credentials, Electron. */
  setup: 3,
  /** A bug in keylaunch (sysexits EX_SOFTWARE). Rerun with KEYLAUNCH_DEBUG=1 and report it. */
  internal: 70,
  /** Stopped with Ctrl+C. */
  interrupted: 130,
} as const;
export type ExitKind = Exclude<keyof typeof EXIT, 'ok' | 'internal' | 'interrupted'>;

export class CliError extends Error {
  constructor(
    readonly kind: ExitKind,
    message: string,
    /** The next step, as a sentence: "Run `aws configure`, or set AWS_PROFILE." */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

export interface Cli {
  /** The npm script, e.g. `npm run admin --`: how errors tell people to ask for help. */
  command: string;
  usage: string;
}

/** node:util parseArgs, strict, with `--help`; its own errors become usage errors naming the flag. */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(cli: Cli, argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (e) {
    throw usageError(cli, describeParseError((e as Error).message), { cause: e });
  }
}

export function usageError(cli: Cli, message: string, options?: { cause?: unknown }): CliError {
  return new CliError('usage', message, `Run \`${cli.command} --help\` for usage.`, options);
}

/** parseArgs' messages, shortened to their first sentence; the ambiguous `--flag -5` case says what to write. */
function describeParseError(message: string): string {
  const ambiguous = /^Option '(--[\w-]+)[^']*' argument is ambiguous/.exec(message);
  if (ambiguous) return `${ambiguous[1]} needs a value; for one that starts with "-", write ${ambiguous[1]}=<value>`;
  return message.split(/\.\s/)[0]!.replace(/\.$/, '');
}

/** Turns what a command threw into what a person reads. Pure, so it is tested without processes. */
export function describeFailure(e: unknown): { kind: ExitKind | 'internal'; line: string } {
  if (e instanceof CliError) return { kind: e.kind, line: sentence(e.message, e.hint) };
  if (isKeylaunchError(e)) return { kind: 'failed', line: sentence(`${e.message.replace(/[.\s]+$/, '')} (${e.code})`) };
  const err = e as NodeJS.ErrnoException & { $metadata?: unknown };
  const name = err?.name ?? '';
  const message = String(err?.message ?? e).split('\n')[0]!;
  if (/Region is missing/i.test(message) || name === 'ConfigError' && /region/i.test(message))
    return { kind: 'setup', line: sentence('No AWS region is set', 'Set AWS_REGION (e.g. AWS_REGION=eu-west-1), or a region in your AWS profile (`aws configure`).') };
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message))
    return { kind: 'setup', line: sentence('No AWS credentials were found', 'Set AWS_PROFILE to a profile of ~/.aws/config, or run `aws configure` (or `aws sso login`).') };
  if (['ExpiredTokenException', 'ExpiredToken', 'UnrecognizedClientException', 'InvalidSignatureException', 'InvalidClientTokenId'].includes(name))
    return { kind: 'setup', line: sentence(`AWS refused your credentials (${name})`, 'Refresh them (`aws sso login`, or a new session), or set AWS_PROFILE to another profile.') };
  if (name === 'AccessDeniedException' || name === 'AccessDenied')
    return { kind: 'failed', line: sentence(`AWS denied the call: ${message}`, 'Use a role or profile allowed to do this.') };
  if (err?.code === 'ENOENT' && err.path) return { kind: 'setup', line: sentence(`${err.path} does not exist`, 'Check the path (it is relative to the folder you run the command in).') };
  if ((err?.code === 'EACCES' || err?.code === 'EPERM') && err.path) return { kind: 'setup', line: sentence(`Not allowed to read or write ${err.path}`, 'Check its owner and permissions.') };
  if (['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET'].includes(err?.code ?? '') || /fetch failed/.test(message))
    return { kind: 'setup', line: sentence(`A network call failed (${message})`, 'Check your network or proxy and try again.') };
  if (err?.$metadata !== undefined && name && name !== 'Error') return { kind: 'failed', line: sentence(`AWS answered ${name}: ${message}`) };
  return { kind: 'internal', line: sentence(`Unexpected error: ${message}`, 'This is a bug in keylaunch: rerun with KEYLAUNCH_DEBUG=1 for the details and report them.') };
}

const sentence = (message: string, hint?: string) => `${message.replace(/[.\s]+$/, '')}.${hint ? ` ${hint}` : ''}`;

const debugging = () => process.env.KEYLAUNCH_DEBUG === '1';

/** Prints the error's stack and causes; only with KEYLAUNCH_DEBUG=1. */
function printDebug(e: unknown): void {
  for (let cause = e, depth = 0; cause !== undefined && depth < 5; cause = (cause as Error)?.cause, depth++) {
    console.error(depth === 0 ? '' : 'Caused by:', cause instanceof Error ? cause.stack : cause);
  }
}

/**
 * Runs a command's `main`, which returns an exit code (or undefined for success, or 'keep-running' for a
 * server that stays up until a signal), and maps anything it throws to one line on stderr and an exit code.
 */
export async function runCli(cli: Cli, main: (argv: string[]) => Promise<number | void | 'keep-running'>): Promise<void> {
  const argv = process.argv.slice(2);
  // Failures after main returned (a server's later callbacks) get the same one line.
  const late = (e: unknown) => {
    const { kind, line } = describeFailure(e);
    console.error(`error: ${line}`);
    if (debugging()) printDebug(e);
    process.exit(EXIT[kind]);
  };
  process.on('uncaughtException', late);
  process.on('unhandledRejection', late);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(cli.usage);
    process.exitCode = EXIT.ok;
    return;
  }
  try {
    const code = await main(argv);
    if (code !== 'keep-running') process.exitCode = code ?? EXIT.ok;
  } catch (e) {
    const { kind, line } = describeFailure(e);
    console.error(`error: ${line}`);
    if (debugging()) printDebug(e);
    process.exitCode = EXIT[kind];
  }
}
