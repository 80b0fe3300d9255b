/**
 * Which elements of a local job's argv are code rather than data. Local jobs run argv with no shell, so a
 * placeholder that is an argument stays one argument — unless the program reads that argument as code:
 * the script after `bash -lc`, `node -pe`, `python -c`, `pwsh -Comm`, everything `ssh` or `watch` runs,
 * an awk program. Such elements follow the shell rule (shellSafety.ts). A heuristic that errs on the side
 * of refusing; a job that needs free text should pass it as data (`sh -c 'echo "$1"' sh {{x}}`, or a
 * script file with arguments).
 */
type Rule = { codeAfter: RegExp } | { allAfter: true } | { allAfterFlag: RegExp; firstPositional: boolean };

const shortCluster = (letters: string) => new RegExp(`^-[A-Za-z]*[${letters}][A-Za-z]*$`);
const SH = { codeAfter: /^(-[A-Za-z]*c[A-Za-z]*|--command)$/ };
const RULES: Record<string, Rule> = {
  ...Object.fromEntries(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'yash', 'fish', 'csh', 'tcsh', 'su', 'busybox'].map((n) => [n, SH])),
  node: { codeAfter: /^(-[A-Za-z]*[ep][A-Za-z]*|--eval|--print)$/ },
  nodejs: { codeAfter: /^(-[A-Za-z]*[ep][A-Za-z]*|--eval|--print)$/ },
  bun: { codeAfter: /^(-[A-Za-z]*e[A-Za-z]*|--eval|--print|-p)$/ },
  deno: { allAfter: true }, // `deno eval <code>`, and run flags too varied to tell apart
  python: { codeAfter: shortCluster('c') },
  perl: { codeAfter: shortCluster('eE') },
  ruby: { codeAfter: shortCluster('e') },
  php: { codeAfter: /^(-[A-Za-z]*r[A-Za-z]*|--run)$/ },
  lua: { codeAfter: shortCluster('e') },
  osascript: { codeAfter: shortCluster('e') },
  // PowerShell joins everything after -Command (any prefix of it) into the command, and runs a bare
  // first argument as a command when no -File is given.
  pwsh: { allAfterFlag: /^[-/](c|co|com|comm|comma|comman|command|e|ec|en|enc|enco|encod|encode|encoded|encodedc|encodedco|encodedcom|encodedcomm|encodedcomma|encodedcomman|encodedcommand)$/i, firstPositional: true },
  powershell: { allAfterFlag: /^[-/](c|co|com|comm|comma|comman|command|e|ec|en|enc|enco|encod|encode|encoded|encodedc|encodedco|encodedcom|encodedcomm|encodedcomma|encodedcomman|encodedcommand)$/i, firstPositional: true },
  cmd: { allAfterFlag: /^\/[ck]$/i, firstPositional: false },
  ...Object.fromEntries(['ssh', 'watch', 'awk', 'gawk', 'mawk', 'nawk', 'busybox'].map((n) => [n, { allAfter: true } as const])),
};
const programName = (arg: string) => (arg.split(/[\\/]/).pop() ?? arg).toLowerCase().replace(/\.exe$/, '').replace(/[\d.]+$/, '');

/** For programs not in the table: the usual inline-code flags. */
const CODE_FLAGS = new Set(['-c', '-e', '--eval', '-command', '--command', '/c', '/k', '-encodedcommand', '-ec']);

export function isCodeArgument(argv: string[], i: number): boolean {
  if (/^--?(eval|print|command|exec)=/i.test(argv[i] ?? '')) return true;
  if (i > 0 && CODE_FLAGS.has(argv[i - 1]!.toLowerCase())) return true;
  for (let p = 0; p < i; p++) {
    const rule = RULES[programName(argv[p]!)];
    if (!rule) continue;
    if ('allAfter' in rule) return true;
    if ('codeAfter' in rule) {
      if (argv.slice(p + 1, i).some((a) => rule.codeAfter.test(a)) && rule.codeAfter.test(argv[i - 1]!)) return true;
      continue;
    }
    const flagAt = argv.findIndex((a, k) => k > p && k < i && rule.allAfterFlag.test(a));
    if (flagAt >= 0) return true;
    if (rule.firstPositional && !argv.slice(p + 1, i).some((a) => /^[-/]f(ile)?$/i.test(a)) && argv.slice(p + 1, i + 1).findIndex((a) => !a.startsWith('-')) >= 0) return true;
  }
  return false;
}
