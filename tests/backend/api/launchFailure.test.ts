import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';
import { KeylaunchError } from '../../../backend/core/errors';

/**
 * A launcher that fails unexpectedly (a bug, a module that did not load) is a failed run for the person
 * and a logged cause for the operator: in Lambda that log is CloudWatch, the only place it can be seen.
 */
let h: Harness;
const logged: { message: string; error: unknown }[] = [];
let failure: unknown;
beforeAll(async () => {
  h = await startHarness({
    log: (message, error) => logged.push({ message, error }),
    launchers: {
      local: {
        launch: async () => {
          throw failure;
        },
      },
    },
  });
});
afterAll(() => h.close());

async function confirmEcho() {
  const user = await h.enroll();
  const token = await h.session(user);
  const prep = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'x' } }, token);
  return h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: user.authenticator.assert(prep.body.options) }, token);
}

describe('a launcher that fails', () => {
  it('unexpectedly: the run fails without the cause, and the cause is logged', async () => {
    failure = new TypeError('LambdaClient is not a constructor');
    const res = await confirmEcho();
    expect(res.body.run).toMatchObject({ status: 'failed', failure: { code: 'launch_failed', message: 'The launcher failed unexpectedly.' } });
    expect(JSON.stringify(res.body)).not.toContain('constructor');
    expect(logged.find((l) => l.message.includes(res.body.run.id))?.error).toBe(failure);
  });

  it('with an AWS error: the stable code for the person, the AWS error in the log', async () => {
    const aws = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    failure = new KeylaunchError('access_denied', 'AccessDeniedException: not authorized', { cause: aws });
    const res = await confirmEcho();
    expect(res.body.run).toMatchObject({ status: 'failed', failure: { code: 'access_denied' } });
    expect(logged.find((l) => l.message.includes(res.body.run.id))?.error).toBe(aws);
  });

  it('with a refusal of our own (no cause): nothing to log', async () => {
    failure = new KeylaunchError('spot_price_too_high', 'above the maximum');
    const before = logged.length;
    const res = await confirmEcho();
    expect(res.body.run.failure.code).toBe('spot_price_too_high');
    expect(logged.slice(before).filter((l) => l.message.includes(res.body.run.id))).toEqual([]);
  });
});
