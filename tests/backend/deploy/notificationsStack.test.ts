import { describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { ACCOUNT, REGION, onlyId, render, roleStatements, synth } from './synth';
import { runtimeNotifySchema } from '../../../backend/core/notifyConfig';
import { jobDefinitionSchema } from '../../../backend/core/job';

/**
 * Issue 16 §3 in the stack: topics it creates or is given, sns:Publish on exactly those topics and on
 * nothing else, a webhook signing secret only the verifier reads, and what the function is told.
 */
const GIVEN = `arn:aws:sns:${REGION}:${ACCOUNT}:security-alerts`;
const HOOK = 'https://hooks.example.com/keylaunch';
const functionEnv = (t: Template): Record<string, unknown> => (Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }))[0] as any).Properties.Environment.Variables;
const verifierStatements = (t: Template) => roleStatements(t).filter((s) => s.Sid !== undefined);
const secretIds = (t: Template) => Object.keys(t.findResources('AWS::SecretsManager::Secret'));

describe('notifications in the stack', () => {
  it('without settings: no topic, no publish right, no signing secret, nothing in the environment', () => {
    const t = synth();
    expect(Object.keys(t.findResources('AWS::SNS::Topic'))).toEqual([]);
    expect(JSON.stringify(roleStatements(t))).not.toMatch(/sns:/);
    expect(secretIds(t)).toHaveLength(1); // the session secret
    expect(Object.keys(functionEnv(t)).filter((k) => k.startsWith('KEYLAUNCH_NOTIFY'))).toEqual([]);
  });

  it('creates the asked-for topic; the verifier may sns:Publish to it and the given one, nothing else in SNS', () => {
    const t = synth({ notifications: { destinations: { ops: { sns: 'create' }, security: { sns: GIVEN } }, everyEvent: ['ops'] } });
    const topic = onlyId(t, 'AWS::SNS::Topic');
    const sns = roleStatements(t).filter((s) => JSON.stringify(s.Action).includes('sns:'));
    expect(sns).toEqual([{ Sid: 'PublishNotifications', Effect: 'Allow', Action: 'sns:Publish', Resource: [{ Ref: topic }, GIVEN] }]);
    // Only webhooks need a signing secret.
    expect(secretIds(t)).toHaveLength(1);
    const env = functionEnv(t);
    expect(env.KEYLAUNCH_NOTIFY_SECRET_ARN).toBeUndefined();
    const told = JSON.parse(render(env.KEYLAUNCH_NOTIFY, { [topic]: `arn:aws:sns:${REGION}:${ACCOUNT}:keylaunch-ops-AbC` }));
    expect(told).toEqual({ destinations: { ops: { sns: `arn:aws:sns:${REGION}:${ACCOUNT}:keylaunch-ops-AbC` }, security: { sns: GIVEN } }, everyEvent: ['ops'] });
    // What the stack hands the function passes the function's own check.
    expect(runtimeNotifySchema.safeParse(told).success).toBe(true);
    expect(t.toJSON().Outputs).toHaveProperty('NotifyTopicOps');
  });

  it('a webhook gets a generated signing secret that only the verifier may read; no SNS right at all', () => {
    const t = synth({ notifications: { destinations: { chat: { webhook: HOOK } }, everyEvent: ['chat'] } });
    const ids = secretIds(t);
    expect(ids).toHaveLength(2);
    const signing = ids.find((id) => id.startsWith('Notifications'))!;
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Description: 'keylaunch: HMAC key that signs webhook notifications (receivers check it)', GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false } });
    expect(verifierStatements(t).find((s) => s.Sid === 'ReadNotifySigningSecret')).toEqual({ Sid: 'ReadNotifySigningSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: signing } });
    expect(JSON.stringify(roleStatements(t))).not.toMatch(/sns:/);
    const env = functionEnv(t);
    expect(env.KEYLAUNCH_NOTIFY_SECRET_ARN).toEqual({ Ref: signing });
    expect(JSON.parse(render(env.KEYLAUNCH_NOTIFY, {}))).toEqual({ destinations: { chat: { webhook: HOOK } }, everyEvent: ['chat'] });
  });

  it('refuses a catalog whose job names a destination the settings do not define', () => {
    const job = jobDefinitionSchema.parse({ name: 'patch', title: 'P', type: 'local', allow: { roles: ['admin'] }, target: { argv: ['/bin/true'] }, notify: ['chat', 'pager'] });
    expect(() => synth({ notifications: { destinations: { chat: { webhook: HOOK } } } }, [job])).toThrow('Job patch notifies pager, which the deploy settings\' notifications.destinations do not define.');
    expect(() => synth({}, [job])).toThrow(/define none/);
    expect(() => synth({ notifications: { destinations: { chat: { webhook: HOOK }, pager: { sns: 'create' } } } }, [job])).not.toThrow();
  });

  it('a destination named like a member of every object (constructor) is not "defined" by the settings', () => {
    const job = jobDefinitionSchema.parse({ name: 'patch', title: 'P', type: 'local', allow: { roles: ['admin'] }, target: { argv: ['/bin/true'] }, notify: ['constructor'] });
    expect(() => synth({ notifications: { destinations: { chat: { webhook: HOOK } } } }, [job])).toThrow('Job patch notifies constructor, which');
  });
});
