/** Sent by the desktop on every call; read by the verifier's kill switch (./desktopVersion.ts). No imports: the desktop bundles it. */
export const DESKTOP_VERSION_HEADER = 'x-keylaunch-desktop-version';
