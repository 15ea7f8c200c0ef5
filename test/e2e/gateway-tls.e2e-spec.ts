import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { CustodyGrpcClient, signatureHeaders } from '@custody/client';
import { custody } from '@custody/proto';
import { startGateway, type RunningGateway } from '@custody/testing';

function get(url: string, headers: Record<string, string>, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { method: 'GET', headers, ca }, (response) => {
      let body = '';
      response.on('data', (c: Buffer) => (body += c.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** HTTPS and gRPC over TLS with a self-signed certificate made here (openssl), signed requests on both. */
describe('gateway over TLS (e2e)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-tls-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  let gateway: RunningGateway;
  let ca: Buffer;

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    ca = fs.readFileSync(certFile);
    gateway = await startGateway({ GATEWAY_TLS_CERT_FILE: certFile, GATEWAY_TLS_KEY_FILE: keyFile }, { tlsCa: ca });
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves signed REST requests over HTTPS (the signature covers the https target URI)', async () => {
    expect(gateway.baseUrl).toMatch(/^https:\/\//);
    const url = `${gateway.baseUrl}/v1/whoami`;
    const answer = await get(url, await signatureHeaders('GET', url, Buffer.alloc(0), gateway.admin, Math.floor(Date.now() / 1000)), ca);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ clientId: gateway.admin.clientId, roles: ['admin'] });
    // A signature made for the plaintext URL does not verify over TLS.
    const plain = url.replace('https://', 'http://');
    expect((await get(url, await signatureHeaders('GET', plain, Buffer.alloc(0), gateway.admin, Math.floor(Date.now() / 1000)), ca)).status).toBe(401);
  });

  it('serves signed gRPC calls over TLS, and refuses a plaintext channel', async () => {
    const secure = new CustodyGrpcClient(gateway.grpcAddress, gateway.admin, grpc.credentials.createSsl(ca));
    const plain = new CustodyGrpcClient(gateway.grpcAddress, gateway.admin);
    try {
      const empty = Buffer.from(custody.v1.WhoAmIRequest.encode({}).finish());
      const principal = await secure.call('/custody.v1.IdentityService/WhoAmI', empty, (b) => custody.v1.Principal.decode(b));
      expect(principal.clientId).toBe(gateway.admin.clientId);
      await expect(plain.call('/custody.v1.IdentityService/WhoAmI', empty, (b) => b, { deadlineMs: 3000 })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    } finally {
      secure.close();
      plain.close();
    }
  });
});
