import { describe, expect, it } from 'vitest';
import { adminNotice, announce, NotifyFailure, runNotice, type Notification } from '../../../backend/core/notification';
import type { Notifier } from '../../../backend/core/ports';

/** announce(): routing, the bound, and failures as log lines; what each notice may carry. */
class RecordingNotifier implements Notifier {
  readonly sent: [string, Notification][] = [];
  constructor(
    readonly everyEvent: string[],
    readonly boundMs = 1_000,
    private readonly behaviour: Record<string, 'throw' | 'reject' | 'hang'> = {},
  ) {}
  send(destination: string, n: Notification): Promise<void> {
    const b = this.behaviour[destination];
    if (b === 'throw') throw new Error('synchronous bug');
    this.sent.push([destination, n]);
    if (b === 'reject') return Promise.reject(new NotifyFailure('http_status', 'HTTP 502'));
    if (b === 'hang') return new Promise(() => undefined);
    return Promise.resolve();
  }
}
const deps = (notifier: Notifier | undefined, logged: string[] = []) => ({
  notifier,
  clock: { now: () => Date.UTC(2026, 10, 22, 10, 0, 0) },
  random: { bytes: (n: number) => Buffer.alloc(n, 7) },
  log: (m: string) => void logged.push(m),
});

describe('announce', () => {
  it('goes to the global destinations and the job’s own, once each, with one id and time', async () => {
    const n = new RecordingNotifier(['ops', 'team']);
    await announce(deps(n), { type: 'request.waiting', job: 'j', requestId: 'req_1', fingerprint: 'ABCD-EFGH', requester: 'ada' }, { notify: ['team', 'sec'] });
    expect(n.sent.map(([d]) => d)).toEqual(['ops', 'team', 'sec']);
    expect(new Set(n.sent.map(([, e]) => e.id)).size).toBe(1);
    expect(n.sent[0]![1]).toEqual({ v: 1, id: `evt_${Buffer.alloc(12, 7).toString('base64url')}`, at: '2026-11-22T10:00:00.000Z', type: 'request.waiting', job: 'j', requestId: 'req_1', fingerprint: 'ABCD-EFGH', requester: 'ada' });
  });

  it('does nothing without a notifier, without destinations, or for an action worth no notice', async () => {
    await expect(announce(deps(undefined), { type: 'key.added', user: 'ada' })).resolves.toBeUndefined();
    const n = new RecordingNotifier([]);
    await announce(deps(n), { type: 'key.added', user: 'ada' });
    await announce(deps(new RecordingNotifier(['ops'])), adminNotice({ kind: 'enable', userId: 'u', userName: 'bob' }, 'ada'));
    expect(n.sent).toEqual([]);
  });

  it('never rejects: a rejection, a synchronous throw and a hang each become one log line with a stable reason', async () => {
    const logged: string[] = [];
    const n = new RecordingNotifier(['a', 'b', 'c', 'd'], 50, { a: 'reject', b: 'throw', c: 'hang' });
    await expect(announce(deps(n, logged), { type: 'run.failed', job: 'j', runId: 'run_1', code: 'launch_failed' })).resolves.toBeUndefined();
    expect(logged.sort()).toEqual([
      'notify.failed destination=a event=run.failed reason=http_status',
      'notify.failed destination=b event=run.failed reason=unreachable',
      'notify.failed destination=c event=run.failed reason=timeout',
    ]);
    expect(n.sent.map(([d]) => d).sort()).toEqual(['a', 'c', 'd']);
  });

  it('a run’s notice names the run and, when it failed, its code; never its parameters', () => {
    const run = { id: 'run_1', job: 'j', fingerprint: 'ABCD-EFGH', userName: 'ada', status: 'failed' as const, failure: { code: 'launch_failed', message: 'could not start /opt/x --token 123456' }, params: { token: '123456' } };
    expect(runNotice(run)).toEqual({ type: 'run.failed', job: 'j', runId: 'run_1', fingerprint: 'ABCD-EFGH', requester: 'ada', code: 'launch_failed' });
    expect(runNotice({ ...run, status: 'running', requestId: 'req_1' })).toEqual({ type: 'run.launched', job: 'j', runId: 'run_1', requestId: 'req_1', fingerprint: 'ABCD-EFGH', requester: 'ada' });
    expect(adminNotice({ kind: 'revoke_key', userId: 'u', userName: 'bob', credentialId: 'cred', label: 'yubi' }, 'ada')).toEqual({ type: 'key.revoked', user: 'bob', keyId: 'cred', by: 'ada' });
    expect(adminNotice({ kind: 'disable', userId: 'u', userName: 'bob' }, 'ada')).toEqual({ type: 'user.disabled', user: 'bob', by: 'ada' });
  });
});
