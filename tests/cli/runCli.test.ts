import { describe, expect, test } from 'vitest';
import { CliError, describeFailure } from '../../backend/cli/runCli';
import { KeylaunchError } from '../../backend/core/errors';

const named = (name: string, message: string, extra: object = {}) => Object.assign(new Error(message), { name }, extra);

describe('describeFailure: what a person reads for each kind of error', () => {
  test.each([
    [new CliError('usage', 'Unknown command "x".', 'Run `npm run admin -- --help` for usage.'), 'usage', 'Unknown command "x". Run `npm run admin -- --help` for usage.'],
    [new KeylaunchError('user_exists', 'User alice already exists.'), 'failed', 'User alice already exists (user_exists).'],
    [new Error('Region is missing'), 'setup', 'No AWS region is set. Set AWS_REGION'],
    [named('CredentialsProviderError', 'Could not load credentials from any providers'), 'setup', 'No AWS credentials were found. Set AWS_PROFILE'],
    [named('ExpiredTokenException', 'The security token included in the request is expired', { $metadata: {} }), 'setup', 'AWS refused your credentials (ExpiredTokenException). Refresh them'],
    [named('AccessDeniedException', 'not authorized to perform ssm:GetParametersByPath', { $metadata: {} }), 'failed', 'AWS denied the call: not authorized'],
    [Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', path: 'jobs/x.yaml' }), 'setup', 'jobs/x.yaml does not exist.'],
    [Object.assign(new Error('getaddrinfo EAI_AGAIN github.com'), { code: 'EAI_AGAIN' }), 'setup', 'A network call failed (getaddrinfo EAI_AGAIN github.com). Check your network'],
    [new TypeError("Cannot read properties of undefined (reading 'x')"), 'internal', 'Unexpected error: Cannot read properties of undefined'],
  ])('%s → %s', (error, kind, line) => {
    const described = describeFailure(error);
    expect(described.kind).toBe(kind);
    expect(described.line).toContain(line);
    expect(described.line).not.toContain('\n');
  });
});
