import type { Launcher } from '../core/ports';
import type { JobType } from '../core/job';
import { lazyLauncher } from '../adapters/launcher/lazyLauncher';
import { loadOnFirstUse } from '../adapters/loadOnFirstUse';

/**
 * The AWS launchers, each loaded on first use with its SDK clients (a cold start loads none of them), and
 * each call made as the job's own launch role (adapters/launcher/aws/launchRole.ts): STS is asked for a
 * session per launch, status, output or cancel, and the clients are built around its credentials, so
 * nothing the verifier's own role holds can launch a job. STS is @aws-sdk/client-sts, loaded with the
 * first launcher: AssumeRole is the query protocol (form in, XML out), which the small signed JSON client
 * does not speak, and it is never on the cold-start path, so the SDK's size costs nothing there.
 */
export function awsLaunchers(env: NodeJS.ProcessEnv, region: string): Partial<Record<JobType, Launcher>> {
  // One retry policy (ours, in the launchers): the SDK's own retries are off so attempts are not multiplied.
  const once = { maxAttempts: 1 };
  const roles = loadOnFirstUse(async () => {
    const [{ STSClient }, { createRoleAssumer, parseLaunchRoles, assumingLauncher }] = await Promise.all([import('@aws-sdk/client-sts'), import('../adapters/launcher/aws/launchRole')]);
    // The SDK's own retries stay on for STS: AssumeRole starts nothing, and this client lives as long as
    // the Lambda instance, so a keep-alive socket the endpoint closed meanwhile (ECONNRESET) is retried.
    return { assume: createRoleAssumer({ client: new STSClient({ region, maxAttempts: 3 }) }), roles: parseLaunchRoles(env.KEYLAUNCH_LAUNCH_ROLES), assumingLauncher };
  });
  const logsClient = async () => (await import('@aws-sdk/client-cloudwatch-logs')).CloudWatchLogsClient;
  const has = (cancel: boolean) => ({ status: true, output: true, cancel });

  return {
    lambda: lazyLauncher(async () => {
      const [{ LambdaClient }, Logs, { createLambdaLauncher }, r] = await Promise.all([import('@aws-sdk/client-lambda'), logsClient(), import('../adapters/launcher/aws/lambdaLauncher'), roles()]);
      return r.assumingLauncher({ ...r, has: has(false), make: (credentials) => createLambdaLauncher({ client: new LambdaClient({ ...once, credentials }), logs: new Logs({ ...once, credentials }), region }) });
    }, has(false)),
    ec2: lazyLauncher(async () => {
      const [{ EC2Client }, { createEc2Launcher }, r] = await Promise.all([import('@aws-sdk/client-ec2'), import('../adapters/launcher/aws/ec2Launcher'), roles()]);
      return r.assumingLauncher({ ...r, has: has(true), make: (credentials) => createEc2Launcher({ client: new EC2Client({ ...once, credentials }), region }) });
    }, has(true)),
    'ssm-command': lazyLauncher(async () => {
      const [{ SSMClient }, Logs, { createSsmCommandLauncher }, r] = await Promise.all([import('@aws-sdk/client-ssm'), logsClient(), import('../adapters/launcher/aws/ssmCommandLauncher'), roles()]);
      return r.assumingLauncher({ ...r, has: has(true), make: (credentials) => createSsmCommandLauncher({ client: new SSMClient({ ...once, credentials }), logs: new Logs({ ...once, credentials }), region }) });
    }, has(true)),
    'ecs-task': lazyLauncher(async () => {
      const [{ ECSClient }, Logs, { createEcsTaskLauncher }, r] = await Promise.all([import('@aws-sdk/client-ecs'), logsClient(), import('../adapters/launcher/aws/ecsTaskLauncher'), roles()]);
      return r.assumingLauncher({ ...r, has: has(true), make: (credentials) => createEcsTaskLauncher({ client: new ECSClient({ ...once, credentials }), logs: new Logs({ ...once, credentials }), region }) });
    }, has(true)),
    'step-functions': lazyLauncher(async () => {
      const [{ SFNClient }, { createStepFunctionsLauncher }, r] = await Promise.all([import('@aws-sdk/client-sfn'), import('../adapters/launcher/aws/stepFunctionsLauncher'), roles()]);
      return r.assumingLauncher({ ...r, has: has(true), make: (credentials) => createStepFunctionsLauncher({ client: new SFNClient({ ...once, credentials }), region }) });
    }, has(true)),
  };
}
