/**
 * Electron fuses, flipped in the packaged binary (the packaging step applies them; see
 * electron-builder.yml). One list, read by the packaging hook and by the tests.
 * Names are @electron/fuses' FuseV1Options.
 */
export const ELECTRON_FUSES = {
  RunAsNode: false, // the binary cannot be used as a plain Node.js
  EnableNodeOptionsEnvironmentVariable: false, // NODE_OPTIONS cannot inject code
  EnableNodeCliInspectArguments: false, // no --inspect into the main process
  EnableCookieEncryption: true,
  EnableEmbeddedAsarIntegrityValidation: true, // a modified app.asar does not load
  OnlyLoadAppFromAsar: true,
  GrantFileProtocolExtraPrivileges: false, // file:// is an ordinary, unprivileged scheme
} as const;
