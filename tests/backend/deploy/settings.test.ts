import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deploySettingsSchema } from '../../../backend/deploy/settings';

/** Deploy settings are input like any other: each hostile or mistaken file gets a clear, located error. */
const base = { region: 'eu-west-1', allowedCidrs: ['203.0.113.0/24'] };
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
const problems = (settings: unknown) => {
  const r = deploySettingsSchema.safeParse(settings);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('deploy settings', () => {
  it('the minimal file gets the safe defaults: regional, throttled, no custom domain', () => {
    expect(deploySettingsSchema.parse(base)).toMatchObject({ endpoint: 'regional', throttle: { rateLimit: 20, burstLimit: 40 }, reservedConcurrency: 10 });
    expect(deploySettingsSchema.parse(base).customDomain).toBeUndefined();
  });

  it.each([
    ['no allowlist', { ...base, allowedCidrs: [] }, /^allowedCidrs: /],
    ['an allowlist that is the whole internet', { ...base, allowedCidrs: ['0.0.0.0/0'] }, /^allowedCidrs\.0: 0\.0\.0\.0\/0 admits every address/],
    ['the whole IPv6 internet', { ...base, allowedCidrs: ['203.0.113.0/24', '::/0'] }, /^allowedCidrs\.1: ::\/0 admits every address/],
    ['a CIDR that is not one', { ...base, allowedCidrs: ['203.0.113.0/33'] }, /^allowedCidrs\.0: not a CIDR/],
    ['a whole-internet prefix spelled another way', { ...base, allowedCidrs: ['0.0.0.0/00'] }, /^allowedCidrs\.0: not a CIDR/],
    ['a prefix that once aborted Node', { ...base, allowedCidrs: ['0.0.0.0/-0'] }, /^allowedCidrs\.0: not a CIDR/],
    ['a host name for a CIDR', { ...base, allowedCidrs: ['office.example.com'] }, /^allowedCidrs\.0: not a CIDR/],
    ['an unknown endpoint type', { ...base, endpoint: 'edge' }, /^endpoint: /],
    ['private without its VPC endpoint', { ...base, endpoint: 'private' }, /^vpcEndpointId: a private endpoint needs/],
    ['a VPC endpoint on a regional API', { ...base, vpcEndpointId: 'vpce-0123456789abcdef0' }, /^vpcEndpointId: only for endpoint "private"/],
    ['a malformed VPC endpoint id', { ...base, endpoint: 'private', vpcEndpointId: 'vpce-x"}' }, /^vpcEndpointId: a VPC endpoint id/],
    ['a zero rate', { ...base, throttle: { rateLimit: 0, burstLimit: 10 } }, /^throttle\.rateLimit: /],
    ['an infinite rate', { ...base, throttle: { rateLimit: 1e309, burstLimit: 10 } }, /^throttle\.rateLimit: /],
    ['a fractional burst', { ...base, throttle: { rateLimit: 1, burstLimit: 1.5 } }, /^throttle\.burstLimit: /],
    ['a burst smaller than the rate', { ...base, throttle: { rateLimit: 50, burstLimit: 10 } }, /^throttle\.burstLimit: must be at least rateLimit/],
    ['a throttle with an unknown field', { ...base, throttle: { rateLimit: 5, burstLimit: 10, perUser: 1 } }, /^throttle: /],
    ['a custom domain without a certificate', { ...base, customDomain: { domainName: 'keylaunch.example.com' } }, /^customDomain\.certificateArn: /],
    ['a custom domain that is an AWS name', { ...base, customDomain: { domainName: 'abc.execute-api.eu-west-1.amazonaws.com', certificateArn: CERT } }, /^customDomain\.domainName: must be a domain you own/],
    ['a custom domain with a path', { ...base, customDomain: { domainName: 'example.com/x', certificateArn: CERT } }, /^customDomain\.domainName: a lowercase host name/],
    ['a one-label custom domain', { ...base, customDomain: { domainName: 'localhost', certificateArn: CERT } }, /^customDomain\.domainName: /],
    ['a certificate from another region', { ...base, customDomain: { domainName: 'keylaunch.example.com', certificateArn: CERT.replace('eu-west-1', 'us-east-1') } }, /^customDomain\.certificateArn: a regional API needs its certificate in eu-west-1/],
    ['a certificate that is not an ACM ARN', { ...base, customDomain: { domainName: 'keylaunch.example.com', certificateArn: 'arn:aws:iam::123456789012:server-certificate/x' } }, /^customDomain\.certificateArn: an ACM certificate ARN/],
    ['a custom domain on a private API', { ...base, endpoint: 'private', vpcEndpointId: 'vpce-0123456789abcdef0', customDomain: { domainName: 'keylaunch.example.com', certificateArn: CERT } }, /^customDomain: not offered for a private endpoint/],
    ['the old appOrigin setting', { ...base, appOrigin: 'https://keylaunch.example.com' }, /^appOrigin: no longer a setting/],
    ['an rpId without a custom domain', { ...base, rpId: 'example.com' }, /^rpId: only with customDomain/],
    ['an rpId that is not the domain or above it', { ...base, rpId: 'other.com', customDomain: { domainName: 'keylaunch.example.com', certificateArn: CERT } }, /^rpId: must be keylaunch\.example\.com or a parent domain of it/],
    ['an rpId that is a suffix of the name but not a parent domain', { ...base, rpId: 'ample.com', customDomain: { domainName: 'keylaunch.example.com', certificateArn: CERT } }, /^rpId: must be keylaunch\.example\.com or a parent/],
    ['an rpId that is a public suffix', { ...base, rpId: 'co.uk', customDomain: { domainName: 'keylaunch.example.co.uk', certificateArn: CERT } }, /^rpId: .*public suffix/],
    ['a custom domain that is a public suffix', { ...base, customDomain: { domainName: 'github.io', certificateArn: CERT } }, /^customDomain\.domainName: is a public suffix/],
    ['an unknown field', { ...base, functionUrl: true }, /functionUrl/],
  ])('refuses %s, saying where', (_name, settings, message) => {
    const found = problems(settings);
    expect(found.some((p) => message.test(p)), found.join('\n')).toBe(true);
  });

  it.each([null, [], 'eu-west-1', 42, { ...base, allowedCidrs: '203.0.113.0/24' }, { ...base, customDomain: {} }, { ...base, throttle: null }])('refuses %j without throwing', (settings) => {
    expect(problems(settings).length).toBeGreaterThan(0);
  });

  it('the shipped example file (deploy.settings.example.json) is valid as it is', () => {
    expect(problems(JSON.parse(readFileSync('deploy.settings.example.json', 'utf8')))).toEqual([]);
  });

  it('accepts the private variant and a custom domain, each complete', () => {
    expect(problems({ ...base, endpoint: 'private', vpcEndpointId: 'vpce-0123456789abcdef0' })).toEqual([]);
    expect(problems({ ...base, customDomain: { domainName: 'keylaunch.example.com', certificateArn: CERT }, throttle: { rateLimit: 2.5, burstLimit: 5 } })).toEqual([]);
    // A parent domain as rpId, to keep keys enrolled under it; the public suffix list knows co.uk.
    expect(problems({ ...base, rpId: 'example.co.uk', customDomain: { domainName: 'keylaunch.example.co.uk', certificateArn: CERT } })).toEqual([]);
    expect(problems({ ...base, rpId: 'keylaunch.example.com', customDomain: { domainName: 'keylaunch.example.com', certificateArn: CERT } })).toEqual([]);
  });
});
