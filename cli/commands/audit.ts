import type { Command } from 'commander';

// Placeholder until the owning issue fills it in.
export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('audit (not built yet)')
    .action(() => {
      throw Object.assign(new Error('the audit command is not built yet'), { code: 'CLI_NOT_BUILT' });
    });
}
