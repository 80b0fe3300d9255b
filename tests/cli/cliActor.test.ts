import { userInfo } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { cliActor } from '../../backend/cli/cliActor';

/** The audit log's name for a CLI change: never "cli:unknown" just because $USER is unset (cron, containers, sudo -i). */
describe('cliActor', () => {
  const saved = process.env.USER;
  afterEach(() => {
    if (saved === undefined) delete process.env.USER;
    else process.env.USER = saved;
  });

  it('names $USER when it is set', () => {
    process.env.USER = 'breakglass';
    expect(cliActor()).toBe('cli:breakglass');
  });

  it('names the account the process runs as when $USER is unset or empty', () => {
    delete process.env.USER;
    expect(cliActor()).toBe(`cli:${userInfo().username}`);
    process.env.USER = '';
    expect(cliActor()).toBe(`cli:${userInfo().username}`);
  });
});
