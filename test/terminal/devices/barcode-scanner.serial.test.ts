/** The barcode-scanner contract on the real driver path: serialport -> socat pty -> virtual scanner. */
import { SerialBarcodeScanner } from '../../../terminal/devices/serial/serial-barcode-scanner.js';
import { startTestScanner } from '../../support/pty.js';
import { describeBarcodeScannerContract } from './barcode-scanner.contract.js';

describeBarcodeScannerContract('serialport + socat pty + virtual scanner', {
  rig: async (config = {}) => {
    const driverConfig = { baudRate: 9600, ...config }; // delimiter: the driver's default (ANY) unless pinned
    // Validate before starting socat, so a bad config leaves nothing running.
    const probe = new SerialBarcodeScanner({ path: '/dev/null', ...driverConfig });
    await probe.close();
    const { scanner, stop } = await startTestScanner();
    const driver = new SerialBarcodeScanner({ path: scanner.devicePath, ...driverConfig });
    return {
      driver,
      sim: scanner,
      stop: async () => {
        await driver.close();
        await stop();
      },
    };
  },
  missing: () => new SerialBarcodeScanner({ path: '/tmp/tessera-no-such-tty', baudRate: 9600, delimiter: 'CR' }),
});
