// Test vectors shared with protocol/PROTOCOL.md §9 (the same bytes appear there).
// Generated once by test/protocol/support/make-vectors.ts and committed as literal bytes:
// the test decodes, re-encodes and splits each one; a codec change that alters a byte fails here.
import { h, type BodyVector, type ErrorVector, type FrameVector } from './support/vector-types.js';

/** Fixed handshake inputs and the keys and proofs they give (PROTOCOL.md §9.1). */
export const FIXED_KEYS = {
  terminalId: 'T-0001',
  terminalKey: h('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'),
  nonceT: h('a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf'),
  nonceC: h('c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf'),
  token: h('e0e1e2e3e4e5e6e7e8e9eaebecedeeef'),
  cbNonceC: h('404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f'),
  cbNonceT: h('606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f'),
  main: {
    auth: h('485b111e1d798b61d95ab950a4a1ec52d4075a543d88529a3b9857b21b19331f'),
    macT2c: h('9e20153b7781c69249d56db7b081908496bbeaa222a16809ca1be64142a2141f'),
    macC2t: h('a116f43a0754cc5dc70060adac2bf454f47befc1a97555384ded73d7bdc1a593'),
    encT2c: h('faabf941f929df86bc30ff972d330b258ec09c762ae5beede4674e13e359db4e'),
    encC2t: h('b13e0177ab2377677dd640e1c4b9effe8f2df6a52341a6aa50c9d8c442826ebe'),
  },
  callback: {
    auth: h('578b4f62313adc3ac4fd26f8712dcabccb9fe8c4146cfc3f467d4243c5b1ce78'),
    macT2c: h('174ec31077573229f0f2be2ffa0a6f1ebbfa306bd6b3cccfcbb943af8c04e711'),
    macC2t: h('1ee6f490f4a1ff5ca3fe0112c53ce5855ffa22a0a7a28cf35afa39a45358a092'),
    encT2c: h('9f0dd3eb57092fabc3eb4003bb480a94c8dce44aa78ed717a3b0229ca2b5427c'),
    encC2t: h('335b7a4497864ea424e6f5f5876095d8057aa52235b3035d9f2b5415bfad8c87'),
  },
};

