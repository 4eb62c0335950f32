import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsManagerStub {
  /** The stub's URL, for `endpoint` or `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  readonly endpoint: string;
  /** `SecretId`s of the GetSecretValue calls received, in order. */
  readonly calls: string[];
  /** What the next calls answer: a secret string, or an AWS error type with its status. */
  answer(next: { secretString: string } | { errorType: string; status: number }): void;
  close(): Promise<void>;
}

/**
 * Secrets Manager's GetSecretValue on loopback, speaking its JSON protocol, so the real SDK
 * client (and `src/lambda.ts`'s cold start) can be tested without AWS.
 */
export async function startSecretsManagerStub(): Promise<SecretsManagerStub> {
  const calls: string[] = [];
  let next: { secretString: string } | { errorType: string; status: number } = { secretString: '' };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      const { SecretId } = JSON.parse(body || '{}') as { SecretId?: string };
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'secretsmanager.GetSecretValue' || !SecretId) {
        res.writeHead(400).end(JSON.stringify({ __type: 'InvalidRequestException', message: 'unexpected' }));
        return;
      }
      calls.push(SecretId);
      if ('errorType' in next) {
        res
          .writeHead(next.status)
          .end(JSON.stringify({ __type: next.errorType, message: 'refused by the stub' }));
        return;
      }
      res.writeHead(200).end(
        JSON.stringify({
          ARN: SecretId,
          Name: 'jwt-signing-key',
          SecretString: next.secretString,
          VersionId: 'v1',
        }),
      );
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    answer: (value) => void (next = value),
    close: () => new Promise((done) => server.close(() => done())),
  };
}
