import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Configuration } from 'electron-builder';
import { ELECTRON_FUSES } from '../electron/fuses';

/**
 * electron-builder's configuration: electron-builder.yml, plus the fuses from electron/fuses.ts (one list
 * for the packaging step and the tests), plus the unpacked Electron to package from, when given (our
 * machines cannot download one). `fuses: false` only for packaging a stub Electron, which has no fuses.
 */
export function packagingConfig(o: { electronDist?: string; fuses?: boolean } = {}): Configuration {
  const base = parse(readFileSync('electron-builder.yml', 'utf8')) as Configuration;
  return {
    ...base,
    ...(o.fuses === false ? {} : { electronFuses: ELECTRON_FUSES }),
    ...(o.electronDist ? { electronDist: o.electronDist } : {}),
  };
}
