/**
 * Where an AWS service is and who we are to it, from the environment as the SDK reads it: the endpoint
 * variables (`AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`), else the service's regional
 * endpoint; credentials from the variables Lambda sets for the function's role.
 */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** `service`: as in the endpoint variable's name (`DYNAMODB`, `SECRETS_MANAGER`); `host`: its endpoint prefix. */
export function serviceEndpoint(env: NodeJS.ProcessEnv, o: { service: string; host: string; region: string }): string {
  const configured = env[`AWS_ENDPOINT_URL_${o.service}`] ?? env.AWS_ENDPOINT_URL;
  if (configured) return configured;
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(o.region)) throw new Error(`keylaunch: AWS_REGION ${JSON.stringify(o.region)} is not a region name.`);
  return `https://${o.host}.${o.region}.amazonaws.com`;
}

export function credentialsFromEnvironment(env: NodeJS.ProcessEnv): () => AwsCredentials {
  return () => {
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
    if (!accessKeyId || !secretAccessKey) throw new Error('keylaunch: no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).');
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  };
}
