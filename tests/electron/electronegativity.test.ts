import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Electronegativity over electron/, as a gate: it exits 0 whatever it finds, so we read its CSV and fail
 * on every finding that the checked-in allowlist does not accept with a reason — and on allowlist
 * entries that no longer match anything, so the list cannot quietly outgrow the code.
 */
interface Accepted {
  check: string;
  file: string;
  reason: string;
}

function scan(): { check: string; file: string; where: string }[] {
  // SARIF, a JSON format, rather than its CSV: a finding's text can hold commas, quotes or line breaks.
  const out = join(mkdtempSync(join(tmpdir(), 'kl-en-')), 'findings.sarif');
  const bin = join('node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js');
  // AvailableSecurityFixesGlobalCheck asks the network for Electron releases: there is none here. The
  // version is the pinned one (-e): undetected, the scanner assumes an old Electron and its old defaults.
  const electron = (JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.electron!;
  execFileSync(process.execPath, [bin, '-i', 'electron', '-o', out, '-e', electron, '-x', 'AvailableSecurityFixesGlobalCheck'], { stdio: 'ignore', timeout: 90_000 });
  type Result = { ruleId: string; locations?: { physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }[] };
  const results = (JSON.parse(readFileSync(out, 'utf8')) as { runs: { results: Result[] }[] }).runs.flatMap((r) => r.results);
  return results.map((r) => {
    const where = r.locations?.[0]?.physicalLocation;
    const uri = where?.artifactLocation?.uri ?? 'file:///';
    // Global checks have no file: SARIF says file:///, the allowlist says N/A.
    const file = uri === 'file:///' ? 'N/A' : relative(process.cwd(), uri.replace(/^file:\/\//, ''));
    return { check: r.ruleId, file, where: `${file}:${where?.region?.startLine ?? 0}` };
  });
}

describe('Electronegativity', () => {
  it('finds nothing in electron/ beyond the reviewed allowlist, and the allowlist has no stale entries', { timeout: 120_000 }, () => {
    const { accepted } = JSON.parse(readFileSync('electron/electronegativity-allowlist.json', 'utf8')) as { accepted: Accepted[] };
    for (const a of accepted) expect(a.reason.length, `${a.check} needs a reason`).toBeGreaterThan(20);
    const findings = scan();
    const unlisted = findings.filter((f) => !accepted.some((a) => a.check === f.check && a.file === f.file));
    expect(unlisted.map((f) => `${f.check} at ${f.where}`)).toEqual([]);
    const stale = accepted.filter((a) => !findings.some((f) => f.check === a.check && f.file === a.file));
    expect(stale.map((a) => `${a.check} in ${a.file}`)).toEqual([]);
  });
});
