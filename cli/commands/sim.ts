import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { TesseraError } from '../../core/errors.js';
import { sendControlCommand } from '../../sim/control/control-client.js';

const DEFAULT_STATE_DIR = join('.tessera', 'sim');

interface Global {
  stateDir: string;
}

/**
 * `tessera sim …`: the hardware simulator (sim/README.md).
 * `tessera sim serve` starts it and keeps running; every other subcommand
 * sends one command to the running simulator over its control socket
 * (`<state-dir>/sim.sock`) and prints the JSON reply.
 */
export function registerSim(program: Command): void {
  const sim = program
    .command('sim')
    .description('simulated card readers, cards, barcode scanners and removable media (see sim/README.md)')
    .option('-s, --state-dir <dir>', 'simulator state (cards, issuer key, control socket)', DEFAULT_STATE_DIR);
  // Absolute: pcscd runs with another working directory, so a relative state dir (the default) would not reach it.
  const global = (): Global => ({ stateDir: resolve(sim.opts<Global>().stateDir) });

  sim
    .command('serve')
    .description('start pcscd + vpcd readers, virtual scanners and a media drive; run until stopped')
    .option('--vpcd-devices <n>', 'vpcd devices to start; each one gives TWO card readers', '1')
    .addOption(new Option('--readers <n>').hideHelp())
    .option('--scanners <n>', 'virtual serial scanners', '1')
    .option('--vpcd-port <port>', 'base TCP port of the first vpcd device (default: a free random one)')
    .option('--validators <n>', 'virtual ccTalk bill validators on ptys (paths printed in "validators")', '0')
    .action(async (o: ServeOptions) => serve(global().stateDir, o));

  const send = (command: Record<string, unknown>) => client(global().stateDir, command);
  sim.command('status').description('show readers, cards, scanners and the media drive').action(() => send({ cmd: 'status' }));
  sim
    .command('issue <cardId>')
    .description('issue a purse card (16 hex chars) with keys diversified from the issuer key')
    .option('--pin <pin>', 'card PIN (4-8 digits)', '1234')
    .option('--balance <minor>', 'initial balance in minor units', '0')
    .option('--currency <code>', 'ISO 4217 alpha code', 'JPY')
    .option('--foreign', 'issue a card of another issuer (no Tessera purse)')
    .option('--cash-card', 'issue a bank cash card (seed 004) instead: needs --bank, --branch, --account')
    .option('--bank <code>', 'cash card: bank code (4 digits)')
    .option('--branch <code>', 'cash card: branch code (3 digits)')
    .option('--account <number>', 'cash card: account number (7 digits)')
    .option('--force', 're-issue a card that exists (its balance and counter start over)')
    .action((cardId: string, o: IssueOptions) =>
      send({
        ...(o.cashCard ? issueCashCommand(cardId, o) : { cmd: 'issue', cardId, pin: o.pin, balanceMinor: toInt(o.balance, 'balance'), currency: o.currency, foreign: o.foreign ?? false }),
        force: o.force ?? false,
      }),
    );
  sim
    .command('insert <cardId> <reader>')
    .description('insert an issued card into a reader (index or name)')
    .option('--unresponsive', 'the card gives its ATR but never answers an APDU')
    .action((cardId: string, reader: string, o: { unresponsive?: boolean }) =>
      send({ cmd: 'insert', cardId, reader: readerArg(reader), unresponsive: o.unresponsive ?? false }),
    );
  sim.command('remove <reader>').description('take the card out of a reader').action((reader: string) => send({ cmd: 'remove', reader: readerArg(reader) }));
  sim
    .command('scan <data>')
    .description('scan a code on a virtual scanner')
    .option('--scanner <name>', 'virtual scanner', 'scanner0')
    .option('--aim <id>', 'AIM identifier prefix, e.g. ]E0, ]C1, ]Q1')
    .option('--delimiter <d>', 'CR, LF or CRLF', 'CR')
    .action((data: string, o: { scanner: string; aim?: string; delimiter: string }) =>
      send({ cmd: 'scan', data, scanner: o.scanner, delimiter: o.delimiter, ...(o.aim ? { aim: o.aim } : {}) }),
    );
  sim
    .command('validator <action> [noteId]')
    .description('drive a virtual bill validator: insert <noteId> (JP0100A, JP0500A, JP1000A), jam, clear-jam, fill-box, remove-box, insert-box, empty-box, unplug, plug, status')
    .option('--validator <name>', 'virtual validator', 'validator0')
    .option('--notes <n>', 'fill-box: notes in the cash box (default: full)')
    .option('--fraud <kind>', 'insert: string, opto or pulled-back')
    .action((action: string, noteId: string | undefined, o: { validator: string; notes?: string; fraud?: string }) =>
      send({ cmd: 'validator', action, validator: o.validator, ...(noteId ? { noteId } : {}), ...(o.notes ? { notes: toInt(o.notes, 'notes') } : {}), ...(o.fraud ? { fraud: o.fraud } : {}) }),
    );
  sim.command('unplug [scanner]').description('unplug a virtual scanner').action((s?: string) => send({ cmd: 'unplug', scanner: s ?? 'scanner0' }));
  sim.command('plug [scanner]').description('plug a virtual scanner back in').action((s?: string) => send({ cmd: 'plug', scanner: s ?? 'scanner0' }));
  sim.command('medium-insert <name>').description('insert a removable medium (created blank on first use)').action((name: string) => send({ cmd: 'medium-insert', name }));
  sim.command('medium-eject').description('eject the medium in the drive').action(() => send({ cmd: 'medium-eject' }));
  sim.command('stop').description('stop the running simulator').action(() => send({ cmd: 'stop' }));
}

