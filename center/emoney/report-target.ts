import { withInstalledModule } from '../storage/with-module.js';
import { emoneyReport, type EmoneyReport } from './reports.js';

/**
 * The e-money settlement report of a center database (SQLite path or
 * postgres:// URL). Refuses a missing SQLite file and a database without the
 * e-money module (CENTER_NO_EMONEY) rather than creating either.
 */
export function reportDatabase(target: string): Promise<EmoneyReport> {
  return withInstalledModule(target, 'emoney', 'CENTER_NO_EMONEY', emoneyReport);
}
