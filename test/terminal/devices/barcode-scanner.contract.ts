/**
 * The barcode-scanner contract (terminal/devices/barcode-scanner.ts), run
 * against every implementation through a harness. Today: serialport on a
 * socat pty pair with the virtual scanner writing to the other end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ScanDelimiter, VirtualScanner } from '../../../sim/scanner/virtual-scanner.js';
import type { BarcodeScanner, BarcodeScannerConfig, Scan, ScanRejected } from '../../../terminal/devices/barcode-scanner.js';
import { killPtyOwner, replugAfterKill } from '../../support/pty.js';
import { eventually, nextEvent } from './wait.js';

export interface ScannerRig {
  readonly driver: BarcodeScanner;
  readonly sim: VirtualScanner;
  stop(): Promise<void>;
}

export interface ScannerHarness {
  /** A plugged virtual scanner and a driver for it (not opened yet). */
  rig(config?: Partial<BarcodeScannerConfig>): Promise<ScannerRig>;
  /** A driver for a port that does not exist. */
  missing(): BarcodeScanner;
}

const codeOf = (code: string) => expect.objectContaining({ code });

function collect(driver: BarcodeScanner): { scans: Scan[]; rejected: ScanRejected[] } {
  const out = { scans: [] as Scan[], rejected: [] as ScanRejected[] };
  driver.on('scan', (s) => out.scans.push(s));
  driver.on('rejected', (r) => out.rejected.push(r));
  return out;
}

