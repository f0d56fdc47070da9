/** The settlement-password scene's progress lines (names, serial prefixes, amounts, codes; never a password). */
import { formatMinor, formatSeconds } from '../progress.js';
import type { PasswordEvent } from './scene.js';

export function passwordEventLine(e: PasswordEvent): string {
  const verdict = e.asExpected ? 'ok' : `${e.result.toUpperCase()} ${e.code ?? ''} ✗ unexpected`.trimEnd();
  const who = (w: string): string => `${formatSeconds(e.atMs).padStart(7)}  ${w.padEnd(8)}`;
  const via = e.channel === 'sms' ? 'SMS (SMPP, DELIVRD receipt)' : 'e-mail (SMTP, accepted by the mail server)';
  switch (e.kind) {
    case 'order':
      return `${who('credit')} order     ${e.who.padEnd(5)} ${formatMinor(e.amountMinor).padStart(10)} paid from the bank account; TTP issued ${e.serialPrefix}…, its ${e.channel === 'sms' ? 'SMS' : 'e-mail'} queued in the same unit  ${verdict}`;
    case 'delivered':
      return `${who(e.who)} received  password ${e.serialPrefix}… by ${via}, shown and stored on the device  ${verdict}`;
    case 'pay-online':
      return `${who('webshop')} password  ${e.who} typed the code at checkout ${formatMinor(e.amountMinor).padStart(10)} captured, ${formatMinor(e.restMinor)} left  ${verdict}`;
    case 'pay-store':
      return `${who(e.till ?? 'store')} password  ${e.who}'s phone showed a device-signed QR, the till's scanner read it${e.till ? '' : ' (merchant API)'} ${formatMinor(e.amountMinor).padStart(10)} captured, ${formatMinor(e.restMinor)} left  ${verdict}`;
    case 'expired':
      return `${who('TTP')} expiry    ${e.who}'s password ${e.serialPrefix}… expired unused: ${formatMinor(e.restMinor)} back to the credit company (${e.result})${e.refunded ? `, refunded to ${e.who}'s bank account` : ''}  ${verdict}`;
  }
}
