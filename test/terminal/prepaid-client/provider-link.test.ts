/**
 * The PC's HTTPS link to the provider center (terminal/prepaid-client/provider-link.ts)
 * against a real TLS 1.3 server in this process with a self-signed
 * certificate (as `tessera provider keygen` makes it): the request goes
 * over the pinned TLS socket (it once went out as plain HTTP on a second
 * connection, which the server refused: ERR_SSL_HTTP_REQUEST), and a
 * certificate whose key is not the pinned one is refused before a byte of
 * the request is written.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spkiPinOf } from '../../../center/provider/server.js';
import { selfSignedPair } from '../../../sim/demo/prepaid/setup.js';
import { providerLink } from '../../../terminal/prepaid-client/provider-link.js';

const dir = mkdtempSync(join(tmpdir(), 'tsr-pplink-'));
let server: Server;
let url: string;
let pin: string;
const seen: Array<{ method: string; url: string; body: string }> = [];

beforeAll(async () => {
  const tls = selfSignedPair(dir);
  const cert = readFileSync(tls.certFile);
  pin = spkiPinOf(cert);
  server = createServer({ cert, key: readFileSync(tls.keyFile), minVersion: 'TLSv1.3' }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, echo: body.length }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('provider link (HTTPS, pinned SPKI)', () => {
  it('sends GET and POST over the pinned TLS 1.3 socket and reads the JSON answer', async () => {
    const link = providerLink({ url, spkiPin: pin });
    expect(await link.get<Record<string, unknown>>('/v1/prepaid/provider')).toEqual({ ok: true, echo: 0 });
    expect(await link.post<Record<string, unknown>>('/v1/prepaid/use', { a: 1 })).toEqual({ ok: true, echo: 7 });
    expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([['GET', '/v1/prepaid/provider', ''], ['POST', '/v1/prepaid/use', '{"a":1}']]);
  });

  it('refuses a certificate whose key is not the pinned one, before the request is written', async () => {
    const before = seen.length;
    const link = providerLink({ url, spkiPin: '00'.repeat(32) });
    await expect(link.post('/v1/prepaid/use', { a: 1 })).rejects.toMatchObject({ code: 'PPCLIENT_PIN_MISMATCH' });
    expect(seen.length).toBe(before);
  });
});
