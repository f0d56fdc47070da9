/**
 * The center's modules, in one list: what `tessera center` runs (each
 * module's config section, migrations, flows and checks; center/server/module.ts).
 * A new capability is a folder under center/ with a module.ts, added here.
 */
import { cashModule } from './cash/module.js';
import { emoneyModule } from './emoney/module.js';
import { merchantApiModule } from './merchant-api/module.js';
import { prepaidModule } from './prepaid/module.js';
import type { CenterMetrics } from './metrics/center-metrics.js';
import { passwordsModule } from './passwords/module.js';
import type { AnyCenterModule } from './server/module.js';
import { validityModule } from './validity/module.js';
import { hqLinkModule } from './voucher/hq-link-module.js';
import { voucherModule } from './voucher/module.js';

export const CENTER_MODULES: readonly AnyCenterModule[] = centerModules();

/** The list with its instruments (the CLI passes its CenterMetrics, so each module feeds its own metrics). */
export function centerModules(o: { metrics?: CenterMetrics } = {}): readonly AnyCenterModule[] {
  const metrics = o.metrics ? { metrics: o.metrics } : {};
  return [validityModule(metrics), cashModule, emoneyModule(metrics), merchantApiModule(), voucherModule(), passwordsModule(), prepaidModule(), hqLinkModule()];
}
