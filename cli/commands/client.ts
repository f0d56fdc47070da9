import type { Command } from 'commander';

/**
 * `tessera client`: the user's PC of seed 000 (terminal/prepaid-client): the
 * medium in a removable store (mount directory), the provider center over
 * HTTPS with its pinned key. Each command prints one JSON line.
 * - `balance`: the balance the prepaid center holds (a pending generation is written first).
 * - `log`: the usage log the medium carries (no network).
 * - `pay --vendor V --amount N [--goods]` / `pay --fee`: pays a vendor, or the provider's usage fee.
 * - `resume`: finishes a payment left pending (crash, pulled medium, lost answer).
 */
export function registerClient(program: Command): void {
  const client = program.command('client').description('the user\'s PC (seed 000 prepaid media): balance, usage log, payments through the provider center');
  const withConfig = (c: Command) => c.requiredOption('-c, --config <file>', 'client config (JSON: mountDir, provider { url, spkiPin })');
  withConfig(client.command('balance').description('the balance the prepaid center holds for the medium'))
    .action(async (o: { config: string }) => (await import('./client-run.js')).clientCommand('balance', o));
  withConfig(client.command('log').description('the usage log on the medium'))
    .action(async (o: { config: string }) => (await import('./client-run.js')).clientCommand('log', o));
  withConfig(client.command('pay').description('pay a vendor (--vendor, --amount) or the provider\'s usage fee (--fee)'))
    .option('--vendor <id>', 'the vendor (1-16 of A-Z 0-9 -)')
    .option('--amount <minor>', 'amount in minor units')
    .option('--goods', 'goods, not a shareware registration')
    .option('--fee', 'pay the provider\'s usage fee')
    .action(async (o: { config: string; vendor?: string; amount?: string; goods?: boolean; fee?: boolean }) => (await import('./client-run.js')).clientCommand('pay', o));
  withConfig(client.command('resume').description('finish a payment left pending'))
    .action(async (o: { config: string }) => (await import('./client-run.js')).clientCommand('resume', o));
}
