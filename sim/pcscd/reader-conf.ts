/** The vpcd driver pcscd loads for each simulated reader device. */
export const VPCD_DRIVER_PATH = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';

/**
 * A reader.conf.d entry for one vpcd device listening on basePort (and
 * basePort+1 for its second slot). DEVICENAME `/dev/null:<port>` puts vpcd in
 * server mode: it listens and the virtual card connects to it. `libPath`: a
 * private copy of the driver for every device after the first (see
 * vpcdDriverCopy in sim-pcscd.ts).
 */
export function vpcdReaderConf(friendlyName: string, basePort: number, libPath: string = VPCD_DRIVER_PATH): string {
  const hex = `0x${basePort.toString(16).toUpperCase()}`;
  return [
    `FRIENDLYNAME "${friendlyName}"`,
    `DEVICENAME   /dev/null:${hex}`,
    `LIBPATH      ${libPath}`,
    `CHANNELID    ${hex}`,
    '',
  ].join('\n');
}