interface IssueOptions {
  pin: string;
  balance: string;
  currency: string;
  foreign?: boolean;
  cashCard?: boolean;
  bank?: string;
  branch?: string;
  account?: string;
  force?: boolean;
}

interface ServeOptions {
  vpcdDevices: string;
  /** The old name: `--readers 1` gave two readers, so it is refused with the new name. */
  readers?: string;
  scanners: string;
  vpcdPort?: string;
  validators: string;
}

/** `issue --cash-card`: the account fields are checked by the simulator (SIM_BAD_COMMAND names them). */
function issueCashCommand(cardId: string, o: IssueOptions): Record<string, unknown> {
  if (o.bank === undefined || o.branch === undefined || o.account === undefined) {
    throw new TesseraError('SIM_BAD_COMMAND', '--cash-card needs --bank <4 digits> --branch <3 digits> --account <7 digits>');
  }
  return { cmd: 'issue-cash', cardId, bankCode: o.bank, branchCode: o.branch, accountNumber: o.account };
}

async function serve(stateDir: string, o: ServeOptions): Promise<void> {
  if (o.readers !== undefined) {
    throw new TesseraError('CLI_BAD_ARGUMENT', '--readers is now --vpcd-devices: each vpcd device gives two card readers', { option: '--readers' });
  }
  const readerDevices = toInt(o.vpcdDevices, 'vpcd-devices');
  // The simulator is loaded when `sim serve` runs, not for the client subcommands nor any other tessera command.
  const [{ Simulator }, { ControlServer }] = await Promise.all([import('../../sim/simulator.js'), import('../../sim/control/control-server.js')]);
  const simulator = await Simulator.start({
    stateDir,
    readerDevices,
    scanners: toInt(o.scanners, 'scanners'),
    validators: toInt(o.validators, 'validators'),
    ...(o.vpcdPort ? { basePorts: Array.from({ length: readerDevices }, (_, i) => toInt(o.vpcdPort!, 'vpcd-port') + 2 * i) } : {}),
  });
  let stopping: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stopping = resolve));
  const control = new ControlServer(simulator, () => stopping());
  const socket = join(stateDir, 'sim.sock');
  await control.listen(socket);
  process.stdout.write(`${JSON.stringify({ ready: true, control: socket, ...simulator.info() })}\n`);
  process.once('SIGINT', () => stopping());
  process.once('SIGTERM', () => stopping());
  await stopped;
  await control.close();
  await simulator.stop();
}

async function client(stateDir: string, command: Record<string, unknown>): Promise<void> {
  const reply = await sendControlCommand(join(stateDir, 'sim.sock'), command);
  process.stdout.write(`${JSON.stringify(reply)}\n`);
  if (!reply.ok) process.exitCode = 1;
}

function toInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new TesseraError('SIM_BAD_COMMAND', `${what} must be a non-negative integer`);
  return n;
}

function readerArg(text: string): number | string {
  return /^[0-9]+$/.test(text) ? Number(text) : text;
}
