import { RegExpParser, visitRegExpAST } from '@eslint-community/regexpp';
import type { ParamDeclaration } from './job';

/**
 * Issue 11 §4: a parameter value that reaches a shell (an SSM shell document's `commands`, a local
 * job's `sh -c` script) must not be able to become code. Decided when the job is validated, from the
 * declaration alone, so an unsafe job is listed unavailable and `jobs push` refuses it:
 *   - integer, number and boolean values print as digits, `.`, `-`, `+`, `e`, `true`, `false`;
 *   - enum values are fixed: each must consist of shell-safe characters;
 *   - a string needs a pattern whose every match consists of shell-safe characters — proved on the
 *     pattern's syntax tree (@eslint-community/regexpp), not by trying characters, because a regex can
 *     admit `;` in context (`a(;b)?`), through a class (`[^a]`, `.`, `\S`, `\p{P}`) or a range (`[+-=]`).
 * Safe means letters, digits and `_ . : / + = -`: nothing any POSIX shell, PowerShell or cmd.exe gives
 * a meaning to inside a word (no space, quote, `$`, `;`, `&`, `|`, `<`, `>`, backtick, `%`, `!`, `*`…).
 */
const SAFE_CHARS = 'A-Za-z0-9_.:/+=-';
const SAFE_TEXT = new RegExp(`^[${SAFE_CHARS}]*$`);
const isSafeCodePoint = (cp: number) => SAFE_TEXT.test(String.fromCodePoint(cp));
const isSafeRange = (min: number, max: number) => {
  for (let cp = min; cp <= max; cp++) if (!isSafeCodePoint(cp)) return false;
  return true;
};

/** Why a value of this parameter could carry shell syntax, or undefined when it cannot. */
export function shellUnsafeReason(d: ParamDeclaration): string | undefined {
  switch (d.type) {
    case 'integer':
    case 'number':
    case 'boolean':
      return undefined;
    case 'enum': {
      const bad = d.values.find((v) => !SAFE_TEXT.test(v));
      return bad === undefined ? undefined : `enum value ${JSON.stringify(bad)} has characters a shell would interpret`;
    }
    case 'string':
      if (d.pattern === undefined) return 'a string without a pattern can carry shell syntax (give a pattern of letters, digits and _ . : / + = -, or use an enum)';
      return patternAdmitsOnlySafe(d.pattern) ? undefined : `its pattern admits characters a shell would interpret (allowed: letters, digits and _ . : / + = -)`;
  }
}

/**
 * True when every string the pattern matches consists of safe characters. Conservative: anything not
 * understood (a negated class, `.`, `\s`, `\W`, a property escape) counts as unsafe. Assertions consume
 * nothing and back-references repeat text already matched, so neither can add a character.
 */
export function patternAdmitsOnlySafe(pattern: string): boolean {
  let ast;
  try {
    ast = new RegExpParser({ ecmaVersion: 2024 }).parsePattern(pattern, 0, pattern.length, { unicode: true });
  } catch {
    return false;
  }
  let safe = true;
  visitRegExpAST(ast, {
    onCharacterClassEnter(node) {
      if (node.negate) safe = false;
    },
    onCharacterClassRangeEnter(node) {
      if (!isSafeRange(node.min.value, node.max.value)) safe = false;
    },
    onCharacterEnter(node) {
      // A range's ends are judged with the range; every other character (escaped or not) here.
      if (node.parent.type !== 'CharacterClassRange' && !isSafeCodePoint(node.value)) safe = false;
    },
    onCharacterSetEnter(node) {
      // `\d` and `\w` (not negated) are within the safe set; `.`, `\s`, `\p{…}` and negations are not.
      const ok = (node.kind === 'digit' || node.kind === 'word') && !node.negate;
      if (!ok) safe = false;
    },
  });
  return safe;
}

/** Quoting for the shells an SSM document can run, applied even to values that are safe by construction. */
export const quoteFor = {
  posix: (value: string) => `'${value.replaceAll("'", `'\\''`)}'`,
  powershell: (value: string) => `'${value.replaceAll("'", "''")}'`,
};
