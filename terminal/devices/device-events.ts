/**
 * Event subscription shared by the device interfaces: a typed subset of
 * EventEmitter. Listeners run synchronously in the driver's event order and
 * must not throw; a driver never emits after close() resolved.
 */
export interface DeviceEvents<E extends Record<string, unknown[]>> {
  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this;
  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this;
  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this;
}

/** Device state, as XFS4IoT's Common.Status.device. */
export type DeviceState = 'online' | 'offline' | 'busy' | 'hardwareError';
