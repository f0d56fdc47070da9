/** Named limits of the vendor simulator (sim/vendor). */
export const VENDOR_LIMITS = {
  /** Largest request body the vendor reads. */
  bodyBytesMax: 4_096,
  /** Orders `tessera vendor orders` and GET /orders list (newest first). */
  ordersListMax: 500,
  /** Items a catalogue in the config may list. */
  catalogueItemsMax: 200,
} as const;
