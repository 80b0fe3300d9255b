import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A local job that runs until the test lets it end: it prints `started`, waits for a file named after
 * its run id in a folder of its own, then prints `done` and exits. Long runs are tested without timing.
 */
export function gatedJob(name = 'gated', o: { timeoutSeconds?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kl-gate-'));
  const code = `const fs=require('fs'),p=require('path').join(process.env.GATE_DIR,process.env.KEYLAUNCH_RUN_ID);console.log('started');const t=setInterval(()=>{if(fs.existsSync(p)){clearInterval(t);console.log('done')}},20)`;
  return {
    job: {
      name,
      title: 'Runs until released',
      type: 'local',
      allow: { roles: ['admin', 'operator'] },
      target: { argv: [process.execPath, '-e', code], env: { GATE_DIR: dir }, timeoutSeconds: o.timeoutSeconds ?? 120 },
    },
    /** Lets the run's job end (exit code 0). */
    release: (runId: string) => writeFileSync(join(dir, runId), ''),
  };
}