export function describeBarcodeScannerContract(name: string, harness: ScannerHarness): void {
  describe(`BarcodeScanner contract: ${name}`, () => {
    const rigs: ScannerRig[] = [];
    const rig = async (config?: Partial<BarcodeScannerConfig>): Promise<ScannerRig> => {
      const r = await harness.rig(config);
      rigs.push(r);
      await r.driver.open();
      return r;
    };
    afterEach(async () => {
      await Promise.all(rigs.splice(0).map((r) => r.stop()));
    });

    it('emits scans in order, parsing AIM identifiers when present', async () => {
      const { driver, sim } = await rig();
      const seen = collect(driver);
      expect(await driver.status()).toMatchObject({ device: 'online' });
      await sim.scan('4901234567894', { aim: ']E0' });
      await sim.scan('0104912345678904', { aim: ']C1' });
      await sim.scan('https://tessera.example/v/12345', { aim: ']Q1' });
      await sim.scan('1234567890123456');
      await eventually(() => seen.scans.length === 4, 5_000, '4 scans');
      expect(seen.scans.map((s) => [s.data, s.symbology?.aim ?? null, s.symbology?.name ?? null])).toEqual([
        ['4901234567894', ']E0', 'EAN-13'],
        ['0104912345678904', ']C1', 'GS1-128'],
        ['https://tessera.example/v/12345', ']Q1', 'QR Code'],
        ['1234567890123456', null, null],
      ]);
      expect(seen.rejected).toEqual([]);
    });

    for (const delimiter of ['CR', 'LF', 'CRLF'] as ScanDelimiter[]) {
      it(`splits lines on the configured ${delimiter} delimiter, across writes`, async () => {
        const { driver, sim } = await rig({ delimiter });
        const seen = collect(driver);
        const end = { CR: '\r', LF: '\n', CRLF: '\r\n' }[delimiter];
        await sim.writeRaw(Buffer.from(`]E0490123`));
        await sim.writeRaw(Buffer.from(`4567894${end}SECOND${end}`));
        await eventually(() => seen.scans.length === 2, 5_000, '2 scans');
        expect(seen.scans.map((s) => s.data)).toEqual(['4901234567894', 'SECOND']);
      });
    }

    it('discards an over-long line with one DEV_SCAN_TOO_LONG and reads on', async () => {
      const { driver, sim } = await rig({ maxLineBytes: 64 });
      const seen = collect(driver);
      const rejected = nextEvent<[ScanRejected]>(driver, 'rejected');
      for (let i = 0; i < 10; i++) await sim.writeRaw(Buffer.alloc(100, 0x41)); // 1000 bytes, no delimiter yet
      await sim.writeRaw(Buffer.from('AAAA\rAFTER\r'));
      expect((await rejected)[0]).toEqual({ code: 'DEV_SCAN_TOO_LONG', bytes: 1004 });
      await eventually(() => seen.scans.length === 1, 5_000, 'scan after the long line');
      expect(seen.scans[0]?.data).toBe('AFTER');
      expect(seen.rejected).toHaveLength(1);
    });

    it('discards garbage (control bytes, invalid UTF-8) with DEV_SCAN_GARBAGE and reads on', async () => {
      const { driver, sim } = await rig();
      const seen = collect(driver);
      await sim.writeRaw(Buffer.from([0x00, 0x01, 0x41, 0x0d]));
      await sim.writeRaw(Buffer.from([0xff, 0xfe, 0x41, 0x0d]));
      await sim.scan('OK-123');
      await eventually(() => seen.scans.length === 1, 5_000, 'the good scan');
      expect(seen.rejected.map((r) => r.code)).toEqual(['DEV_SCAN_GARBAGE', 'DEV_SCAN_GARBAGE']);
      expect(seen.scans[0]?.data).toBe('OK-123');
    });

    it('goes offline when unplugged and reconnects when the scanner is back', async () => {
      const { driver, sim } = await rig();
      const seen = collect(driver);
      const offline = nextEvent(driver, 'status');
      await sim.unplug();
      expect((await offline)[0]).toEqual({ device: 'offline', code: 'DEV_PORT_GONE' });
      expect(await driver.status()).toMatchObject({ device: 'offline', code: 'DEV_PORT_GONE' });
      const online = nextEvent(driver, 'status');
      await sim.plug();
      expect((await online)[0]).toEqual({ device: 'online', code: null });
      expect(await driver.status()).toMatchObject({ device: 'online', code: null });
      await sim.scan('4901234567894', { aim: ']E0' });
      await eventually(() => seen.scans.length === 1, 5_000, 'a scan after replug');
      expect(seen.scans[0]).toMatchObject({ data: '4901234567894', symbology: { aim: ']E0' } });
    });

    it('by default takes CR, LF and CRLF lines alike, mixed, and LF lines at once (no CR awaited)', async () => {
      const { driver, sim } = await rig();
      const seen = collect(driver);
      await sim.scan('4901234567894', { aim: ']E0', delimiter: 'CRLF' });
      await sim.scan('AFTER-CRLF', { delimiter: 'CR' });
      await sim.scan('LF-ONLY', { delimiter: 'LF' });
      await eventually(() => seen.scans.length === 3, 5_000, '3 scans');
      await sim.scan('LAST', { delimiter: 'CRLF' });
      await eventually(() => seen.scans.length === 4, 5_000, 'the 4th scan');
      expect(seen.scans.map((s) => s.data)).toEqual(['4901234567894', 'AFTER-CRLF', 'LF-ONLY', 'LAST']);
      expect(seen.rejected).toEqual([]);
    });

    it('pinned to CR, a scanner sending CRLF still gives every scan (the LF never spoils the next line)', async () => {
      const { driver, sim } = await rig({ delimiter: 'CR' });
      const seen = collect(driver);
      for (const code of ['4901234567894', '4901234567801', '0012345678905']) await sim.scan(code, { aim: ']E0', delimiter: 'CRLF' });
      await eventually(() => seen.scans.length === 3, 5_000, '3 scans');
      expect(seen.scans.map((s) => s.data)).toEqual(['4901234567894', '4901234567801', '0012345678905']);
      expect(seen.rejected).toEqual([]);
    });

    it('pinned to CR, LF-only lines are dropped as DEV_SCAN_UNTERMINATED once the line goes quiet', async () => {
      const { driver, sim } = await rig({ delimiter: 'CR' });
      const seen = collect(driver);
      const rejected = nextEvent<[ScanRejected]>(driver, 'rejected');
      await sim.scan('LF-ONLY', { delimiter: 'LF' });
      expect((await rejected)[0]).toEqual({ code: 'DEV_SCAN_UNTERMINATED', bytes: 8 });
      await sim.scan('GOOD');
      await eventually(() => seen.scans.length === 1, 5_000, 'the good scan');
      expect(seen.scans[0]?.data).toBe('GOOD');
    });

    it('a long line that never ends is one DEV_SCAN_TOO_LONG and does not swallow the good line after it', async () => {
      const { driver, sim } = await rig();
      const seen = collect(driver);
      const rejected = nextEvent<[ScanRejected]>(driver, 'rejected');
      await sim.writeRaw(Buffer.alloc(600, 0x41));
      expect((await rejected)[0]).toEqual({ code: 'DEV_SCAN_TOO_LONG', bytes: 600 });
      await sim.scan('4901234567894', { aim: ']E0' });
      await eventually(() => seen.scans.length === 1, 5_000, 'the good scan');
      expect(seen.scans[0]?.data).toBe('4901234567894');
      expect(seen.rejected).toHaveLength(1);
    });

    it('GS1 symbols: FNC1 (GS) is data, parsed into element strings; wrong check digits and unknown AIs are coded', async () => {
      const { driver, sim } = await rig();
      const seen = collect(driver);
      const GS = '\u001d';
      await sim.scan(`010490123456789417261231${'10'}LOT-7${GS}21SN0042`, { aim: ']C1' });
      await sim.scan(`0104901234567894${GS}3103001250`, { aim: ']d2' });
      await sim.scan('4901234567890', { aim: ']E0' }); // EAN-13, check digit should be 4
      await sim.scan('0104901234567890', { aim: ']C1' }); // GTIN, same wrong check digit
      await sim.scan('010490123456789499X', { aim: ']Q3' }); // AI 99 is not known here
      await sim.scan(`ABC${GS}DEF`, { aim: ']C0' }); // GS outside a GS1 symbol is garbage
      await sim.scan('OK');
      await eventually(() => seen.scans.length === 3, 5_000, '3 scans');
      expect(seen.scans.map((s) => [s.data, s.symbology?.name ?? null, s.gs1 ?? null])).toEqual([
        [`010490123456789417261231${'10'}LOT-7${GS}21SN0042`, 'GS1-128', [{ ai: '01', value: '04901234567894' }, { ai: '17', value: '261231' }, { ai: '10', value: 'LOT-7' }, { ai: '21', value: 'SN0042' }]],
        [`0104901234567894${GS}3103001250`, 'GS1 DataMatrix', [{ ai: '01', value: '04901234567894' }, { ai: '3103', value: '001250' }]],
        ['OK', null, null],
      ]);
      expect(seen.rejected).toEqual([
        { code: 'DEV_SCAN_CHECK_DIGIT', bytes: 16, reason: 'wrong EAN/UPC check digit' },
        { code: 'DEV_SCAN_CHECK_DIGIT', bytes: 19, ai: '01', reason: 'wrong check digit' },
        { code: 'DEV_SCAN_GS1_UNKNOWN_AI', bytes: 22, ai: '99', reason: 'application identifier not known here' },
        { code: 'DEV_SCAN_GARBAGE', bytes: 10, reason: 'control bytes' },
      ]);
    });

    it('goes offline when the port vanishes under it (pty owner killed, no clean-up), and reads again once a new one appears', async () => {
      const { driver, sim } = await rig();
      const seen = collect(driver);
      const offline = nextEvent(driver, 'status');
      killPtyOwner(sim); // at once: serialport itself may not notice a port that never had data

      expect((await offline)[0]).toEqual({ device: 'offline', code: 'DEV_PORT_GONE' });
      const online = nextEvent(driver, 'status', 10_000);
      await replugAfterKill(sim);
      expect((await online)[0]).toEqual({ device: 'online', code: null });
      await sim.scan('AFTER');
      await eventually(() => seen.scans.length === 1, 5_000, 'a scan after the new port');
      expect(seen.scans.map((s) => s.data)).toEqual(['AFTER']);
    });

    it('rejects opening a missing port with DEV_PORT_GONE and a bad config with DEV_BAD_ARGUMENT', async () => {
      await expect(harness.missing().open()).rejects.toThrow(codeOf('DEV_PORT_GONE'));
      await expect(harness.rig({ baudRate: 12_345 })).rejects.toThrow(codeOf('DEV_BAD_ARGUMENT'));
      await expect(harness.rig({ maxLineBytes: 100_000 })).rejects.toThrow(codeOf('DEV_BAD_ARGUMENT'));
    });

    it('stops emitting after close; close is idempotent', async () => {
      const { driver, sim } = await rig();
      const seen = collect(driver);
      await driver.close();
      await driver.close();
      await sim.scan('LATE');
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.scans).toEqual([]);
      await expect(driver.open()).rejects.toThrow(codeOf('DEV_CLOSED'));
    });
  });
}
