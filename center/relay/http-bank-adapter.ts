/**
 * A BankHostAdapter that reaches a bank host over HTTP/JSON (sim/bank's
 * bank-http-server.ts): lets each simulated bank run as its own process.
 * Any transport failure rejects (the relay turns it into an in-doubt
 * RELAY_BANK_UNREACHABLE); the PIN travels in the body, never in a URL or log.
 */
import { request } from 'node:http';
import { TesseraError } from '../../core/errors.js';
import { RELAY_LIMITS } from './limits.js';
import type { BankHostAdapter, BankOutcome, BankTransferRequest, ReversalOutcome } from './types.js';

export class HttpBankAdapter implements BankHostAdapter {
  constructor(
    readonly bankCode: string,
    private readonly target: { host: string; port: number },
  ) {}

  transfer(req: BankTransferRequest): Promise<BankOutcome> {
    return this.post('/transfer', req) as Promise<BankOutcome>;
  }

  reverse(transferId: string): Promise<ReversalOutcome> {
    return this.post('/reverse', { transferId }) as Promise<ReversalOutcome>;
  }

  private post(path: string, body: unknown): Promise<unknown> {
    const text = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => reject(new TesseraError('RELAY_BANK_UNREACHABLE', `bank ${this.bankCode}: ${why}`, { bankCode: this.bankCode }));
      const req = request(
        { ...this.target, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= RELAY_LIMITS.bankBodyBytesMax) chunks.push(c);
          });
          res.on('end', () => {
            if (res.statusCode !== 200 || size > RELAY_LIMITS.bankBodyBytesMax) return fail(`HTTP ${res.statusCode ?? 0}`);
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            } catch {
              fail('answer is not JSON');
            }
          });
          res.on('error', () => fail('connection lost'));
        },
      );
      req.on('error', () => fail('connection failed'));
      req.end(text);
    });
  }
}