export const FRAME_VECTORS: FrameVector[] = [
  {
    name: 'hello', session: 'main', dir: 't2c',
    message: { type: 'hello', terminalId: 'T-0001', nonce: h('a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '01', // message HELLO
      '0000', // flags none
      '00000000', // sequence 0
      '00000000', // request id 0
      '0000002a', // body length 42
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '8120a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf', // NONCE = 32 bytes
    ],
  },
  {
    name: 'challenge', session: 'main', dir: 'c2t',
    message: { type: 'challenge', nonce: h('c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '02', // message CHALLENGE
      '0000', // flags none
      '00000000', // sequence 0
      '00000000', // request id 0
      '00000022', // body length 34
      '8120c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf', // NONCE = 32 bytes
    ],
  },
  {
    name: 'auth', session: 'main', dir: 't2c',
    message: { type: 'auth', proof: h('8fc54aeddb882cfb9dc6bd610af38b7766dbc8849c2eaaf8940fa0a0b507c119') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '03', // message AUTH
      '0001', // flags MAC
      '00000001', // sequence 1
      '00000000', // request id 0
      '00000022', // body length 34
      '82208fc54aeddb882cfb9dc6bd610af38b7766dbc8849c2eaaf8940fa0a0b507c119', // PROOF = 32 bytes
      '45f0aa638bbb39277cd9acb0b9ad7069', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'authOk', session: 'main', dir: 'c2t',
    message: { type: 'authOk', proof: h('25ab3746e99075131a6e7f6c89578ef8ffea5f1408abc58a9c87a1dd984df3bc') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '04', // message AUTH_OK
      '0001', // flags MAC
      '00000001', // sequence 1
      '00000000', // request id 0
      '00000022', // body length 34
      '822025ab3746e99075131a6e7f6c89578ef8ffea5f1408abc58a9c87a1dd984df3bc', // PROOF = 32 bytes
      '1583b3350d3e3685d20ac7691ecfe720', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'ping', session: 'main', dir: 't2c',
    message: { type: 'ping' },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '08', // message PING
      '0001', // flags MAC
      '00000002', // sequence 2
      '00000001', // request id 1
      '00000000', // body length 0
      'b7333544d44983336f9b66f9d8ab3c05', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'pong', session: 'main', dir: 'c2t',
    message: { type: 'pong' },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '09', // message PONG
      '0003', // flags MAC RESPONSE
      '00000002', // sequence 2
      '00000001', // request id 1
      '00000000', // body length 0
      'd29f72e192c71e9417c8780fd67aee81', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'validityRequest', session: 'main', dir: 't2c',
    message: { type: 'validityRequest', terminalId: 'T-0001', mediumId: h('0123456789abcdef') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '00000012', // body length 18
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
      '950bb622f52e1a50436acbb96c5815d0', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'validityEarlyAck', session: 'main', dir: 'c2t',
    message: { type: 'validityEarlyAck', pending: 1 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '12', // message VALIDITY_EARLY_ACK
      '0003', // flags MAC RESPONSE
      '00000003', // sequence 3
      '00000002', // request id 2
      '00000003', // body length 3
      '850101', // REASON = 1
      '27b12f66cbe957f5d9bdd3a912d1fabc', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'transactionRequest', session: 'main', dir: 't2c',
    message: { type: 'transactionRequest', transactionId: h('01010101010101010101010101010101'), kind: 1, amountMinor: 1200, currency: 'JPY', content: [{ tag: 0x9f02, value: h('000000001200') }, { tag: 0x5f2a, value: h('0392') }] },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '14', // message TRANSACTION_REQUEST
      '0001', // flags MAC
      '00000004', // sequence 4
      '00000003', // request id 3
      '00000034', // body length 52
      '871001010101010101010101010101010101', // TRANSACTION_ID = 16 bytes
      '880101', // KIND = 1
      '890800000000000004b0', // AMOUNT_MINOR = 1200
      '8a034a5059', // CURRENCY = "JPY"
      'a10e', // CONTENT, constructed, 14 bytes:
      '9f0206000000001200', //   tag 0x9f02 = 6 bytes
      '5f2a020392', //   tag 0x5f2a = 914
      'e20931c44d5c1e67cb466def707c5bd3', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'transactionResult', session: 'main', dir: 'c2t',
    message: { type: 'transactionResult', transactionId: h('01010101010101010101010101010101'), status: 0, resultCode: 0 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '15', // message TRANSACTION_RESULT
      '0003', // flags MAC RESPONSE
      '00000004', // sequence 4
      '00000003', // request id 3
      '00000019', // body length 25
      '871001010101010101010101010101010101', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      '78baae168db46bc9720ef8d039ecc07a', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'validityRequest2', session: 'main', dir: 't2c',
    message: { type: 'validityRequest', terminalId: 'T-0001', mediumId: h('0123456789abcdef') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000005', // sequence 5
      '00000004', // request id 4
      '00000012', // body length 18
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
      '43795affa782b784cb9ddaa37970dfb3', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'validityAck', session: 'main', dir: 'c2t',
    message: { type: 'validityAck' },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '11', // message VALIDITY_ACK
      '0003', // flags MAC RESPONSE
      '00000005', // sequence 5
      '00000004', // request id 4
      '00000000', // body length 0
      '686d49015c9bd04a56f97d71991bd4ba', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'chargeRequest', session: 'main', dir: 't2c',
    message: { type: 'chargeRequest', transactionId: h('02020202020202020202020202020202'), amountMinor: 5000, currency: 'JPY', bankCode: '0005', branchCode: '123', accountNumber: '1234567', pinBlock: h('1111111111111111111111116793e46702c10d70d62175e6173938519c08c9fa71fb451a') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '20', // message CHARGE_REQUEST
      '0001', // flags MAC
      '00000006', // sequence 6
      '00000005', // request id 5
      '0000005b', // body length 91
      '871002020202020202020202020202020202', // TRANSACTION_ID = 16 bytes
      '89080000000000001388', // AMOUNT_MINOR = 5000
      '8a034a5059', // CURRENCY = "JPY"
      '8d0430303035', // BANK_CODE = "0005"
      '8e03313233', // BRANCH_CODE = "123"
      '8f0731323334353637', // ACCOUNT_NUMBER = "1234567"
      '90241111111111111111111111116793e46702c10d70d62175e6173938519c08c9fa71fb451a', // PIN_BLOCK = 36 bytes
      '3fbe4a5740b1d0fba27fc52ffd69b7e0', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'chargeResult', session: 'main', dir: 'c2t',
    message: { type: 'chargeResult', transactionId: h('02020202020202020202020202020202'), status: 0, resultCode: 0 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '21', // message CHARGE_RESULT
      '0003', // flags MAC RESPONSE
      '00000006', // sequence 6
      '00000005', // request id 5
      '00000019', // body length 25
      '871002020202020202020202020202020202', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      'd002a90447e568cf47d80b040b43b597', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'emoneyIssueRequest', session: 'main', dir: 't2c',
    message: { type: 'emoneyIssueRequest', transactionId: h('03030303030303030303030303030303'), mediumId: h('0123456789abcdef'), cardCounter: 7, amountMinor: 5000, currency: 'JPY' },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '22', // message EMONEY_ISSUE_REQUEST
      '0001', // flags MAC
      '00000007', // sequence 7
      '00000006', // request id 6
      '00000031', // body length 49
      '871003030303030303030303030303030303', // TRANSACTION_ID = 16 bytes
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
      '920400000007', // CARD_COUNTER = 7
      '89080000000000001388', // AMOUNT_MINOR = 5000
      '8a034a5059', // CURRENCY = "JPY"
      '0553927524a6a191e112a6ee6e6cdfd5', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'emoneyIssueResult', session: 'main', dir: 'c2t',
    message: { type: 'emoneyIssueResult', transactionId: h('03030303030303030303030303030303'), status: 0, resultCode: 0, hostMac: h('0badc0ffee15900d') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '23', // message EMONEY_ISSUE_RESULT
      '0003', // flags MAC RESPONSE
      '00000007', // sequence 7
      '00000006', // request id 6
      '00000023', // body length 35
      '871003030303030303030303030303030303', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      '91080badc0ffee15900d', // HOST_MAC = 8 bytes
      '70322cc86cdc4a12018ab8daec34d6a6', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'purchaseUpload', session: 'main', dir: 't2c',
    message: { type: 'purchaseUpload', records: [{ mediumId: h('0123456789abcdef'), cardCounter: 1, amountMinor: 150, currency: 'JPY', terminalId: 'SHOP-01', terminalNonce: h('1122334455667788'), cardMac: h('a1b2c3d4e5f60718') }, { mediumId: h('0123456789abcdef'), cardCounter: 2, amountMinor: 300, currency: 'JPY', terminalId: 'SHOP-01', terminalNonce: h('1122334455667788'), cardMac: h('a1b2c3d4e5f60718') }] },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '24', // message PURCHASE_UPLOAD
      '0001', // flags MAC
      '00000008', // sequence 8
      '00000007', // request id 7
      '0000007c', // body length 124
      'a03c', // RECORD, constructed, 60 bytes:
      '84080123456789abcdef', //   MEDIUM_ID = 8 bytes
      '920400000001', //   CARD_COUNTER = 1
      '89080000000000000096', //   AMOUNT_MINOR = 150
      '8a034a5059', //   CURRENCY = "JPY"
      '800753484f502d3031', //   TERMINAL_ID = "SHOP-01"
      '93081122334455667788', //   TERMINAL_NONCE = 8 bytes
      '9408a1b2c3d4e5f60718', //   CARD_MAC = 8 bytes
      'a03c', // RECORD, constructed, 60 bytes:
      '84080123456789abcdef', //   MEDIUM_ID = 8 bytes
      '920400000002', //   CARD_COUNTER = 2
      '8908000000000000012c', //   AMOUNT_MINOR = 300
      '8a034a5059', //   CURRENCY = "JPY"
      '800753484f502d3031', //   TERMINAL_ID = "SHOP-01"
      '93081122334455667788', //   TERMINAL_NONCE = 8 bytes
      '9408a1b2c3d4e5f60718', //   CARD_MAC = 8 bytes
      'd949d731f8615118f9866e09b5593651', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'purchaseUploadAck', session: 'main', dir: 'c2t',
    message: { type: 'purchaseUploadAck', results: [{ mediumId: h('0123456789abcdef'), cardCounter: 1, status: 0 }, { mediumId: h('0123456789abcdef'), cardCounter: 2, status: 3 }] },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '25', // message PURCHASE_UPLOAD_ACK
      '0003', // flags MAC RESPONSE
      '00000008', // sequence 8
      '00000007', // request id 7
      '0000002a', // body length 42
      'a213', // RECORD_RESULT, constructed, 19 bytes:
      '84080123456789abcdef', //   MEDIUM_ID = 8 bytes
      '920400000001', //   CARD_COUNTER = 1
      '980100', //   RECORD_STATUS = 0
      'a213', // RECORD_RESULT, constructed, 19 bytes:
      '84080123456789abcdef', //   MEDIUM_ID = 8 bytes
      '920400000002', //   CARD_COUNTER = 2
      '980103', //   RECORD_STATUS = 3
      '95b24dfbb2c40d0b5ab3706b2d871048', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'prepaidRequest', session: 'main', dir: 't2c',
    message: { type: 'prepaidRequest', transactionId: h('04040404040404040404040404040404'), service: 2, prepaidInfo: h('50494e464f0001'), amountMinor: 3000, currency: 'JPY', vendorId: 'VENDOR-9' },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '30', // message PREPAID_REQUEST
      '0001', // flags MAC
      '00000009', // sequence 9
      '00000008', // request id 8
      '00000039', // body length 57
      '871004040404040404040404040404040404', // TRANSACTION_ID = 16 bytes
      '89080000000000000bb8', // AMOUNT_MINOR = 3000
      '8a034a5059', // CURRENCY = "JPY"
      '990750494e464f0001', // PREPAID_INFO = 7 bytes
      '9f200102', // SERVICE = 2
      '9f210856454e444f522d39', // VENDOR_ID = "VENDOR-9"
      '67c64c312e9a79afabd73e9ee5276242', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'prepaidResult', session: 'main', dir: 'c2t',
    message: { type: 'prepaidResult', transactionId: h('04040404040404040404040404040404'), status: 0, resultCode: 0, prepaidInfo: h('50494e464f0002'), balanceMinor: 7000, receipt: h('52435054') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '31', // message PREPAID_RESULT
      '0003', // flags MAC RESPONSE
      '00000009', // sequence 9
      '00000008', // request id 8
      '00000033', // body length 51
      '871004040404040404040404040404040404', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      '990750494e464f0002', // PREPAID_INFO = 7 bytes
      '9a080000000000001b58', // BALANCE_MINOR = 7000
      '9f220452435054', // RECEIPT = "RCPT"
      '83bfeb843f568d28d5fc75c9a113fdfb', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'voucherActivateRequest', session: 'main', dir: 't2c',
    message: { type: 'voucherActivateRequest', transactionId: h('05050505050505050505050505050505'), voucherPin: '1234567890123', amountMinor: 3000, currency: 'JPY', merchantId: 'STORE-42' },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '38', // message VOUCHER_ACTIVATE_REQUEST
      '0001', // flags MAC
      '0000000a', // sequence 10
      '00000009', // request id 9
      '0000003a', // body length 58
      '871005050505050505050505050505050505', // TRANSACTION_ID = 16 bytes
      '89080000000000000bb8', // AMOUNT_MINOR = 3000
      '8a034a5059', // CURRENCY = "JPY"
      '9b0d31323334353637383930313233', // VOUCHER_PIN = "1234567890123"
      '9c0853544f52452d3432', // MERCHANT_ID = "STORE-42"
      '0944fede6efd8677e3cecb624a3ad36f', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'voucherActivateResult', session: 'main', dir: 'c2t',
    message: { type: 'voucherActivateResult', transactionId: h('05050505050505050505050505050505'), status: 0, resultCode: 0 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '39', // message VOUCHER_ACTIVATE_RESULT
      '0003', // flags MAC RESPONSE
      '0000000a', // sequence 10
      '00000009', // request id 9
      '00000019', // body length 25
      '871005050505050505050505050505050505', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      'dcfdd4fe429d6d73a0093bb06caabfb4', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'voucherRedeemRequest', session: 'main', dir: 't2c',
    message: { type: 'voucherRedeemRequest', transactionId: h('06060606060606060606060606060606'), voucherPins: ['1234567890123', '9876543210'], amountMinor: 4500, currency: 'JPY', merchantId: 'SHOP-7' },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '3a', // message VOUCHER_REDEEM_REQUEST
      '0001', // flags MAC
      '0000000b', // sequence 11
      '0000000a', // request id 10
      '00000044', // body length 68
      '871006060606060606060606060606060606', // TRANSACTION_ID = 16 bytes
      '89080000000000001194', // AMOUNT_MINOR = 4500
      '8a034a5059', // CURRENCY = "JPY"
      '9b0d31323334353637383930313233', // VOUCHER_PIN = "1234567890123"
      '9b0a39383736353433323130', // VOUCHER_PIN = "9876543210"
      '9c0653484f502d37', // MERCHANT_ID = "SHOP-7"
      'f54f796aafc9cef643fc56979be2a257', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'voucherRedeemResult', session: 'main', dir: 'c2t',
    message: { type: 'voucherRedeemResult', transactionId: h('06060606060606060606060606060606'), status: 0, resultCode: 0, balanceMinor: 500 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '3b', // message VOUCHER_REDEEM_RESULT
      '0003', // flags MAC RESPONSE
      '0000000b', // sequence 11
      '0000000a', // request id 10
      '00000023', // body length 35
      '871006060606060606060606060606060606', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      '9a0800000000000001f4', // BALANCE_MINOR = 500
      '88559a49ebe5cf28a2e56e6da9963def', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'passwordIssueRequest', session: 'main', dir: 't2c',
    message: { type: 'passwordIssueRequest', transactionId: h('07070707070707070707070707070707'), amountMinor: 10_000, currency: 'JPY', deviceAddress: 'tel:+81-90-0000-0000', payeeId: 'SHOP-7', expiresAtMs: 1_800_000_000_000 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '40', // message PASSWORD_ISSUE_REQUEST
      '0001', // flags MAC
      '0000000c', // sequence 12
      '0000000b', // request id 11
      '0000004b', // body length 75
      '871007070707070707070707070707070707', // TRANSACTION_ID = 16 bytes
      '89080000000000002710', // AMOUNT_MINOR = 10000
      '8a034a5059', // CURRENCY = "JPY"
      '9c0653484f502d37', // MERCHANT_ID = "SHOP-7"
      '9f241474656c3a2b38312d39302d303030302d30303030', // DEVICE_ADDRESS = "tel:+81-90-0000-0000"
      '9f2308000001a3185c5000', // EXPIRES_AT_MS = 1800000000000
      '133db49a3e9dec3e4807064720f487e8', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'passwordIssueResult', session: 'main', dir: 'c2t',
    message: { type: 'passwordIssueResult', transactionId: h('07070707070707070707070707070707'), status: 0, resultCode: 0, password: 'K7Q2M9X4P1', verificationCode: '2468', expiresAtMs: 1_800_000_000_000 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '41', // message PASSWORD_ISSUE_RESULT
      '0003', // flags MAC RESPONSE
      '0000000c', // sequence 12
      '0000000b', // request id 11
      '00000036', // body length 54
      '871007070707070707070707070707070707', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      '9d0a4b3751324d3958345031', // PASSWORD = "K7Q2M9X4P1"
      '9e0432343638', // VERIFICATION_CODE = "2468"
      '9f2308000001a3185c5000', // EXPIRES_AT_MS = 1800000000000
      '8e26235c571f2babcaa7451ac93e1a14', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'passwordRedeemRequest', session: 'main', dir: 't2c',
    message: { type: 'passwordRedeemRequest', transactionId: h('08080808080808080808080808080808'), password: 'K7Q2M9X4P1', verificationCode: '2468', amountMinor: 2500, currency: 'JPY', merchantId: 'SHOP-7' },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '42', // message PASSWORD_REDEEM_REQUEST
      '0001', // flags MAC
      '0000000d', // sequence 13
      '0000000c', // request id 12
      '0000003b', // body length 59
      '871008080808080808080808080808080808', // TRANSACTION_ID = 16 bytes
      '890800000000000009c4', // AMOUNT_MINOR = 2500
      '8a034a5059', // CURRENCY = "JPY"
      '9c0653484f502d37', // MERCHANT_ID = "SHOP-7"
      '9d0a4b3751324d3958345031', // PASSWORD = "K7Q2M9X4P1"
      '9e0432343638', // VERIFICATION_CODE = "2468"
      '5773130bfaf4997c91a841879f64a74a', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'passwordRedeemResult', session: 'main', dir: 'c2t',
    message: { type: 'passwordRedeemResult', transactionId: h('08080808080808080808080808080808'), status: 0, resultCode: 0, balanceMinor: 7500 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '43', // message PASSWORD_REDEEM_RESULT
      '0003', // flags MAC RESPONSE
      '0000000d', // sequence 13
      '0000000c', // request id 12
      '00000023', // body length 35
      '871008080808080808080808080808080808', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      '9a080000000000001d4c', // BALANCE_MINOR = 7500
      '0897a3c2e685d17a32b715a310d64095', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'ping2', session: 'main', dir: 't2c',
    message: { type: 'ping' },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '08', // message PING
      '0001', // flags MAC
      '0000000e', // sequence 14
      '0000000d', // request id 13
      '00000000', // body length 0
      '6d290ac6cc0f2d093da47ada19906432', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'errorNonFatal', session: 'main', dir: 'c2t',
    message: { type: 'error', wireCode: 0x51, fatal: false },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '0f', // message ERROR
      '0003', // flags MAC RESPONSE
      '0000000e', // sequence 14
      '0000000d', // request id 13
      '00000008', // body length 8
      '83020051', // ERROR_CODE = 81
      '9f270100', // FATAL = 0
      '52af08de752514b819a72af7101e323c', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'settleRequest', session: 'main', dir: 't2c',
    message: { type: 'settleRequest', terminalId: 'SHOP-01', records: [{ mediumId: h('0123456789abcdef'), cardCounter: 3, amountMinor: 450, currency: 'JPY', terminalId: 'SHOP-01', terminalNonce: h('1122334455667788'), cardMac: h('a1b2c3d4e5f60718') }] },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '26', // message SETTLE_REQUEST
      '0001', // flags MAC
      '0000000f', // sequence 15
      '0000000e', // request id 14
      '00000047', // body length 71
      '800753484f502d3031', // TERMINAL_ID = "SHOP-01"
      'a03c', // RECORD, constructed, 60 bytes:
      '84080123456789abcdef', //   MEDIUM_ID = 8 bytes
      '920400000003', //   CARD_COUNTER = 3
      '890800000000000001c2', //   AMOUNT_MINOR = 450
      '8a034a5059', //   CURRENCY = "JPY"
      '800753484f502d3031', //   TERMINAL_ID = "SHOP-01"
      '93081122334455667788', //   TERMINAL_NONCE = 8 bytes
      '9408a1b2c3d4e5f60718', //   CARD_MAC = 8 bytes
      '71c7a4996f677a0e0d2180597787a4d7', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'awaitCallback', session: 'main', dir: 'c2t',
    message: { type: 'awaitCallback', token: h('e0e1e2e3e4e5e6e7e8e9eaebecedeeef'), waitMs: 30_000 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '27', // message AWAIT_CALLBACK
      '0003', // flags MAC RESPONSE
      '0000000f', // sequence 15
      '0000000e', // request id 14
      '00000018', // body length 24
      '9510e0e1e2e3e4e5e6e7e8e9eaebecedeeef', // CALLBACK_TOKEN = 16 bytes
      '960400007530', // WAIT_MS = 30000
      'c00b38cab606fb0945003fb19b3629e9', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'validityRequest3', session: 'main', dir: 't2c',
    message: { type: 'validityRequest', terminalId: 'T-0001', mediumId: h('fedcba9876543210') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000010', // sequence 16
      '0000000f', // request id 15
      '00000012', // body length 18
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '8408fedcba9876543210', // MEDIUM_ID = 8 bytes
      '03cca27cea9b0c65a27fee215de1e3ea', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'validityNak', session: 'main', dir: 'c2t',
    message: { type: 'validityNak', reason: 3, capture: true },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '13', // message VALIDITY_NAK
      '0003', // flags MAC RESPONSE
      '00000010', // sequence 16
      '0000000f', // request id 15
      '00000006', // body length 6
      '850103', // REASON = 3
      '860101', // CAPTURE = 1
      '8939ffb760b5885e7e3f3b0764a94833', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'errorFatalUnauthenticated', session: 'main', dir: 'c2t',
    message: { type: 'error', wireCode: 0x40, fatal: true },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '0f', // message ERROR
      '0000', // flags none
      '00000000', // sequence 0
      '00000000', // request id 0
      '00000008', // body length 8
      '83020040', // ERROR_CODE = 64
      '9f270101', // FATAL = 1
    ],
  },
  {
    name: 'callbackHello', session: 'callback', dir: 'c2t',
    message: { type: 'callbackHello', terminalId: 'T-0001', token: h('e0e1e2e3e4e5e6e7e8e9eaebecedeeef'), nonce: h('404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '05', // message CALLBACK_HELLO
      '0000', // flags none
      '00000000', // sequence 0
      '00000000', // request id 0
      '0000003c', // body length 60
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '8120404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f', // NONCE = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_"
      '9510e0e1e2e3e4e5e6e7e8e9eaebecedeeef', // CALLBACK_TOKEN = 16 bytes
    ],
  },
  {
    name: 'callbackAuth', session: 'callback', dir: 't2c',
    message: { type: 'callbackAuth', nonce: h('606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f'), proof: h('534a4d4ab1af461dd944663eea20ba14ca0e9e6627d9c0d1976d300274222841') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '06', // message CALLBACK_AUTH
      '0000', // flags none
      '00000000', // sequence 0
      '00000000', // request id 0
      '00000044', // body length 68
      '8120606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f', // NONCE = 32 bytes
      '8220534a4d4ab1af461dd944663eea20ba14ca0e9e6627d9c0d1976d300274222841', // PROOF = 32 bytes
    ],
  },
  {
    name: 'callbackAuthOk', session: 'callback', dir: 'c2t',
    message: { type: 'authOk', proof: h('ded686f4edff948f8ae469bfbb95f992695570610a8da5c5bc5940ae11d6715a') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '04', // message AUTH_OK
      '0001', // flags MAC
      '00000001', // sequence 1
      '00000000', // request id 0
      '00000022', // body length 34
      '8220ded686f4edff948f8ae469bfbb95f992695570610a8da5c5bc5940ae11d6715a', // PROOF = 32 bytes
      '16533e3a998578e123b86da35202db73', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'settlementInstruction', session: 'callback', dir: 'c2t',
    message: { type: 'settlementInstruction', bankCode: '0009', branchCode: '456', accountNumber: '7654321', securityCode: h('2222222222222222222222225ac69d9b60552bf076c905094ade6191e53c7d350670'), totalMinor: 450, currency: 'JPY', results: [{ mediumId: h('0123456789abcdef'), cardCounter: 3, status: 0 }] },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '28', // message SETTLEMENT_INSTRUCTION
      '0001', // flags MAC
      '00000002', // sequence 2
      '00000001', // request id 1
      '0000005c', // body length 92
      '8d0430303039', // BANK_CODE = "0009"
      '8e03343536', // BRANCH_CODE = "456"
      '8f0737363534333231', // ACCOUNT_NUMBER = "7654321"
      '97222222222222222222222222225ac69d9b60552bf076c905094ade6191e53c7d350670', // SECURITY_CODE = 34 bytes
      '890800000000000001c2', // AMOUNT_MINOR = 450
      '8a034a5059', // CURRENCY = "JPY"
      'a213', // RECORD_RESULT, constructed, 19 bytes:
      '84080123456789abcdef', //   MEDIUM_ID = 8 bytes
      '920400000003', //   CARD_COUNTER = 3
      '980100', //   RECORD_STATUS = 0
      'ac2d39c993f28c45faa19cd8d9bbaad8', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'settlementAck', session: 'callback', dir: 't2c',
    message: { type: 'settlementAck', erased: [{ mediumId: h('0123456789abcdef'), cardCounter: 3 }] },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '29', // message SETTLEMENT_ACK
      '0003', // flags MAC RESPONSE
      '00000001', // sequence 1
      '00000001', // request id 1
      '00000012', // body length 18
      'a310', // RECORD_KEY, constructed, 16 bytes:
      '84080123456789abcdef', //   MEDIUM_ID = 8 bytes
      '920400000003', //   CARD_COUNTER = 3
      '13d2c515b1cd2dbe6b33017d2968b76d', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'chargeAbandon', session: 'main', dir: 't2c',
    message: { type: 'chargeAbandon', transactionId: h('09090909090909090909090909090909'), amountMinor: 5000, currency: 'JPY', bankCode: '0005', branchCode: '123', accountNumber: '1234567' },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '2a', // message CHARGE_ABANDON
      '0001', // flags MAC
      '00000011', // sequence 17
      '00000010', // request id 16
      '00000035', // body length 53
      '871009090909090909090909090909090909', // TRANSACTION_ID = 16 bytes
      '89080000000000001388', // AMOUNT_MINOR = 5000
      '8a034a5059', // CURRENCY = "JPY"
      '8d0430303035', // BANK_CODE = "0005"
      '8e03313233', // BRANCH_CODE = "123"
      '8f0731323334353637', // ACCOUNT_NUMBER = "1234567"
      '64a30da6b0b59e2cc9a0ab600f68865d', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'chargeAbandonResult', session: 'main', dir: 'c2t',
    message: { type: 'chargeResult', transactionId: h('09090909090909090909090909090909'), status: 0, resultCode: 0 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '21', // message CHARGE_RESULT
      '0003', // flags MAC RESPONSE
      '00000011', // sequence 17
      '00000010', // request id 16
      '00000019', // body length 25
      '871009090909090909090909090909090909', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      'b9f0364ad9ec7513b9032a8d4746a998', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'cashNotesReport', session: 'main', dir: 't2c',
    message: { type: 'cashNotesReport', transactionId: h('0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a'), notes: [{ noteKey: h('11111111111111111111111111111111'), amountMinor: 1000, currency: 'JPY', stackedAtMs: 1_767_225_600_000 }, { noteKey: h('12121212121212121212121212121212'), amountMinor: 5000, currency: 'JPY', stackedAtMs: 1_767_225_660_000 }] },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '50', // message CASH_NOTES_REPORT
      '0001', // flags MAC
      '00000012', // sequence 18
      '00000011', // request id 17
      '00000070', // body length 112
      '87100a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a', // TRANSACTION_ID = 16 bytes
      'a42d', // CASH_NOTE, constructed, 45 bytes:
      '9f2a1011111111111111111111111111111111', //   NOTE_KEY = 16 bytes
      '890800000000000003e8', //   AMOUNT_MINOR = 1000
      '8a034a5059', //   CURRENCY = "JPY"
      '9f28080000019b76daa800', //   STACKED_AT_MS = 1767225600000
      'a42d', // CASH_NOTE, constructed, 45 bytes:
      '9f2a1012121212121212121212121212121212', //   NOTE_KEY = 16 bytes
      '89080000000000001388', //   AMOUNT_MINOR = 5000
      '8a034a5059', //   CURRENCY = "JPY"
      '9f28080000019b76db9260', //   STACKED_AT_MS = 1767225660000
      'bfd32d39efe8ea0b1f00e90f95a34848', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'cashNotesResult', session: 'main', dir: 'c2t',
    message: { type: 'cashResult', transactionId: h('0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a'), status: 0, resultCode: 0 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '51', // message CASH_RESULT
      '0003', // flags MAC RESPONSE
      '00000012', // sequence 18
      '00000011', // request id 17
      '00000019', // body length 25
      '87100a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      'f4c5a15309f77121c0bf1a7b4f887b79', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'cashCollection', session: 'main', dir: 't2c',
    message: { type: 'cashCollection', transactionId: h('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'), currency: 'JPY', noteCount: 2, amountMinor: 6000, noteKeys: [h('11111111111111111111111111111111'), h('12121212121212121212121212121212')] },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '52', // message CASH_COLLECTION
      '0001', // flags MAC
      '00000013', // sequence 19
      '00000012', // request id 18
      '0000004e', // body length 78
      '87100b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b', // TRANSACTION_ID = 16 bytes
      '8a034a5059', // CURRENCY = "JPY"
      '9f290400000002', // NOTE_COUNT = 2
      '89080000000000001770', // AMOUNT_MINOR = 6000
      '9f2a1011111111111111111111111111111111', // NOTE_KEY = 16 bytes
      '9f2a1012121212121212121212121212121212', // NOTE_KEY = 16 bytes
      '3db34a64e57f7d75fdcf5bafa292ae5c', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'cashCollectionResult', session: 'main', dir: 'c2t',
    message: { type: 'cashResult', transactionId: h('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'), status: 0, resultCode: 0 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '51', // message CASH_RESULT
      '0003', // flags MAC RESPONSE
      '00000013', // sequence 19
      '00000012', // request id 18
      '00000019', // body length 25
      '87100b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      'f447011983a6f43643bc425243578b0d', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'purchaseUpload2', session: 'main', dir: 't2c',
    message: { type: 'purchaseUpload', records: [{ mediumId: h('0123456789abcdef'), cardCounter: 4, amountMinor: 600, currency: 'JPY', terminalId: 'SHOP-01', terminalNonce: h('1122334455667788'), cardMac: h('a1b2c3d4e5f60718') }] },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '24', // message PURCHASE_UPLOAD
      '0001', // flags MAC
      '00000014', // sequence 20
      '00000013', // request id 19
      '0000003e', // body length 62
      'a03c', // RECORD, constructed, 60 bytes:
      '84080123456789abcdef', //   MEDIUM_ID = 8 bytes
      '920400000004', //   CARD_COUNTER = 4
      '89080000000000000258', //   AMOUNT_MINOR = 600
      '8a034a5059', //   CURRENCY = "JPY"
      '800753484f502d3031', //   TERMINAL_ID = "SHOP-01"
      '93081122334455667788', //   TERMINAL_NONCE = 8 bytes
      '9408a1b2c3d4e5f60718', //   CARD_MAC = 8 bytes
      '340bd38c09c5287fd2ab57a384db67a5', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'purchaseUploadAckRefused', session: 'main', dir: 'c2t',
    message: { type: 'purchaseUploadAck', results: [], resultCode: 276 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '25', // message PURCHASE_UPLOAD_ACK
      '0003', // flags MAC RESPONSE
      '00000014', // sequence 20
      '00000013', // request id 19
      '00000004', // body length 4
      '8c020114', // RESULT_CODE = 276
      'a9d013af4ad3dfbee7c6a556e38e8896', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'settleRequest2', session: 'main', dir: 't2c',
    message: { type: 'settleRequest', terminalId: 'SHOP-01', records: [{ mediumId: h('0123456789abcdef'), cardCounter: 4, amountMinor: 600, currency: 'JPY', terminalId: 'SHOP-01', terminalNonce: h('1122334455667788'), cardMac: h('a1b2c3d4e5f60718') }] },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '26', // message SETTLE_REQUEST
      '0001', // flags MAC
      '00000015', // sequence 21
      '00000014', // request id 20
      '00000047', // body length 71
      '800753484f502d3031', // TERMINAL_ID = "SHOP-01"
      'a03c', // RECORD, constructed, 60 bytes:
      '84080123456789abcdef', //   MEDIUM_ID = 8 bytes
      '920400000004', //   CARD_COUNTER = 4
      '89080000000000000258', //   AMOUNT_MINOR = 600
      '8a034a5059', //   CURRENCY = "JPY"
      '800753484f502d3031', //   TERMINAL_ID = "SHOP-01"
      '93081122334455667788', //   TERMINAL_NONCE = 8 bytes
      '9408a1b2c3d4e5f60718', //   CARD_MAC = 8 bytes
      '0781b7a2eff2e1c28744eb8b972f047e', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'settleRefused', session: 'main', dir: 'c2t',
    message: { type: 'settleRefused', resultCode: 278 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '2b', // message SETTLE_REFUSED
      '0003', // flags MAC RESPONSE
      '00000015', // sequence 21
      '00000014', // request id 20
      '00000004', // body length 4
      '8c020116', // RESULT_CODE = 278
      '7e98b83b94b645f519a68f0e6e1a14c0', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'terminalStatus', session: 'main', dir: 't2c',
    message: { type: 'terminalStatus', softwareVersion: '0.4.0', protocolVersion: 2, devices: [{ kind: 1, state: 0 }, { kind: 2, state: 1, reason: 'DEV_PORT_GONE' }, { kind: 4, state: 4, reason: 'DEV_NOTE_JAMMED' }] },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '0a', // message TERMINAL_STATUS
      '0001', // flags MAC
      '00000016', // sequence 22
      '00000015', // request id 21
      '0000004d', // body length 77
      '9f2b05302e342e30', // SOFTWARE_VERSION = "0.4.0"
      '9f2c020002', // PROTOCOL_VERSION = 2
      'a508', // DEVICE, constructed, 8 bytes:
      '9f2d0101', //   DEVICE_KIND = 1
      '9f2e0100', //   DEVICE_STATE = 0
      'a518', // DEVICE, constructed, 24 bytes:
      '9f2d0102', //   DEVICE_KIND = 2
      '9f2e0101', //   DEVICE_STATE = 1
      '9f2f0d4445565f504f52545f474f4e45', //   DEVICE_REASON = "DEV_PORT_GONE"
      'a51a', // DEVICE, constructed, 26 bytes:
      '9f2d0104', //   DEVICE_KIND = 4
      '9f2e0104', //   DEVICE_STATE = 4
      '9f2f0f4445565f4e4f54455f4a414d4d4544', //   DEVICE_REASON = "DEV_NOTE_JAMMED"
      '3149d7092e6b459213b4d186be233147', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'terminalStatusAck', session: 'main', dir: 'c2t',
    message: { type: 'terminalStatusAck' },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '0b', // message TERMINAL_STATUS_ACK
      '0003', // flags MAC RESPONSE
      '00000016', // sequence 22
      '00000015', // request id 21
      '00000000', // body length 0
      'f6367b9e7007f1c6ed1c3383942625df', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'voucherActivate', session: 'main', dir: 't2c',
    message: { type: 'voucherActivate', transactionId: h('13131313131313131313131313131313'), serial: '9001000000000422', amountMinor: 3000, currency: 'JPY' },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '3c', // message VOUCHER_ACTIVATE
      '0001', // flags MAC
      '00000017', // sequence 23
      '00000016', // request id 22
      '00000034', // body length 52
      '871013131313131313131313131313131313', // TRANSACTION_ID = 16 bytes
      '9f381039303031303030303030303030343232', // VOUCHER_SERIAL = "9001000000000422"
      '89080000000000000bb8', // AMOUNT_MINOR = 3000
      '8a034a5059', // CURRENCY = "JPY"
      '801b3ca2f2f546fb1183d865864f3e8a', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'voucherActivateApproved', session: 'main', dir: 'c2t',
    message: { type: 'voucherResult', transactionId: h('13131313131313131313131313131313'), status: 0, resultCode: 0, amountMinor: 3000, expiresAtMs: 1_798_761_600_000 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '3f', // message VOUCHER_RESULT
      '0003', // flags MAC RESPONSE
      '00000017', // sequence 23
      '00000016', // request id 22
      '0000002e', // body length 46
      '871013131313131313131313131313131313', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      '89080000000000000bb8', // AMOUNT_MINOR = 3000
      '9f2308000001a2ce8bd400', // EXPIRES_AT_MS = 1798761600000
      '13140092579ff7355881c1e15ac1bc3f', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'voucherReversal', session: 'main', dir: 't2c',
    message: { type: 'voucherReversal', transactionId: h('14141414141414141414141414141414'), serial: '9001000000000430', amountMinor: 1000, currency: 'JPY' },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '3e', // message VOUCHER_REVERSAL
      '0001', // flags MAC
      '00000018', // sequence 24
      '00000017', // request id 23
      '00000034', // body length 52
      '871014141414141414141414141414141414', // TRANSACTION_ID = 16 bytes
      '9f381039303031303030303030303030343330', // VOUCHER_SERIAL = "9001000000000430"
      '890800000000000003e8', // AMOUNT_MINOR = 1000
      '8a034a5059', // CURRENCY = "JPY"
      '937db3ef1e660a4da18c22d2c0ed3e0b', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'voucherReversalResult', session: 'main', dir: 'c2t',
    message: { type: 'voucherResult', transactionId: h('14141414141414141414141414141414'), status: 0, resultCode: 0 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '3f', // message VOUCHER_RESULT
      '0003', // flags MAC RESPONSE
      '00000018', // sequence 24
      '00000017', // request id 23
      '00000019', // body length 25
      '871014141414141414141414141414141414', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      '565110118680cd82a2075d47cf10cd76', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'voucherVoid', session: 'main', dir: 't2c',
    message: { type: 'voucherVoid', transactionId: h('15151515151515151515151515151515'), originalTransactionId: h('13131313131313131313131313131313') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '3d', // message VOUCHER_VOID
      '0001', // flags MAC
      '00000019', // sequence 25
      '00000018', // request id 24
      '00000025', // body length 37
      '871015151515151515151515151515151515', // TRANSACTION_ID = 16 bytes
      '9f391013131313131313131313131313131313', // ORIGINAL_TRANSACTION_ID = 16 bytes
      'fa50b86d4928fd955e33fc8c1542486a', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'voucherVoidRefused', session: 'main', dir: 'c2t',
    message: { type: 'voucherResult', transactionId: h('15151515151515151515151515151515'), status: 1, resultCode: 1289 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '3f', // message VOUCHER_RESULT
      '0003', // flags MAC RESPONSE
      '00000019', // sequence 25
      '00000018', // request id 24
      '00000019', // body length 25
      '871015151515151515151515151515151515', // TRANSACTION_ID = 16 bytes
      '8b0101', // STATUS = 1
      '8c020509', // RESULT_CODE = 1289
      '5943cf0e4090406130fc7c2d33aefa19', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'passwordSaleQr', session: 'main', dir: 't2c',
    message: { type: 'passwordSaleRequest', transactionId: h('16161616161616161616161616161616'), amountMinor: 1200, currency: 'JPY', passwordQr: 'TPQ1:AIAH', goodsClasses: [] },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '44', // message PASSWORD_SALE_REQUEST
      '0001', // flags MAC
      '0000001a', // sequence 26
      '00000019', // request id 25
      '0000002d', // body length 45
      '871016161616161616161616161616161616', // TRANSACTION_ID = 16 bytes
      '890800000000000004b0', // AMOUNT_MINOR = 1200
      '8a034a5059', // CURRENCY = "JPY"
      '9f4009545051313a41494148', // PASSWORD_QR = "TPQ1:AIAH"
      '1f21f866d61a3d6962a916b22acc8555', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'passwordSaleApproved', session: 'main', dir: 'c2t',
    message: { type: 'passwordSaleResult', transactionId: h('16161616161616161616161616161616'), status: 0, resultCode: 0, amountMinor: 1200, balanceMinor: 1800, expiresAtMs: 1_802_592_000_000 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '45', // message PASSWORD_SALE_RESULT
      '0003', // flags MAC RESPONSE
      '0000001a', // sequence 26
      '00000019', // request id 25
      '00000038', // body length 56
      '871016161616161616161616161616161616', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      '890800000000000004b0', // AMOUNT_MINOR = 1200
      '9a080000000000000708', // BALANCE_MINOR = 1800
      '9f2308000001a3b2db1800', // EXPIRES_AT_MS = 1802592000000
      'fd3b0a2cdee315759c5a2e37c98e865c', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'passwordSaleKeypad', session: 'main', dir: 't2c',
    message: { type: 'passwordSaleRequest', transactionId: h('17171717171717171717171717171717'), amountMinor: 2500, currency: 'JPY', password: '4921083315770642', goodsClasses: ['B01'] },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '44', // message PASSWORD_SALE_REQUEST
      '0001', // flags MAC
      '0000001b', // sequence 27
      '0000001a', // request id 26
      '00000039', // body length 57
      '871017171717171717171717171717171717', // TRANSACTION_ID = 16 bytes
      '890800000000000009c4', // AMOUNT_MINOR = 2500
      '8a034a5059', // CURRENCY = "JPY"
      '9d1034393231303833333135373730363432', // PASSWORD = "4921083315770642"
      '9f2603423031', // GOODS_CLASS = "B01"
      '92349f56b6d9f4f92a998892d513a7cf', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'passwordSaleDeclined', session: 'main', dir: 'c2t',
    message: { type: 'passwordSaleResult', transactionId: h('17171717171717171717171717171717'), status: 1, resultCode: 1544, balanceMinor: 1800 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '45', // message PASSWORD_SALE_RESULT
      '0003', // flags MAC RESPONSE
      '0000001b', // sequence 27
      '0000001a', // request id 26
      '00000023', // body length 35
      '871017171717171717171717171717171717', // TRANSACTION_ID = 16 bytes
      '8b0101', // STATUS = 1
      '8c020608', // RESULT_CODE = 1544
      '9a080000000000000708', // BALANCE_MINOR = 1800
      'ddd14354e286d04454203ccfe4f2653c', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'prepaidUseByProof', session: 'main', dir: 't2c',
    message: { type: 'prepaidRequest', transactionId: h('b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1'), amountMinor: 1200, currency: 'JPY', mediumId: h('000102030405060708090a0b0c0d0e0f'), generation: 1, mediumProof: h('0d9231947c6beaf79b225d80276f48f6'), service: 2, vendorId: 'VENDOR-1' },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '30', // message PREPAID_REQUEST
      '0001', // flags MAC
      '0000001c', // sequence 28
      '0000001b', // request id 27
      '0000005d', // body length 93
      '8710b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1', // TRANSACTION_ID = 16 bytes
      '890800000000000004b0', // AMOUNT_MINOR = 1200
      '8a034a5059', // CURRENCY = "JPY"
      '9f3010000102030405060708090a0b0c0d0e0f', // PREPAID_MEDIUM_ID = 16 bytes
      '9f310400000001', // GENERATION = 1
      '9f32100d9231947c6beaf79b225d80276f48f6', // MEDIUM_PROOF = 16 bytes
      '9f200102', // SERVICE = 2
      '9f210856454e444f522d31', // VENDOR_ID = "VENDOR-1"
      'f7742a0b24e7c1ef4a30dc6fb87c8f8e', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'prepaidUseDone', session: 'main', dir: 'c2t',
    message: { type: 'prepaidResult', transactionId: h('b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1'), status: 0, resultCode: 0, balanceMinor: 3800, generation: 2, sealedFile: h('0c0c0c0c0c0c0c0c0c0c0c0cc8f0c6e36013c711645c7fa896596b49c7b4d30fba7115647813ca59ec36de8bf6ef8d51be674598f6c47d9b2f22699c71c2fab2c3f57f88d06ff188a787e92d925f305b211ec70717184aaa3327efeb31c106125d7c24b56c19f66a5c91f867f4dc19c61c3f4263cbfbf3c4180a366d82ee510e042664f2281f3fba8c9abd42006c1f3b13e8e45c0b5a8aabda3f01c6f6c5a946f881a21e511aec207aa306e5ad07e1f334dcf4a231bb5b48bfe846de5b360c116c7a22c752c3153c0e3effa0e9af349957e82f0b7f2f5250b837f68cdcc5cfa0e93a80fc93809194b85d62b408a679c5527fc63ba8b641a5465c36be1f22a76597fbe98111a7530b732638560c5415cb99f6b513a2a6ba805606e01b67fb6c7f4b17b760c8db6d33ce79bdc3fc318af11352799197e2e43879534dad') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '31', // message PREPAID_RESULT
      '0003', // flags MAC RESPONSE
      '0000001c', // sequence 28
      '0000001b', // request id 27
      '0000016b', // body length 363
      '8710b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      '9a080000000000000ed8', // BALANCE_MINOR = 3800
      '9f310400000002', // GENERATION = 2
      '9f3382013c0c0c0c0c0c0c0c0c0c0c0c0cc8f0c6e36013c711645c7fa896596b49c7b4d30fba7115647813ca59ec36de8bf6ef8d51be674598f6c47d9b2f22699c71c2fab2c3f57f88d06ff188a787e92d925f305b211ec70717184aaa3327efeb31c106125d7c24b56c19f66a5c91f867f4dc19c61c3f4263cbfbf3c4180a366d82ee510e042664f2281f3fba8c9abd42006c1f3b13e8e45c0b5a8aabda3f01c6f6c5a946f881a21e511aec207aa306e5ad07e1f334dcf4a231bb5b48bfe846de5b360c116c7a22c752c3153c0e3effa0e9af349957e82f0b7f2f5250b837f68cdcc5cfa0e93a80fc93809194b85d62b408a679c5527fc63ba8b641a5465c36be1f22a76597fbe98111a7530b732638560c5415cb99f6b513a2a6ba805606e01b67fb6c7f4b17b760c8db6d33ce79bdc3fc318af11352799197e2e43879534dad', // SEALED_FILE = 316 bytes
      '3e015578412367e8857a40539126c6dd', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'prepaidConfirm', session: 'main', dir: 't2c',
    message: { type: 'prepaidConfirm', transactionId: h('b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2'), mediumId: h('000102030405060708090a0b0c0d0e0f'), generation: 2, mediumProof: h('6000a7fafd8eb6988967231e00d89a3e') },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '32', // message PREPAID_CONFIRM
      '0001', // flags MAC
      '0000001d', // sequence 29
      '0000001c', // request id 28
      '0000003f', // body length 63
      '8710b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2', // TRANSACTION_ID = 16 bytes
      '9f3010000102030405060708090a0b0c0d0e0f', // PREPAID_MEDIUM_ID = 16 bytes
      '9f310400000002', // GENERATION = 2
      '9f32106000a7fafd8eb6988967231e00d89a3e', // MEDIUM_PROOF = 16 bytes
      '54339a8f970cce9ec19ded49d7bed469', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'prepaidConfirmed', session: 'main', dir: 'c2t',
    message: { type: 'prepaidConfirmResult', transactionId: h('b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2'), status: 4, resultCode: 0, balanceMinor: 3800, generation: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '33', // message PREPAID_CONFIRM_RESULT
      '0003', // flags MAC RESPONSE
      '0000001d', // sequence 29
      '0000001c', // request id 28
      '0000002a', // body length 42
      '8710b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2', // TRANSACTION_ID = 16 bytes
      '8b0104', // STATUS = 4
      '8c020000', // RESULT_CODE = 0
      '9a080000000000000ed8', // BALANCE_MINOR = 3800
      '9f310400000002', // GENERATION = 2
      '03f26bc2aeee7fc2c6a3fa693ebaa022', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'prepaidBalanceClone', session: 'main', dir: 't2c',
    message: { type: 'prepaidRequest', transactionId: h('b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3'), amountMinor: 0, currency: 'JPY', mediumId: h('000102030405060708090a0b0c0d0e0f'), generation: 1, mediumProof: h('0424d84fd83df715e30376502dc8af26'), service: 4 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '30', // message PREPAID_REQUEST
      '0001', // flags MAC
      '0000001e', // sequence 30
      '0000001d', // request id 29
      '00000052', // body length 82
      '8710b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3', // TRANSACTION_ID = 16 bytes
      '89080000000000000000', // AMOUNT_MINOR = 0
      '8a034a5059', // CURRENCY = "JPY"
      '9f3010000102030405060708090a0b0c0d0e0f', // PREPAID_MEDIUM_ID = 16 bytes
      '9f310400000001', // GENERATION = 1
      '9f32100424d84fd83df715e30376502dc8af26', // MEDIUM_PROOF = 16 bytes
      '9f200104', // SERVICE = 4
      '09c18e67850558f56b9f773b88c8ad76', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'prepaidCloneRefused', session: 'main', dir: 'c2t',
    message: { type: 'prepaidResult', transactionId: h('b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3'), status: 1, resultCode: 1037 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '31', // message PREPAID_RESULT
      '0003', // flags MAC RESPONSE
      '0000001e', // sequence 30
      '0000001d', // request id 29
      '00000019', // body length 25
      '8710b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3', // TRANSACTION_ID = 16 bytes
      '8b0101', // STATUS = 1
      '8c02040d', // RESULT_CODE = 1037
      '1c072377a41c6751049bd40fb720f85f', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'prepaidIssueCash', session: 'main', dir: 't2c',
    message: { type: 'prepaidIssue', transactionId: h('16161616161616161616161616161616'), amountMinor: 6000, currency: 'JPY', notes: [{ noteKey: h('17171717171717171717171717171717'), amountMinor: 1000, currency: 'JPY', stackedAtMs: 1_767_225_600_000 }, { noteKey: h('18181818181818181818181818181818'), amountMinor: 5000, currency: 'JPY', stackedAtMs: 1_767_225_660_000 }] },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '34', // message PREPAID_ISSUE
      '0001', // flags MAC
      '0000001f', // sequence 31
      '0000001e', // request id 30
      '0000007f', // body length 127
      '871016161616161616161616161616161616', // TRANSACTION_ID = 16 bytes
      '89080000000000001770', // AMOUNT_MINOR = 6000
      '8a034a5059', // CURRENCY = "JPY"
      'a42d', // CASH_NOTE, constructed, 45 bytes:
      '9f2a1017171717171717171717171717171717', //   NOTE_KEY = 16 bytes
      '890800000000000003e8', //   AMOUNT_MINOR = 1000
      '8a034a5059', //   CURRENCY = "JPY"
      '9f28080000019b76daa800', //   STACKED_AT_MS = 1767225600000
      'a42d', // CASH_NOTE, constructed, 45 bytes:
      '9f2a1018181818181818181818181818181818', //   NOTE_KEY = 16 bytes
      '89080000000000001388', //   AMOUNT_MINOR = 5000
      '8a034a5059', //   CURRENCY = "JPY"
      '9f28080000019b76db9260', //   STACKED_AT_MS = 1767225660000
      '9efd1e6167820407e3c281c404f4bb4f', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'prepaidIssueResult', session: 'main', dir: 'c2t',
    message: { type: 'prepaidIssueResult', transactionId: h('16161616161616161616161616161616'), status: 0, resultCode: 0, issuedMediumId: h('0102030405060708090a0b0c0d0e0f10'), prepaidInfo: h('5453504d010001'), balanceMinor: 6000 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '35', // message PREPAID_ISSUE_RESULT
      '0003', // flags MAC RESPONSE
      '0000001f', // sequence 31
      '0000001e', // request id 30
      '0000003f', // body length 63
      '871016161616161616161616161616161616', // TRANSACTION_ID = 16 bytes
      '8b0100', // STATUS = 0
      '8c020000', // RESULT_CODE = 0
      '9f34100102030405060708090a0b0c0d0e0f10', // ISSUED_MEDIUM_ID = 16 bytes
      '99075453504d010001', // PREPAID_INFO = 7 bytes
      '9a080000000000001770', // BALANCE_MINOR = 6000
      '903e600c5fdfb74c7278ec8def16ccbb', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'prepaidIssuePurse', session: 'main', dir: 't2c',
    message: { type: 'prepaidIssue', transactionId: h('19191919191919191919191919191919'), amountMinor: 450, currency: 'JPY', notes: [], purseRecord: { mediumId: h('0123456789abcdef'), cardCounter: 3, amountMinor: 450, currency: 'JPY', terminalId: 'KIOSK-01', terminalNonce: h('1122334455667788'), cardMac: h('a1b2c3d4e5f60718') } },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '34', // message PREPAID_ISSUE
      '0001', // flags MAC
      '00000020', // sequence 32
      '0000001f', // request id 31
      '00000060', // body length 96
      '871019191919191919191919191919191919', // TRANSACTION_ID = 16 bytes
      '890800000000000001c2', // AMOUNT_MINOR = 450
      '8a034a5059', // CURRENCY = "JPY"
      'a03d', // RECORD, constructed, 61 bytes:
      '84080123456789abcdef', //   MEDIUM_ID = 8 bytes
      '920400000003', //   CARD_COUNTER = 3
      '890800000000000001c2', //   AMOUNT_MINOR = 450
      '8a034a5059', //   CURRENCY = "JPY"
      '80084b494f534b2d3031', //   TERMINAL_ID = "KIOSK-01"
      '93081122334455667788', //   TERMINAL_NONCE = 8 bytes
      '9408a1b2c3d4e5f60718', //   CARD_MAC = 8 bytes
      'd9ba3c4a2311a1a4cc81009f4e302f23', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'prepaidIssueDeclined', session: 'main', dir: 'c2t',
    message: { type: 'prepaidIssueResult', transactionId: h('19191919191919191919191919191919'), status: 1, resultCode: 1048 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '35', // message PREPAID_ISSUE_RESULT
      '0003', // flags MAC RESPONSE
      '00000020', // sequence 32
      '0000001f', // request id 31
      '00000019', // body length 25
      '871019191919191919191919191919191919', // TRANSACTION_ID = 16 bytes
      '8b0101', // STATUS = 1
      '8c020418', // RESULT_CODE = 1048
      'b3e55877c4891d0222dd777b1c62678f', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
];

export const ERROR_VECTORS: ErrorVector[] = [
  {
    name: 'bad magic', code: 'PROTO_BAD_MAGIC', receiver: 'handshake',
    bytes: [
      '555301010000000000000000000000000000', // header
    ],
  },
  {
    name: 'bad version', code: 'PROTO_BAD_VERSION', receiver: 'handshake',
    bytes: [
      '545302010000000000000000000000000000', // header
    ],
  },
  {
    name: 'reserved flag bit', code: 'PROTO_BAD_HEADER', receiver: 'handshake',
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '01', // message HELLO
      '0004', // flags
      '00000000', // sequence 0
      '00000000', // request id 0
      '00000000', // body length 0
    ],
  },
  {
    name: 'unauthenticated frame with a sequence number', code: 'PROTO_BAD_HEADER', receiver: 'handshake',
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '01', // message HELLO
      '0000', // flags none
      '00000005', // sequence 5
      '00000000', // request id 0
      '00000000', // body length 0
    ],
  },
  {
    name: 'handshake frame above 512 bytes', code: 'PROTO_FRAME_TOO_LARGE', receiver: 'handshake',
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '01', // message HELLO
      '0000', // flags none
      '00000000', // sequence 0
      '00000000', // request id 0
      '00000258', // body length 600
    ],
  },
  {
    name: 'frame above PROTOCOL_LIMITS.frameBytesMax', code: 'PROTO_FRAME_TOO_LARGE', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '00040000', // body length 262144
      '', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'MAC altered', code: 'PROTO_BAD_MAC', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '00000012', // body length 18
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
      '950bb622f52e1a50436acbb96c5815d1', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'body altered', code: 'PROTO_BAD_MAC', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '00000012', // body length 18
      '8006552d30303031', // TERMINAL_ID = "U-0001"
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
      '950bb622f52e1a50436acbb96c5815d0', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'replayed sequence', code: 'PROTO_REPLAY', receiver: { session: 'main', dir: 't2c', lastSeq: 3 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '00000012', // body length 18
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
      '950bb622f52e1a50436acbb96c5815d0', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'skipped sequence', code: 'PROTO_SEQUENCE_GAP', receiver: { session: 'main', dir: 't2c', lastSeq: 1 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '00000012', // body length 18
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
      '950bb622f52e1a50436acbb96c5815d0', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'request without MAC', code: 'PROTO_MAC_MISSING', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0000', // flags none
      '00000000', // sequence 0
      '00000002', // request id 2
      '00000012', // body length 18
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
    ],
  },
  {
    name: 'unknown message code', code: 'PROTO_UNKNOWN_MESSAGE', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '7e', // message 0x7e
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '00000000', // body length 0
      '965dcca57ce89c3c83b7e65d1294acd4', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'request with request id 0', code: 'PROTO_BAD_HEADER', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000000', // request id 0
      '00000012', // body length 18
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
      '6f5a3faab48d31bc7669e003fb417d0a', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'TLV value past its container', code: 'PROTO_TLV_TRUNCATED', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '00000012', // body length 18
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '84090123456789abcdef', // MEDIUM_ID = 8 bytes
      'a98963e498b8c43b8b303021b4564a7c', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'indefinite length', code: 'PROTO_TLV_BAD_LENGTH', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '545301100001000000030000000200000002', // header
      '8080018988087ab7343f3f85bff8569d4e83', // body (and MAC if flagged)
    ],
  },
  {
    name: 'length not in shortest form', code: 'PROTO_TLV_BAD_LENGTH', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '00000013', // body length 19
      '808106542d30303031', // TERMINAL_ID = "T-0001"
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
      '55ce0c7c4b21d8a1362d00cb7cda9cb3', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'three-byte tag', code: 'PROTO_TLV_BAD_TAG', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '00000016', // body length 22
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
      '9f810100', // tag 0x9f81 = 0
      '7ed1da678a9f6ae78a8204e041972f0c', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'unknown context tag', code: 'PROTO_TLV_UNKNOWN_TAG', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '00000015', // body length 21
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
      '9f3000', // PREPAID_MEDIUM_ID = 0 bytes
      '69529de74ad13baf54c176df78513123', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'duplicate tag', code: 'PROTO_TLV_DUPLICATE_TAG', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '0000001c', // body length 28
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
      '9653fab5e48398cbeabee0eb2d272700', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'missing tag', code: 'PROTO_TLV_MISSING_TAG', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '00000008', // body length 8
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '4f8ebcfd2af74cdcdd42722d86c00969', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'lower-case terminal id', code: 'PROTO_TLV_BAD_VALUE', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '10', // message VALIDITY_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '00000012', // body length 18
      '8006742d30303031', // TERMINAL_ID = "t-0001"
      '84080123456789abcdef', // MEDIUM_ID = 8 bytes
      '0e6d716f677c872c6c80ba0e48d948c4', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'amount above 2^53-1', code: 'PROTO_TLV_BAD_VALUE', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '14', // message TRANSACTION_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '00000024', // body length 36
      '871001010101010101010101010101010101', // TRANSACTION_ID = 16 bytes
      '880101', // KIND = 1
      '89080020000000000000', // AMOUNT_MINOR = 9007199254740992
      '8a034a5059', // CURRENCY = "JPY"
      'd61adc62f759739ec5c069dafcabfdce', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
  {
    name: 'content nested too deep', code: 'PROTO_TLV_TOO_DEEP', receiver: { session: 'main', dir: 't2c', lastSeq: 2 },
    bytes: [
      '5453', // magic "TS"
      '01', // version 1
      '14', // message TRANSACTION_REQUEST
      '0001', // flags MAC
      '00000003', // sequence 3
      '00000002', // request id 2
      '0000002e', // body length 46
      '871001010101010101010101010101010101', // TRANSACTION_ID = 16 bytes
      '880101', // KIND = 1
      '89080000000000000001', // AMOUNT_MINOR = 1
      '8a034a5059', // CURRENCY = "JPY"
      'a108', // CONTENT, constructed, 8 bytes:
      'e106', //   tag 0xe1, constructed, 6 bytes:
      'e104', //     tag 0xe1, constructed, 4 bytes:
      'e102', //       tag 0xe1, constructed, 2 bytes:
      'e100', //         tag 0xe1, constructed, 0 bytes:
      '465189c9fce65a36a05851f9e0c9c259', // MAC: HMAC-SHA-256 truncated to 16 bytes
    ],
  },
];

/** Message bodies and their decoding (PROTOCOL.md §9.4): one rule of §3 / §5 / §6 each. */
export const BODY_VECTORS: BodyVector[] = [
  {
    name: 'primitive TLV at depth 4 inside CONTENT', code: 0x14, result: 'ok',
    bytes: [
      '871001010101010101010101010101010101', // TRANSACTION_ID
      '880101', // KIND = 1 PURCHASE
      '89080000000000000001', // AMOUNT_MINOR = 1
      '8a034a5059', // CURRENCY = "JPY"
      'a108', // CONTENT (depth 0), 8 bytes
      'e106', //   private constructed, depth 1
      'e104', //     private constructed, depth 2
      'e102', //       private constructed, depth 3
      '8100', //         primitive, depth 4: allowed
    ],
  },
  {
    name: 'private-class TLV in a body is skipped unread', code: 0x10, result: 'ok',
    bytes: [
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '84080123456789abcdef', // MEDIUM_ID
      'e102ffff', // private constructed; its value is not a TLV list and is never looked at
    ],
  },
  {
    name: 'private-class TLV inside CONTENT is kept and checked', code: 0x14, result: 'PROTO_TLV_BAD_TAG',
    bytes: [
      '871001010101010101010101010101010101', // TRANSACTION_ID
      '880101', // KIND = 1 PURCHASE
      '89080000000000000001', // AMOUNT_MINOR = 1
      '8a034a5059', // CURRENCY = "JPY"
      'a104', // CONTENT, 4 bytes
      'e102ffff', //   private constructed holding ff ff: a three-byte tag
    ],
  },
  {
    name: 'EMV tag 9F 02 outside CONTENT', code: 0x10, result: 'PROTO_TLV_UNKNOWN_TAG',
    bytes: [
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '84080123456789abcdef', // MEDIUM_ID
      '9f020100', // 9F 02 is a well-formed tag, but not one of VALIDITY_REQUEST
    ],
  },
  {
    name: 'KIND 0', code: 0x14, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '871001010101010101010101010101010101', // TRANSACTION_ID
      '880100', // KIND = 0: not in TX_KIND
      '89080000000000000001', // AMOUNT_MINOR = 1
      '8a034a5059', // CURRENCY = "JPY"
    ],
  },
  {
    name: 'KIND 7', code: 0x14, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '871001010101010101010101010101010101', // TRANSACTION_ID
      '880107', // KIND = 7: not in TX_KIND
      '89080000000000000001', // AMOUNT_MINOR = 1
      '8a034a5059', // CURRENCY = "JPY"
    ],
  },
  {
    name: 'u8 KIND in two bytes', code: 0x14, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '871001010101010101010101010101010101', // TRANSACTION_ID
      '88020001', // KIND as 2 bytes: a u8 is exactly 1 byte
      '89080000000000000001', // AMOUNT_MINOR = 1
      '8a034a5059', // CURRENCY = "JPY"
    ],
  },
  {
    name: 'EARLY_ACK REASON 3', code: 0x12, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '850103', // REASON = 3: not in PENDING_CHECK
    ],
  },
  {
    name: 'NAK REASON 6', code: 0x13, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '850106', // REASON = 6: not in NAK_REASON
      '860100', // CAPTURE = 0
    ],
  },
  {
    name: 'NAK CAPTURE 2', code: 0x13, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '850101', // REASON = 1 MEDIUM_UNKNOWN
      '860102', // CAPTURE = 2: a flag is 0 or 1
    ],
  },
  {
    name: 'STATUS 2', code: 0x15, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '871001010101010101010101010101010101', // TRANSACTION_ID
      '8b0102', // STATUS = 2: not in STATUS
      '8c020000', // RESULT_CODE = 0
    ],
  },
  {
    name: 'any RESULT_CODE decodes', code: 0x15, result: 'ok',
    bytes: [
      '871001010101010101010101010101010101', // TRANSACTION_ID
      '8b0101', // STATUS = 1 DECLINED
      '8c02ffff', // RESULT_CODE = 65535: not range-checked by the codec
    ],
  },
  {
    name: 'FATAL 2', code: 0x0f, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '83020051', // ERROR_CODE = 0x51
      '9f270102', // FATAL = 2: a flag is 0 or 1
    ],
  },
  {
    name: 'unknown ERROR_CODE decodes', code: 0x0f, result: 'ok',
    bytes: [
      '83027777', // ERROR_CODE = 0x7777: not in §7, decodes (the session then ends, §7)
      '9f270100', // FATAL = 0
    ],
  },
  {
    name: 'SERVICE 5', code: 0x30, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '871004040404040404040404040404040404', // TRANSACTION_ID
      '89080000000000000bb8', // AMOUNT_MINOR = 3000
      '8a034a5059', // CURRENCY = "JPY"
      '9904494e464f', // PREPAID_INFO = 4 bytes
      '9f200105', // SERVICE = 5: not in PREPAID_SERVICE
    ],
  },
  {
    name: 'RECORD_STATUS 4', code: 0x25, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      'a213', // RECORD_RESULT, 19 bytes
      '84080123456789abcdef', //   MEDIUM_ID
      '920400000001', //   CARD_COUNTER = 1
      '980104', //   RECORD_STATUS = 4: not in RECORD_STATUS
    ],
  },
  {
    name: 'missing field wins over unknown tag', code: 0x10, result: 'PROTO_TLV_MISSING_TAG',
    bytes: [
      '8006542d30303031', // TERMINAL_ID = "T-0001"
      '9f3000', // unknown context tag (checked last)
    ],
  },
  {
    name: 'earlier field bad, later field missing', code: 0x10, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '8006742d30303031', // TERMINAL_ID = "t-0001" (lower case): checked first
    ],
  },
  {
    name: 'earlier field missing, later field bad', code: 0x10, result: 'PROTO_TLV_MISSING_TAG',
    bytes: [
      '84070123456789abcd', // MEDIUM_ID of 7 bytes; TERMINAL_ID (first in layout) is absent
    ],
  },
  {
    name: 'structure wins over fields', code: 0x10, result: 'PROTO_TLV_TRUNCATED',
    bytes: [
      '8006742d30303031', // TERMINAL_ID = "t-0001" (bad value)
      '8a05', // a TLV whose value runs past the body
    ],
  },
  {
    name: 'duplicate wins over its value', code: 0x10, result: 'PROTO_TLV_DUPLICATE_TAG',
    bytes: [
      '8006742d30303031', // TERMINAL_ID = "t-0001"
      '8006742d30303031', // TERMINAL_ID again
      '84080123456789abcdef', // MEDIUM_ID
    ],
  },
  {
    name: 'layout order: missing STATUS before a repeated HOST_MAC', code: 0x23, result: 'PROTO_TLV_MISSING_TAG',
    bytes: [
      '871003030303030303030303030303030303', // TRANSACTION_ID
      '8c020000', // RESULT_CODE = 0 (STATUS absent)
      '910401020304', // HOST_MAC
      '910401020304', // HOST_MAC again
    ],
  },
  {
    name: 'empty body of a message without fields', code: 0x11, result: 'ok',
    bytes: [
      '', // VALIDITY_ACK: no TLVs
    ],
  },
  {
    name: 'a field in a message without fields', code: 0x11, result: 'PROTO_TLV_UNKNOWN_TAG',
    bytes: [
      '850101', // REASON: not defined for VALIDITY_ACK
    ],
  },
  {
    name: 'AUTH naming protocol versions 1-2 (version 2 terminal)', code: 0x03, result: 'ok',
    bytes: [
      '82208f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f', // PROOF
      'df01020002', // HANDSHAKE_VERSION = 2 (private class: a version-1 center skips it)
      'df02020001', // HANDSHAKE_VERSION_MIN = 1
    ],
  },
  {
    name: 'AUTH_OK choosing protocol version 2', code: 0x04, result: 'ok',
    bytes: [
      '82208f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f', // PROOF
      'df01020002', // HANDSHAKE_VERSION = 2
    ],
  },
  {
    name: 'AUTH version minimum above its maximum', code: 0x03, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '82208f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f', // PROOF
      'df01020002', // HANDSHAKE_VERSION = 2
      'df02020003', // HANDSHAKE_VERSION_MIN = 3
    ],
  },
  {
    name: 'AUTH version minimum without a maximum', code: 0x03, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '82208f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f', // PROOF
      'df02020001', // HANDSHAKE_VERSION_MIN = 1 (HANDSHAKE_VERSION absent)
    ],
  },
  {
    name: 'AUTH protocol version 0', code: 0x03, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '82208f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f', // PROOF
      'df01020000', // HANDSHAKE_VERSION = 0
    ],
  },
  {
    name: 'AUTH protocol version of one byte', code: 0x03, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '82208f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f', // PROOF
      'df010102', // HANDSHAKE_VERSION, 1 byte
    ],
  },
  {
    name: 'AUTH protocol version twice', code: 0x03, result: 'PROTO_TLV_DUPLICATE_TAG',
    bytes: [
      '82208f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f', // PROOF
      'df01020002', // HANDSHAKE_VERSION = 2
      'df01020001', // HANDSHAKE_VERSION again
    ],
  },
  {
    name: 'TERMINAL_STATUS without devices', code: 0x0a, result: 'ok',
    bytes: [
      '9f2b05302e342e30', // SOFTWARE_VERSION = "0.4.0"
      '9f2c020002', // PROTOCOL_VERSION = 2
    ],
  },
  {
    name: 'TERMINAL_STATUS device kind twice', code: 0x0a, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '9f2b05302e342e30', // SOFTWARE_VERSION = "0.4.0"
      '9f2c020002', // PROTOCOL_VERSION = 2
      'a508', // DEVICE
      '9f2d0102', //   DEVICE_KIND = 2 SCANNER
      '9f2e0100', //   DEVICE_STATE = 0 ONLINE
      'a508', // DEVICE
      '9f2d0102', //   DEVICE_KIND = 2 SCANNER again
      '9f2e0101', //   DEVICE_STATE = 1 OFFLINE
    ],
  },
  {
    name: 'TERMINAL_STATUS unknown device state', code: 0x0a, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '9f2b05302e342e30', // SOFTWARE_VERSION = "0.4.0"
      '9f2c020002', // PROTOCOL_VERSION = 2
      'a508', // DEVICE
      '9f2d0101', //   DEVICE_KIND = 1 READER
      '9f2e0109', //   DEVICE_STATE = 9: not in DEVICE_STATE
    ],
  },
  {
    name: 'TERMINAL_STATUS device reason in lower case', code: 0x0a, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '9f2b05302e342e30', // SOFTWARE_VERSION = "0.4.0"
      '9f2c020002', // PROTOCOL_VERSION = 2
      'a50e', // DEVICE
      '9f2d0102', //   DEVICE_KIND = 2 SCANNER
      '9f2e0101', //   DEVICE_STATE = 1 OFFLINE
      '9f2f03676f6e', //   DEVICE_REASON = "gon"
    ],
  },
  {
    name: 'TERMINAL_STATUS software version above 32 bytes', code: 0x0a, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '9f2b21313131313131313131313131313131313131313131313131313131313131313131', // SOFTWARE_VERSION, 33 bytes
      '9f2c020002', // PROTOCOL_VERSION = 2
    ],
  },
  {
    name: 'TERMINAL_STATUS unknown tag inside DEVICE', code: 0x0a, result: 'PROTO_TLV_UNKNOWN_TAG',
    bytes: [
      '9f2b05302e342e30', // SOFTWARE_VERSION = "0.4.0"
      '9f2c020002', // PROTOCOL_VERSION = 2
      'a50b', // DEVICE
      '9f2d0101', //   DEVICE_KIND = 1 READER
      '9f2e0100', //   DEVICE_STATE = 0 ONLINE
      '850101', //   REASON: not defined inside DEVICE
    ],
  },
  {
    name: 'TERMINAL_STATUS with 9 devices', code: 0x0a, result: 'PROTO_TLV_TOO_MANY',
    bytes: [
      '9f2b05302e342e30', // SOFTWARE_VERSION = "0.4.0"
      '9f2c020002', // PROTOCOL_VERSION = 2
      'a508', // DEVICE
      '9f2d0101', //   DEVICE_KIND = 1
      '9f2e0100', //   DEVICE_STATE = 0
      'a508', // DEVICE
      '9f2d0101', //   DEVICE_KIND = 1
      '9f2e0100', //   DEVICE_STATE = 0
      'a508', // DEVICE
      '9f2d0101', //   DEVICE_KIND = 1
      '9f2e0100', //   DEVICE_STATE = 0
      'a508', // DEVICE
      '9f2d0101', //   DEVICE_KIND = 1
      '9f2e0100', //   DEVICE_STATE = 0
      'a508', // DEVICE
      '9f2d0101', //   DEVICE_KIND = 1
      '9f2e0100', //   DEVICE_STATE = 0
      'a508', // DEVICE
      '9f2d0101', //   DEVICE_KIND = 1
      '9f2e0100', //   DEVICE_STATE = 0
      'a508', // DEVICE
      '9f2d0101', //   DEVICE_KIND = 1
      '9f2e0100', //   DEVICE_STATE = 0
      'a508', // DEVICE
      '9f2d0101', //   DEVICE_KIND = 1
      '9f2e0100', //   DEVICE_STATE = 0
      'a508', // DEVICE
      '9f2d0101', //   DEVICE_KIND = 1
      '9f2e0100', //   DEVICE_STATE = 0
    ],
  },
  {
    name: 'PASSWORD_SALE_REQUEST with neither PASSWORD nor PASSWORD_QR', code: 0x44, result: 'PROTO_TLV_MISSING_TAG',
    bytes: [
      '871016161616161616161616161616161616', // TRANSACTION_ID
      '890800000000000004b0', // AMOUNT_MINOR = 1200
      '8a034a5059', // CURRENCY = "JPY"
    ],
  },
  {
    name: 'PASSWORD_SALE_REQUEST with both PASSWORD and PASSWORD_QR', code: 0x44, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '871016161616161616161616161616161616', // TRANSACTION_ID
      '890800000000000004b0', // AMOUNT_MINOR = 1200
      '8a034a5059', // CURRENCY = "JPY"
      '9d1034393231303833333135373730363432', // PASSWORD = "4921083315770642"
      '9f4009545051313a41494148', // PASSWORD_QR = "TPQ1:AIAH"
    ],
  },
  {
    name: 'PASSWORD_SALE_REQUEST goods class in lower case', code: 0x44, result: 'PROTO_TLV_BAD_VALUE',
    bytes: [
      '871016161616161616161616161616161616', // TRANSACTION_ID
      '890800000000000004b0', // AMOUNT_MINOR = 1200
      '8a034a5059', // CURRENCY = "JPY"
      '9d1034393231303833333135373730363432', // PASSWORD = "4921083315770642"
      '9f2603623031', // GOODS_CLASS = "b01"
    ],
  },
];
