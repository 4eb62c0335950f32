import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Config } from '../config.js';
import { traced } from '../observability/tracing.js';

const MIN_KEY_BYTES = 32;

/**
 * The JWT signing key: `JWT_SECRET` when set, else the Secrets Manager secret, read once per
 * cold start so the key never sits in the function's environment. The Secrets Manager client
 * is loaded only when a secret is to be read.
 */
export async function loadSigningKey(
  config: Pick<Config, 'jwtSecret' | 'jwtSecretArn' | 'region'>,
  secrets?: Pick<SecretsManagerClient, 'send'>,
): Promise<string> {
  if (config.jwtSecret) return config.jwtSecret;
  if (!config.jwtSecretArn) throw new Error('JWT_SECRET or JWT_SECRET_ARN must be set');
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = secrets ?? traced(new SecretsManagerClient({ region: config.region }));
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: config.jwtSecretArn }));
  if (!SecretString || Buffer.byteLength(SecretString, 'utf8') < MIN_KEY_BYTES) {
    throw new Error(`the secret at JWT_SECRET_ARN must be a string of at least ${MIN_KEY_BYTES} bytes`);
  }
  return SecretString;
}
