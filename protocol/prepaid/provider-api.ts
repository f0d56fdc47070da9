/**
 * The provider center's HTTPS answers to the PC (PROTOCOL.md §6.4, "Client ↔
 * provider"): one contract for the provider (center/provider/) and the
 * client (terminal/prepaid-client/).
 */

/** The answer to `POST /v1/prepaid/use|confirm|balance`. */
export interface ProviderAnswer {
  readonly requestId: string;
  readonly status: 'done' | 'repeated' | 'resume' | 'confirmed' | 'current' | 'refused';
  /** OK, or the refusal's code (PREPAID_… from the prepaid center, PROVIDER_… from the provider). */
  readonly code: string;
  readonly balanceMinor?: number;
  readonly generation?: number;
  /** base64: the new or pending file sealed to the holder of the file shown. */
  readonly sealedFile?: string;
  /** base64: the vendor's receipt, when the prepaid center relays one. */
  readonly receipt?: string;
}

/** `GET /v1/prepaid/provider`. */
export interface ProviderInfo {
  readonly providerId: string;
  readonly issuerId: number;
  readonly currency: string;
  readonly feeMinor: number | null;
}
