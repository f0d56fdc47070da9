/**
 * The corner store's settlement-password till: a `password-pos` terminal
 * agent of the world (a reader slot, a simulator scanner on a socat pty —
 * its line length raised for a password QR of about 900 bytes —, the clerk
 * at the keypad), registered at the TTP (the center) as a store terminal
 * of the shop, trusting the TTP's public key for the offline check. A sale:
 * the clerk keys the amount, the scanner reads the QR off the phone's
 * screen (the rendered image decoded by zbarimg, typed as `]Q1` + text),
 * the till checks it offline and asks the TTP (PASSWORD_SALE_REQUEST).
 */
import type { Clock } from '../../../core/clock.js';
import { TesseraError } from '../../../core/errors.js';
import type { AgentReport } from '../../../terminal/agent/role.js';
import type { RoleRegistry } from '../../../terminal/agent/role-registry.js';
import { AIM_BY_SYMBOLOGY, decodeImage } from '../../scanner/sheet-reader.js';
import type { WorldTerminal } from '../../world/terminals.js';
import type { World } from '../../world/world.js';
import { withDeadline } from '../fleet.js';
import { DEMO_LIMITS } from '../limits.js';
import { PersonKeypad } from '../person-keypad.js';

export const PASSWORD_TILL = 'POS-PW1';
/** A password QR is about 900 bytes; the scanner's line limit is raised for it (at most DEVICE_LIMITS.scanLineBytesMax). */
const QR_LINE_BYTES = 1_100;

export interface PasswordTill {
  readonly terminalId: string;
  readonly terminal: WorldTerminal<PersonKeypad>;
  /** The clerk keys `amountMinor`; the scanner reads the QR in `png`; resolves with the till's outcome. */
  sell(png: string, amountMinor: number, signal: AbortSignal): Promise<AgentReport>;
}

export async function startPasswordTill(o: { world: World; scanner: string; shopId: string; ttpPublicKey: Buffer; roles: RoleRegistry; clock: Clock }): Promise<PasswordTill> {
  const sim = o.world.sim;
  const scanner = sim?.scanners.get(o.scanner);
  if (!sim || !scanner) throw new TesseraError('DEMO_SETUP_FAILED', `no scanner ${o.scanner} for the password till`, { part: 'passwords' });
  const keypad = new PersonKeypad();
  const terminal = await o.world.startTerminal<PersonKeypad>({
    terminalId: PASSWORD_TILL,
    role: 'password-pos',
    ownerId: o.shopId,
    callback: false,
    roles: o.roles,
    devices: { scanner: { port: scanner.devicePath, baudRate: DEMO_LIMITS.scannerBaud, maxLineBytes: QR_LINE_BYTES } },
    roleSettings: { currency: 'JPY', ttpPublicKeys: [o.ttpPublicKey.toString('hex')], shopId: o.shopId },
    link: { requestTimeoutMs: DEMO_LIMITS.linkRequestTimeoutMs, attempts: 1 },
    keypad: { keypad, enter: () => undefined },
  });
  await terminal.linkUp();
  return {
    terminalId: PASSWORD_TILL,
    terminal,
    sell: async (png, amountMinor, signal) => {
      const symbols = await decodeImage(png);
      const qr = symbols.find((x) => AIM_BY_SYMBOLOGY[x.symbology] === ']Q1' || x.symbology === 'QR-Code');
      if (!qr) throw new TesseraError('DEMO_UNEXPECTED_OUTCOME', 'the scanner found no QR code on the phone screen', { part: 'passwords' });
      const agent = terminal.agent;
      let listener: ((r: AgentReport) => void) | undefined;
      const outcome = new Promise<AgentReport>((resolve) => {
        listener = (r) => r.trigger === 'scan' && resolve(r);
        agent.on('outcome', listener);
      });
      try {
        keypad.approach({ amount: String(amountMinor) });
        await scanner.scan(qr.data, { aim: ']Q1' });
        return await withDeadline(outcome, signal, `sale at ${PASSWORD_TILL}`, o.clock);
      } finally {
        if (listener) agent.off('outcome', listener);
        keypad.leave();
      }
    },
  };
}
