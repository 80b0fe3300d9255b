import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { CatalogEntry } from '../core/job';
import type { JobCatalog } from '../core/ports';

/**
 * What `npm start` says about the jobs file: which jobs are ready, and each broken one with its reason,
 * at start and again whenever the file changes, so a typo shows in the terminal, not after an unlock.
 */
export function describeJobs(entries: CatalogEntry[], destinations: readonly string[] = []): string[] {
  const ready = entries.filter((e) => e.available).map((e) => e.name);
  const broken = entries.filter((e): e is Extract<CatalogEntry, { available: false }> => !e.available);
  const lines = [`    ${ready.length} ready${ready.length ? `: ${ready.join(', ')}` : ''}`];
  if (broken.length) {
    lines.push(`    ${broken.length} unavailable:`);
    for (const e of broken) lines.push(`      ${e.name}: ${e.reason}`);
  }
  // A job still runs when it names a destination local.json lacks (deploy refuses that catalog); say so now,
  // not as a notify.failed line at the first event.
  for (const e of entries) {
    if (!e.available) continue;
    const unknown = (e.job.notify ?? []).filter((name) => !destinations.includes(name));
    if (unknown.length) lines.push(`    ${e.name} notifies ${unknown.join(', ')}, which local.json's notifications.destinations do not define: nothing will be sent there.`);
  }
  return lines;
}

/** Re-reads the catalog when the file changes (editors often replace it: the folder is watched) and reports. */
export function watchJobsFile(o: { file: string; catalog: JobCatalog; say: (line: string) => void; destinations?: readonly string[] }): FSWatcher | undefined {
  let timer: NodeJS.Timeout | undefined;
  const report = () => {
    timer = undefined;
    o.catalog.listJobs().then(
      (entries) => {
        o.say(`\nJobs file changed (${o.file}):`);
        for (const line of describeJobs(entries, o.destinations)) o.say(line);
      },
      (e: Error) => o.say(`\nJobs file changed but cannot be read (${e.message.split('\n')[0]}).`),
    );
  };
  try {
    return watch(dirname(o.file), (_event, name) => {
      if (name !== basename(o.file)) return;
      // One report per save: editors write in several steps.
      if (timer) clearTimeout(timer);
      timer = setTimeout(report, 200);
    }).on('error', () => undefined);
  } catch {
    return undefined; // a folder that cannot be watched: the catalog still re-reads the file on each use
  }
}
