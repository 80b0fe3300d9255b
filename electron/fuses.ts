import type { FuseOptionsV1 } from 'app-builder-lib';

/**
 * Electron fuses, flipped in the packaged binary by electron-builder (`electronFuses`, applied by
 * build/dist.ts). One list, read by the packaging step and by the tests.
 */
export const ELECTRON_FUSES: FuseOptionsV1 = {
  runAsNode: false, // the binary cannot be used as a plain Node.js
  enableNodeOptionsEnvironmentVariable: false, // NODE_OPTIONS cannot inject code
  enableNodeCliInspectArguments: false, // no --inspect into the main process
  enableCookieEncryption: true,
  enableEmbeddedAsarIntegrityValidation: true, // a modified app.asar does not load
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false, // file:// is an ordinary, unprivileged scheme
};
