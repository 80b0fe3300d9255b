import lt from 'semver/functions/lt';
import valid from 'semver/functions/valid';
import { KeylaunchError } from './errors';

/**
 * The kill switch for a vulnerable desktop release: with `minDesktopVersion` configured, every call must
 * say which desktop makes it (the desktop sends DESKTOP_VERSION_HEADER on every call) and be at least
 * that version. A call that says nothing is an older desktop (they did not send it) and is refused too.
 */
export { DESKTOP_VERSION_HEADER } from './desktopVersionHeader';

export function checkDesktopVersion(minimum: string | undefined, sent: string | undefined): void {
  if (!minimum) return;
  const version = sent && valid(sent.trim()) ? sent.trim() : undefined;
  if (!version || lt(version, minimum)) {
    throw new KeylaunchError('client_outdated', `This keylaunch desktop is too old; install ${minimum} or newer.`, {
      details: { minimumVersion: minimum, ...(version ? { yourVersion: version } : {}) },
    });
  }
}
