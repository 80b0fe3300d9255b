import Anser from 'anser';

/**
 * One output line as styled pieces of plain text. anser parses the SGR escape codes (colours, bold,
 * italic, underline) and drops every other control sequence; React renders each piece as a text node,
 * so output can never become markup. The 16 standard colours are classes (themed in styles.css); 256
 * and true colours come as an rgb value.
 */
export interface AnsiPiece {
  text: string;
  classes: string;
  fg?: string;
  bg?: string;
}

const STANDARD = /^ansi-(bright-)?(black|red|green|yellow|blue|magenta|cyan|white)$/;

// anser leaves OSC sequences (window titles, hyperlinks) in the text; they say nothing worth showing.
const OSC = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g;
// What is left of control characters after parsing (a stray ESC, BEL, backspace) is not shown either.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function ansiPieces(line: string): AnsiPiece[] {
  if (!line.includes('\u001b')) return [{ text: line.replace(CONTROL, ''), classes: '' }];
  const entries = Anser.ansiToJson(line.replace(OSC, ''), { use_classes: true, remove_empty: true });
  return entries.map((e) => {
    const classes: string[] = e.decorations.map((d) => `ansi-${d}`);
    const piece: AnsiPiece = { text: e.content.replace(CONTROL, ''), classes: '' };
    if (e.fg && STANDARD.test(e.fg)) classes.push(`${e.fg}-fg`);
    else if (e.fg_truecolor || e.fg) piece.fg = rgb(e.fg_truecolor || e.fg);
    if (e.bg && STANDARD.test(e.bg)) classes.push(`${e.bg}-bg`);
    else if (e.bg_truecolor || e.bg) piece.bg = rgb(e.bg_truecolor || e.bg);
    piece.classes = classes.join(' ');
    if (!piece.fg) delete piece.fg;
    if (!piece.bg) delete piece.bg;
    return piece;
  });
}

/** anser gives "r, g, b" for true colour and "ansi-palette-N" classes for the 256 palette. */
function rgb(value: string): string | undefined {
  const triple = /^(\d{1,3}), ?(\d{1,3}), ?(\d{1,3})$/.exec(value);
  if (triple) return `rgb(${triple[1]}, ${triple[2]}, ${triple[3]})`;
  const palette = /^ansi-palette-(\d{1,3})$/.exec(value);
  if (palette) return paletteColour(Number(palette[1]));
  return undefined;
}

/** xterm's 256-colour palette (16–231 a 6×6×6 cube, 232–255 greys); 0–15 as the standard names. */
function paletteColour(n: number): string | undefined {
  if (n < 16 || n > 255) return undefined;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v}, ${v}, ${v})`;
  }
  const i = n - 16;
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(i / 36))}, ${level(Math.floor(i / 6) % 6)}, ${level(i % 6)})`;
}

/** The text without escape codes, for copying and saving. */
export const plainText = (line: string) => ansiPieces(line).map((p) => p.text).join('');
