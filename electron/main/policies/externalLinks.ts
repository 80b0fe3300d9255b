/**
 * The only places the app may send a person outside itself: AWS console pages for a run, and the docs.
 * Checked on the parsed URL (https only, no credentials, exact host or a subdomain of an allowed one),
 * never with a string prefix, which `https://console.aws.amazon.com.evil.test` would pass.
 */
export const EXTERNAL_LINK_HOSTS = ['console.aws.amazon.com', 'docs.aws.amazon.com', 'github.com'] as const;

export function isAllowedExternalLink(raw: string, hosts: readonly string[] = EXTERNAL_LINK_HOSTS): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return false;
  const host = url.hostname.toLowerCase();
  return hosts.some((h) => host === h || host.endsWith(`.${h}`));
}

/** Opens the link with the system browser when allowed; says whether it did. */
export async function openExternalLink(url: string, shell: { openExternal(url: string): Promise<void> }): Promise<boolean> {
  if (!isAllowedExternalLink(url)) return false;
  await shell.openExternal(url);
  return true;
}
