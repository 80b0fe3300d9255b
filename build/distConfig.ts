import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Configuration } from 'electron-builder';
import { ELECTRON_FUSES } from '../electron/fuses';

/**
 * electron-builder's configuration: electron-builder.yml, plus the fuses from electron/fuses.ts (one list
 * for the packaging step and the tests), plus the unpacked Electron to package from, when given (our
 * machines cannot download one). `fuses: false` only for packaging a stub Electron, which has no fuses.
 *
 * Signing and notarization come from the environment, as electron-builder reads it (CSC_LINK,
 * CSC_KEY_PASSWORD, WIN_CSC_LINK, APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID, or the
 * APPLE_API_KEY trio): no secret is in a file. A release build forces signing, notarizes on macOS, and
 * is refused up front (releaseProblems) when what it needs is missing.
 */
export function packagingConfig(o: { electronDist?: string; fuses?: boolean; release?: boolean } = {}): Configuration {
  const base = parse(readFileSync('electron-builder.yml', 'utf8')) as Configuration;
  return {
    ...base,
    ...(o.fuses === false ? {} : { electronFuses: ELECTRON_FUSES }),
    ...(o.electronDist ? { electronDist: o.electronDist } : {}),
    ...(o.release ? { forceCodeSigning: true, mac: { ...base.mac, notarize: true } } : {}),
  };
}

export type TargetPlatform = 'mac' | 'win' | 'linux';

/** Why a release build for this platform would come out unsigned (or unnotarized); empty when it would not. */
export function releaseProblems(platform: TargetPlatform, env: Record<string, string | undefined>): string[] {
  const has = (...names: string[]) => names.every((n) => (env[n] ?? '').length > 0);
  if (platform === 'mac') {
    return [
      ...(has('CSC_LINK') || has('CSC_NAME') ? [] : ['a Developer ID certificate: set CSC_LINK (and CSC_KEY_PASSWORD) or CSC_NAME']),
      ...(has('APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID') || has('APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER')
        ? []
        : ['notarization credentials: APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD and APPLE_TEAM_ID, or APPLE_API_KEY, APPLE_API_KEY_ID and APPLE_API_ISSUER']),
    ];
  }
  if (platform === 'win') {
    return has('WIN_CSC_LINK') || has('CSC_LINK') ? [] : ['an Authenticode certificate: set WIN_CSC_LINK (and WIN_CSC_KEY_PASSWORD)'];
  }
  // electron-builder does not sign AppImage or deb: they are signed by the repository that ships them.
  return ['Linux packages are not signed by electron-builder; sign the release through your package repository, and build it without --release'];
}
