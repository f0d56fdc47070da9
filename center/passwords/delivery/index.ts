/**
 * Opens the TTP's password delivery from its config section: the SMPP
 * client (bound to the SMSC, receipts into the service), the SMTP client,
 * and the delivery service on the center's storage. The passwords module
 * calls this in its open() and hands `service.enqueue` its unit of work.
 */
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import type { Random } from '../../../core/random.js';
import type { Storage } from '../../storage/types.js';
import { deliverySectionSchema, readDeliverySecrets, type DeliverySectionInput } from './config.js';
import type { DeliveryPort } from './port.js';
import { DeliveryService, type DeliveryEvent } from './service.js';
import { SmppClient } from './smpp-client.js';
import { SmtpClient } from './smtp-client.js';

export * from './config.js';
export * from './port.js';
export * from './service.js';

export interface OpenedDelivery {
  readonly service: DeliveryService;
  readonly smpp: SmppClient | null;
  close(): Promise<void>;
}

export async function openDelivery(
  input: DeliverySectionInput,
  deps: { storage: Storage; clock: Clock; random: Random; log: Logger; port: DeliveryPort; onEvent?: (e: DeliveryEvent) => void },
): Promise<OpenedDelivery> {
  const section = deliverySectionSchema.parse(input);
  // Secrets first: a bad file stops the start before anything connects.
  const { smppPassword, smtpPassword } = readDeliverySecrets(section);
  let service: DeliveryService | null = null;
  const smpp =
    section.smpp && smppPassword !== undefined
      ? new SmppClient({
          host: section.smpp.host,
          port: section.smpp.port,
          systemId: section.smpp.systemId,
          password: smppPassword,
          source: section.smpp.source,
          log: deps.log,
          // Receipts that come before the service is open are refused (ESME_RX_T_APPN) and sent again by the SMSC.
          onReceipt: async (r) => {
            if (!service) throw new Error('delivery service not open yet');
            await service.receipt(r);
          },
        })
      : null;
  const smtp = section.smtp
    ? new SmtpClient({
        host: section.smtp.host,
        port: section.smtp.port,
        ...(section.smtp.user !== undefined && { user: section.smtp.user }),
        ...(smtpPassword !== undefined && { password: smtpPassword }),
        from: section.smtp.from,
        log: deps.log,
      })
    : null;
  service = await DeliveryService.open({
    ...deps,
    ...(smpp && { sms: smpp }),
    ...(smtp && { email: smtp }),
    attemptsMax: section.attemptsMax,
    backoffMsBase: section.backoffMsBase,
    sweepIntervalMs: section.sweepIntervalMs,
    claimHoldMs: section.claimHoldMs,
  });
  const opened = service;
  return {
    service: opened,
    smpp,
    close: async () => {
      await opened.stop();
      await smpp?.close();
      smtp?.close();
    },
  };
}
