import { describe, expect, it } from 'vitest';
import { deploySettingsSchema } from '../../../backend/deploy/settings';
import { localNotifySchema } from '../../../backend/core/notifyConfig';
import { jobDefinitionSchema } from '../../../backend/core/job';

/**
 * Issue 16 §3: notification settings are input. Whoever writes the deploy settings names where data may
 * go; every URL kind that would turn the verifier into a request forger inside its network is refused,
 * with the place and the reason.
 */
const base = { region: 'eu-west-1', allowedCidrs: ['203.0.113.0/24'] };
const withHook = (url: unknown) => ({ ...base, notifications: { destinations: { hook: { webhook: url } } } });
const problems = (settings: unknown) => {
  const r = deploySettingsSchema.safeParse(settings);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const at = 'notifications.destinations.hook.webhook';

describe('notification settings', () => {
  it('accepts a created topic, a topic ARN in the region, and a public https webhook', () => {
    const settings = { ...base, notifications: { destinations: { ops: { sns: 'create' }, audit: { sns: 'arn:aws:sns:eu-west-1:123456789012:keylaunch-audit' }, chat: { webhook: 'https://hooks.example.com/keylaunch?team=ops' } }, everyEvent: ['ops', 'chat'] } };
    expect(problems(settings)).toEqual([]);
    expect(deploySettingsSchema.parse({ ...base, notifications: { destinations: {} } }).notifications).toEqual({ destinations: {}, everyEvent: [] });
  });

  it.each([
    ['plain http', 'http://hooks.example.com/k', /must be https/],
    ['http to loopback (only local mode may)', 'http://127.0.0.1:9000/k', /must be https/],
    ['another scheme', 'ftp://hooks.example.com/k', /must be an https URL/],
    ['a file URL', 'file:///etc/passwd', /must be an https URL/],
    ['credentials in the URL', 'https://user:pass@hooks.example.com/k', /must not carry credentials/],
    ['a user name alone', 'https://token@hooks.example.com/k', /must not carry credentials/],
    ['the AWS metadata service', 'https://169.254.169.254/latest/meta-data/', /must not name a linkLocal address/],
    ['the AWS metadata service over IPv6', 'https://[fd00:ec2::254]/latest/meta-data/', /must not name a uniqueLocal address/],
    ['metadata as an IPv4-mapped IPv6 address', 'https://[::ffff:169.254.169.254]/', /must not name a linkLocal address/],
    ['metadata through NAT64', 'https://[64:ff9b::a9fe:a9fe]/', /must not name a rfc6052 address/],
    ['a private address (10/8)', 'https://10.1.2.3/k', /must not name a private address/],
    ['a private address (172.16/12)', 'https://172.20.0.1/k', /must not name a private address/],
    ['a private address (192.168/16)', 'https://192.168.1.1/k', /must not name a private address/],
    ['loopback', 'https://127.0.0.1/k', /must not name this machine/],
    ['loopback spelled in hex', 'https://0x7f.1/k', /must not name this machine/],
    ['loopback as one number', 'https://2130706433/k', /must not name this machine/],
    ['IPv6 loopback', 'https://[::1]/k', /must not name this machine/],
    ['localhost', 'https://localhost/k', /must not name this machine/],
    ['a name under localhost', 'https://hooks.localhost/k', /must not name this machine/],
    ['the unspecified address', 'https://0.0.0.0/k', /must not name a unspecified address/],
    ['a carrier-grade NAT address', 'https://100.64.1.1/k', /must not name a carrierGradeNat address/],
    ['an IPv6 link-local address', 'https://[fe80::1]/k', /must not name a linkLocal address/],
    ['a multicast address', 'https://224.0.0.1/k', /must not name a multicast address/],
    ['the EC2 metadata name', 'https://instance-data.ec2.internal/k', /must not name an internal or metadata host/],
    ['an internal name', 'https://metadata.google.internal/k', /must not name an internal or metadata host/],
    ['a one-label name', 'https://intranet/k', /full DNS name/],
    ['not a URL', 'hooks.example.com/k', /not a URL/],
  ])('refuses a webhook URL with %s, saying where', (_kind, url, message) => {
    const found = problems(withHook(url));
    expect(found.some((p) => p.startsWith(`${at}:`) && message.test(p)), found.join('\n')).toBe(true);
  });

  it.each([
    ['a topic ARN from another region', { ops: { sns: 'arn:aws:sns:us-east-1:123456789012:ops' } }, [], /^notifications\.destinations\.ops\.sns: the verifier publishes in eu-west-1/],
    ['something that is not a topic ARN', { ops: { sns: 'arn:aws:sqs:eu-west-1:123456789012:ops' } }, [], /^notifications\.destinations\.ops/],
    ['a webhook URL that is not a string', { ops: { webhook: 42 } }, [], /^notifications\.destinations\.ops/],
    ['a destination of an unknown kind', { ops: { email: 'ops@example.com' } }, [], /^notifications\.destinations\.ops/],
    ['both kinds at once', { ops: { sns: 'create', webhook: 'https://hooks.example.com/' } }, [], /^notifications\.destinations\.ops/],
    ['a destination name with a slash', { 'o/ps': { sns: 'create' } }, [], /^notifications\.destinations/],
    ['everyEvent naming no destination', { ops: { sns: 'create' } }, ['opz'], /^notifications\.everyEvent\.0: no destination named opz/],
  ])('refuses %s', (_kind, destinations, everyEvent, message) => {
    const found = problems({ ...base, notifications: { destinations, everyEvent } });
    expect(found.some((p) => message.test(p)), found.join('\n')).toBe(true);
  });

  it('local mode allows http to this machine only, and has no SNS', () => {
    const local = (url: string) => localNotifySchema.safeParse({ destinations: { hook: { webhook: url } } }).success;
    expect([local('http://127.0.0.1:9000/k'), local('http://[::1]:9000/k'), local('http://localhost:9000/k'), local('https://hooks.example.com/k')]).toEqual([true, true, true, true]);
    expect([local('http://hooks.example.com/k'), local('http://10.0.0.1/k'), local('https://169.254.169.254/'), local('https://u:p@127.0.0.1/')]).toEqual([false, false, false, false]);
    expect(localNotifySchema.safeParse({ destinations: { ops: { sns: 'arn:aws:sns:eu-west-1:123456789012:ops' } } }).success).toBe(false);
  });

  it('a job names destinations, never a URL: whoever writes the catalog cannot choose where data goes', () => {
    const job = { name: 'j', title: 'J', type: 'local', allow: { roles: ['admin'] }, target: { argv: ['/bin/true'] } };
    expect(jobDefinitionSchema.safeParse({ ...job, notify: ['ops', 'sec-team'] }).success).toBe(true);
    for (const notify of [['https://evil.example.com/'], ['169.254.169.254'], 'ops', [{ webhook: 'https://evil.example.com/' }]]) {
      expect(jobDefinitionSchema.safeParse({ ...job, notify }).success, JSON.stringify(notify)).toBe(false);
    }
  });
});
