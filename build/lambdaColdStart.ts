import type { Metafile } from 'esbuild';

/**
 * What a cold start of the Lambda bundle reads: the entry and the closure of its static imports
 * (`import … from`), not the chunks behind `import()`. The build refuses a bundle whose start path holds
 * something that only rare routes need — a library upgrade or a careless import would otherwise make
 * every first touch of the day wait, silently (the bench shows the breakdown).
 */
export interface ColdStart {
  files: string[];
  bytes: number;
  /** Bytes in the output per npm package (`keylaunch` for our own code). */
  byPackage: Record<string, number>;
  /** The source files whose code a cold start loads. */
  inputs: string[];
}

export const NOT_AT_COLD_START: { pattern: RegExp; why: string }[] = [
  { pattern: /@simplewebauthn\/server\/esm\/registration\//, why: 'registration (enroll, add a key) is loaded on first use' },
  { pattern: /node_modules\/(@peculiar\/x509|tsyringe|reflect-metadata)\//, why: 'the X.509 attestation stack is only for registration' },
  { pattern: /backend\/core\/webauthnRegistration\.ts$/, why: 'registration is loaded on first use' },
  { pattern: /node_modules\/@eslint-community\/regexpp\/|backend\/core\/(job|shellSafety)\.ts$/, why: 'job definitions are validated by the catalog, loaded on first use' },
  { pattern: /node_modules\/yaml\//, why: 'YAML job files are read by local mode and the CLI, never in Lambda' },
  { pattern: /backend\/adapters\/catalog\/fileCatalog\.ts$/, why: 'the jobs-file catalog is local mode only' },
  { pattern: /node_modules\/@aws-sdk\/client-(ssm|lambda|ec2|ecs|sfn)\//, why: 'the catalog and each launcher load with their client on first use' },
  { pattern: /node_modules\/@aws-sdk\/client-(sts|cloudwatch-logs)\//, why: 'launch roles (STS) and run output (CloudWatch Logs) load with the launchers, on first use' },
  { pattern: /backend\/adapters\/launcher\/aws\//, why: 'each AWS launcher is its own chunk, loaded on first use' },
  { pattern: /backend\/core\/(admin|adminActions|cancel|runOutput|decisions|launchRequest|proposals)\.ts$/, why: 'administration, approve/reject, proposals, cancel and output are rare routes: api/routes.ts loads each on first use' },
  { pattern: /node_modules\/@aws-sdk\/(client-dynamodb|client-secrets-manager|lib-dynamodb)\//, why: 'the start path talks to DynamoDB and Secrets Manager through the small signed client' },
  { pattern: /backend\/adapters\/notify\/|backend\/core\/(notifyConfig|webhookUrl)\.ts$/, why: 'notifications load with their configuration, only when the deploy settings name destinations' },
];

/** `entryPoint`: the source the handler is built from (chunks behind `import()` are entry points too). */
export function coldStart(metafile: Metafile, entryPoint: string): ColdStart {
  const entries = Object.keys(metafile.outputs).filter((f) => metafile.outputs[f]!.entryPoint === entryPoint);
  if (entries.length !== 1) throw new Error(`Expected one output for ${entryPoint} in the Lambda bundle, found ${entries.length}.`);
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !metafile.outputs[file]) return;
    seen.add(file);
    for (const i of metafile.outputs[file]!.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entries[0]!);
  const byPackage: Record<string, number> = {};
  const inputs: string[] = [];
  let bytes = 0;
  for (const file of seen) {
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[file]!.inputs)) {
      if (bytesInOutput === 0) continue;
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? 'keylaunch';
      byPackage[pkg] = (byPackage[pkg] ?? 0) + bytesInOutput;
      bytes += bytesInOutput;
      inputs.push(input);
    }
  }
  return { files: [...seen], bytes, byPackage, inputs };
}

/** Throws, naming each offender and why it must not be there. */
export function assertColdStart(start: ColdStart): void {
  const offenders = start.inputs.flatMap((input) => NOT_AT_COLD_START.filter((r) => r.pattern.test(input)).map((r) => `  ${input}: ${r.why}`));
  if (offenders.length) throw new Error(`The Lambda bundle's cold start loads what it must not:\n${[...new Set(offenders)].slice(0, 20).join('\n')}`);
}
