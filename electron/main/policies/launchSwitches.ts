/**
 * Command-line switches that hand control of the app to another process (a debugger, a DevTools
 * client, arbitrary V8 flags, a command run in place of a child process) or switch off its defences.
 * A packaged app refuses to start with any of them; a development build allows them. The fuses cover
 * Node's own `--inspect` and NODE_OPTIONS (electron/fuses.ts); these are Chromium's and V8's.
 */
const FORBIDDEN = [
  'remote-debugging-port', 'remote-debugging-pipe', 'remote-debugging-address', 'remote-allow-origins',
  'inspect', 'inspect-brk', 'inspect-port', 'inspect-publish-uid', 'debug', 'debug-brk',
  'js-flags', 'wait-for-debugger', 'wait-for-debugger-children',
  'renderer-cmd-prefix', 'gpu-launcher', 'utility-cmd-prefix', 'browser-subprocess-path',
  'no-sandbox', 'disable-web-security', 'ignore-certificate-errors', 'ignore-certificate-errors-spki-list',
  'allow-running-insecure-content', 'disable-site-isolation-trials', 'load-extension', 'remote-debugging-targets',
];

/** Chromium reads `--x` and `-x` (and on Windows `/x`), with or without `=value`, case-insensitively. */
const switchName = (arg: string, windows: boolean) => {
  const m = (windows ? /^(?:--?|\/)([A-Za-z][A-Za-z0-9-]*)(?:=|$)/ : /^--?([A-Za-z][A-Za-z0-9-]*)(?:=|$)/).exec(arg);
  return m ? m[1]!.toLowerCase() : undefined;
};

export function forbiddenSwitches(argv: readonly string[], platform: string = process.platform): string[] {
  return argv
    .map((arg) => switchName(arg, platform === 'win32'))
    .filter((name): name is string => name !== undefined && (FORBIDDEN.includes(name) || name.startsWith('inspect')));
}
