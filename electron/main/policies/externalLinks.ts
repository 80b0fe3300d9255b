/**
 * The only places the app may send a person outside itself: the AWS console pages the verifier's run
 * links point at (backend/adapters/launcher/aws/awsLaunch.ts `consoleUrl`). Checked on the parsed URL:
 * https only, no credentials or port, the console host or one regional console host, and a path under
 * one of the consoles those links use. Never a string prefix, which
 * `https://console.aws.amazon.com.evil.test` would pass.
 */
export const CONSOLE_HOST = /^(?:[a-z]{2}(?:-[a-z]+)+-\d\.)?console\.aws\.amazon\.com$/;
export const CONSOLE_PATHS = ['/lambda/home', '/ec2/home', '/systems-manager/run-command/', '/ecs/v2/clusters/', '/states/home'] as const;

export function isAllowedExternalLink(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return false;
  if (!CONSOLE_HOST.test(url.hostname)) return false;
  // The URL parser has already resolved `..`: the check is on the path the browser will ask for.
  return CONSOLE_PATHS.some((p) => (p.endsWith('/') ? url.pathname.startsWith(p) : url.pathname === p || url.pathname.startsWith(`${p}/`)));
}

/** Opens the link with the system browser when allowed; says whether it did. */
export async function openExternalLink(url: string, shell: { openExternal(url: string): Promise<void> }): Promise<boolean> {
  if (!isAllowedExternalLink(url)) return false;
  await shell.openExternal(url);
  return true;
}
