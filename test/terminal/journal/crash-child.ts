/**
 * Child process of the journal crash test: appends purchase records and an
 * outbox entry per record as fast as it can, printing each once the call
 * returned (i.e. once the journal says it is durable), until killed.
 */
import { Journal } from '../../../terminal/journal/journal.js';

const journal = Journal.open(process.argv[2] as string);
for (let i = 0; i < 1_000; i++) {
  const mediumId = (0x1000 + i).toString(16).padStart(16, '0');
  journal.appendPurchase({ mediumId, cardCounter: i, amountMinor: 100 + i, currency: 'JPY', terminalId: 'T-1', terminalNonce: Buffer.alloc(8, i & 0xff), cardMac: Buffer.alloc(8, 0xaa) });
  journal.outboxAdd({ transactionId: i.toString(16).padStart(32, '0'), role: 'test', kind: 'transaction', payload: Buffer.from([i & 0xff]) });
  if (i % 2 === 1) journal.settleAndErase([{ mediumId, cardCounter: i }]);
  process.stdout.write(`ok ${i}\n`);
}
