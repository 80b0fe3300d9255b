/**
 * Text from a job definition, a proposer or the verifier, as keylaunch shows it (main's dialog, the
 * renderer's lists): it stays one line and says what it holds. Control characters cannot forge another
 * line; format characters (bidi overrides and isolates, zero-width spaces and joiners: \p{Cf}, Trojan
 * Source) are named, not obeyed; and a run of blanks (spaces, or characters that draw as nothing) is
 * counted, so it cannot push a fake fact onto a line of its own where the text wraps.
 */
const BLANKS = /[\s\u115f\u1160\u2800\u3164\uffa0]{3,}/gu;

export const visibleText = (s: string) =>
  s
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/\p{Cf}/gu, (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`)
    .replace(BLANKS, (run) => ` [${run.length} blanks] `);
