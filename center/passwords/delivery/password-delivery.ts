/**
 * The delivery side of the passwords module's port
 * (center/passwords/delivery-port.ts): `passwordDeliveryFactory(section,
 * deps)` is the PasswordDeliveryFactory the module is built with.
 *
 *  - `enqueue(tx, passwordId, channel, address, message)` (the
 *    TransactionalPasswordDelivery the module uses) queues one delivery in
 *    the unit of work (id = passwordId, so a second call is a
 *    no-op) with the message text, the app token on a `token:` line when
 *    there is one, and the service's `ref:` line. `deliver(...)` does the
 *    same in a unit of its own (a caller with only the plain port).
 *  - Outcomes: with a transactional sink (Passwords: `outcomeIn`) each is
 *    applied to the password inside the unit that records it, and written to
 *    the outbox (password_delivery_outcomes) already reported, for the
 *    record. With a plain sink they are written to the outbox and reported
 *    after the commit; a report the sink did not answer (it threw, or this
 *    process died) is reported again by the next flush, so the sink sees
 *    each outcome at least once (it answers a repeat with 'repeated'). Late
 *    receipts are reported too (the sink answers 'late').
 *
 * The outcome's `detail` is non-secret: DELIVRD, ACCEPTED (SMTP 250), or the
 * PWDELIVERY_ code of the failure.
 */
import type { Clock } from '../../../core/clock.js';
import { errorCode } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import type { Random } from '../../../core/random.js';
import { int, oneOf, rowMapper, text, type MappedRow } from '../../kit/rows.js';
import { startSweepTimer, type SweepTimer } from '../../kit/sweep-timer.js';
import type { Storage, Tx } from '../../storage/types.js';
import type { DeliveryChannel, DeliveryOutcome, DeliveryOutcomeSink, PasswordDelivery, PasswordDeliveryFactory, PasswordMessage, TransactionalOutcomeSink, TransactionalPasswordDelivery } from '../delivery-port.js';
import type { DeliverySectionInput } from './config.js';
import { deliverySectionSchema } from './config.js';
import { openDelivery, type OpenedDelivery } from './index.js';
import type { RecordedOutcome } from './port.js';
import type { DeliveryEvent } from './service.js';

const OUTBOX_ROWS = rowMapper('password_delivery_outcomes', {
  deliveryId: text('delivery_id'),
  seq: int('seq'),
  outcome: oneOf('outcome', ['delivered', 'failed'] as const),
  channel: oneOf('channel', ['sms', 'email'] as const),
  atMs: int('at_ms'),
  detail: text('detail'),
});
type OutboxRow = MappedRow<typeof OUTBOX_ROWS>;

/** The text the device receives: the module's text, then the app token on its own line (the `ref:` line is the service's). */
export function messageText(m: PasswordMessage): string {
  return m.token === null ? m.text : `${m.text}\ntoken:${m.token}`;
}

export interface PasswordDeliveryHandle extends PasswordDelivery, TransactionalPasswordDelivery {
  readonly opened: OpenedDelivery;
  /** Reports every unreported outcome now (also done after each commit and every sweep interval). */
  flush(): Promise<number>;
  close(): Promise<void>;
}

export function passwordDeliveryFactory(
  input: DeliverySectionInput,
  deps: { storage: Storage; clock: Clock; random: Random; log: Logger; onEvent?: (e: DeliveryEvent) => void },
): PasswordDeliveryFactory {
  return (sink) => openPasswordDelivery(input, deps, sink);
}

export async function openPasswordDelivery(
  input: DeliverySectionInput,
  deps: { storage: Storage; clock: Clock; random: Random; log: Logger; onEvent?: (e: DeliveryEvent) => void },
  sink: DeliveryOutcomeSink & Partial<TransactionalOutcomeSink>,
): Promise<PasswordDeliveryHandle> {
  const section = deliverySectionSchema.parse(input);
  let flushing: Promise<number> | null = null;

  const flushOnce = async (): Promise<number> => {
    const due = await deps.storage.read((q) => OUTBOX_ROWS.all(q, 'WHERE reported_ms IS NULL ORDER BY at_ms, delivery_id, seq LIMIT 100'));
    let n = 0;
    for (const r of due) {
      let effect: string;
      try {
        effect = await sink.onOutcome(toOutcome(r));
      } catch (e) {
        deps.log.warn({ delivery: r.deliveryId, err: errorCode(e) }, 'delivery outcome not taken by the passwords module; reported again later');
        continue;
      }
      await deps.storage.transact((tx) =>
        tx.run('UPDATE password_delivery_outcomes SET reported_ms = ?, effect = ? WHERE delivery_id = ? AND seq = ?', [deps.clock.nowMs(), effect, r.deliveryId, r.seq]),
      );
      if (effect === 'late') deps.log.warn({ delivery: r.deliveryId, outcome: r.outcome, detail: r.detail }, 'delivery outcome came too late for the password (nothing changed)');
      n += 1;
    }
    return n;
  };
  const flush = (): Promise<number> => {
    // One flush at a time; a call during one waits for it and runs again (an outcome committed meanwhile is not missed).
    const run = (flushing ?? Promise.resolve(0)).then(flushOnce, flushOnce);
    flushing = run.finally(() => {
      if (flushing === run) flushing = null;
    });
    return run;
  };

  const port = {
    outcome: async (tx: Tx, o: RecordedOutcome): Promise<void> => {
      const seq = Number((await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM password_delivery_outcomes WHERE delivery_id = ?', [o.deliveryId]))?.n ?? 0) + 1;
      const detail = o.state === 'delivered' ? (o.channel === 'sms' ? 'DELIVRD' : 'ACCEPTED') : o.code;
      // A transactional sink takes the outcome in this unit: the delivery's state and the password's commit together.
      const effect = sink.outcomeIn ? await sink.outcomeIn(tx, { passwordId: o.deliveryId, outcome: o.state, channel: o.channel, atMs: o.atMs, detail }) : null;
      await tx.run('INSERT INTO password_delivery_outcomes (delivery_id, seq, outcome, channel, at_ms, detail, late, reported_ms, effect) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
        o.deliveryId,
        seq,
        o.state,
        o.channel,
        o.atMs,
        detail,
        o.late ? 1 : 0,
        effect === null ? null : deps.clock.nowMs(),
        effect,
      ]);
      if (effect === null) tx.afterCommit(() => void flush().catch(() => undefined));
    },
  };
  const enqueue = (tx: Tx, passwordId: string, channel: DeliveryChannel, address: string, message: PasswordMessage): Promise<void> =>
    opened.service.enqueue(tx, {
      id: passwordId,
      passwordSerial: message.serial,
      channel,
      to: address,
      text: messageText(message),
      subject: 'Your settlement password',
      deadlineMs: deps.clock.nowMs() + section.deadlineMs,
    });

  const opened = await openDelivery(input, { ...deps, port });
  opened.service.start();
  const timer: SweepTimer = startSweepTimer({ sweep: async () => ({ reported: await flush() }) }, section.sweepIntervalMs, deps.clock, deps.log, 'password delivery outcomes');

  return {
    opened,
    flush,
    enqueue,
    deliver: async (passwordId, channel, address, message) => {
      await deps.storage.transact((tx) => enqueue(tx, passwordId, channel, address, message));
    },
    close: async () => {
      await timer.stop();
      await opened.close();
      await flushing?.catch(() => undefined);
    },
  };
}

function toOutcome(r: OutboxRow): DeliveryOutcome {
  return { passwordId: r.deliveryId, outcome: r.outcome, channel: r.channel, atMs: r.atMs, detail: r.detail };
}
