/**
 * Loads every error registry, so operator output can print each code's
 * remedy whatever module threw it (test/cli/operator-errors.test.ts checks
 * this list against the registry files scripts/errors-doc.ts finds).
 */
import '../center/admin/errors.js';
import '../center/cash/errors.js';
import '../center/emoney/errors.js';
import '../center/fleet/errors.js';
import '../center/http/errors.js';
import '../center/hq/errors.js';
import '../center/ledger/errors.js';
import '../center/merchant-api/errors.js';
import '../center/passwords/delivery/errors.js';
import '../center/passwords/errors.js';
import '../center/provider/errors.js';
import '../center/relay/bank/errors.js';
import '../center/relay/errors.js';
import '../center/server/errors.js';
import '../center/storage/errors.js';
import '../center/validity/errors.js';
import '../center/voucher/errors.js';
import '../protocol/cashcard/errors.js';
import '../protocol/errors.js';
import '../protocol/password/errors.js';
import '../protocol/prepaid/errors.js';
import '../protocol/purse/errors.js';
import '../sim/bank/errors.js';
import '../sim/credit/errors.js';
import '../sim/demo/errors.js';
import '../sim/errors.js';
import '../sim/mailbox/errors.js';
import '../sim/phone/errors.js';
import '../sim/smsc/errors.js';
import '../sim/vendor/errors.js';
import '../sim/webshop/errors.js';
import '../terminal/agent/errors.js';
import '../terminal/devices/errors.js';
import '../terminal/prepaid-client/errors.js';
import './errors.js';
