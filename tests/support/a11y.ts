import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** axe-core's own build, injected by evaluation (CDP, not a <script>: the app's CSP stays as it ships). */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Violation {
  screen: string;
  scheme: 'light' | 'dark';
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/**
 * axe-core on what the page shows now, in light and dark: the serious and critical violations (the
 * issue's bar is none). The whole document is checked, so a modal sheet is checked with the page behind it.
 */
export async function axeViolations(page: Page, screen: string): Promise<Violation[]> {
  const found: Violation[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    if (!(await page.evaluate(() => typeof (window as { axe?: unknown }).axe !== 'undefined'))) await page.evaluate(AXE);
    const results = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
    });
    for (const v of results) if (v.impact === 'serious' || v.impact === 'critical') found.push({ screen, scheme, ...v });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}
