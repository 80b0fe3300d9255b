import { describe, expect, it } from 'vitest';
import type { Metafile } from 'esbuild';
import { assertColdStart, coldStart } from '../../build/lambdaColdStart';

/** The build's guard over what a cold start loads (the real bundle is checked by every build). */
const output = (inputs: Record<string, number>, imports: { path: string; kind: 'import-statement' | 'dynamic-import' }[] = [], entryPoint?: string) => ({
  ...(entryPoint ? { entryPoint } : {}),
  bytes: 0,
  exports: [],
  imports,
  inputs: Object.fromEntries(Object.entries(inputs).map(([k, bytesInOutput]) => [k, { bytesInOutput }])),
});
const metafile = (extraAtStart: Record<string, number> = {}): Metafile =>
  ({
    inputs: {},
    outputs: {
      'out/index.mjs': output({ 'backend/entry/lambda.ts': 100, ...extraAtStart }, [
        { path: 'out/chunks/shared.mjs', kind: 'import-statement' },
        { path: 'out/chunks/registration.mjs', kind: 'dynamic-import' },
      ], 'backend/entry/lambda.ts'),
      'out/chunks/shared.mjs': output({ 'node_modules/zod/v4/core/core.js': 50, 'node_modules/unused/index.js': 0 }),
      'out/chunks/registration.mjs': output({ 'node_modules/@simplewebauthn/server/esm/registration/verifyRegistrationResponse.js': 900, 'node_modules/@peculiar/x509/build/x509.es.js': 5000 }),
    },
  }) as Metafile;

describe('what a Lambda cold start loads', () => {
  it('follows static imports only, and counts bytes per package', () => {
    const start = coldStart(metafile(), 'backend/entry/lambda.ts');
    expect(start.files.sort()).toEqual(['out/chunks/shared.mjs', 'out/index.mjs']);
    expect(start.byPackage).toEqual({ keylaunch: 100, zod: 50 });
    expect(start.bytes).toBe(150);
    expect(() => assertColdStart(start)).not.toThrow();
  });

  it('refuses to report on a bundle without that entry (a report of nothing would pass every check)', () => {
    expect(() => coldStart(metafile(), 'backend/entry/other.ts')).toThrow('found 0');
  });

  it('fails the build, naming the file and why, when registration or a launcher client comes back on the start path', () => {
    for (const offender of ['node_modules/@simplewebauthn/server/esm/registration/verifyRegistrationResponse.js', 'node_modules/@peculiar/x509/build/x509.es.js', 'node_modules/@aws-sdk/client-ec2/dist-es/EC2Client.js', 'node_modules/yaml/dist/index.js']) {
      expect(() => assertColdStart(coldStart(metafile({ [offender]: 10 }), 'backend/entry/lambda.ts'))).toThrow(offender);
    }
  });
});
