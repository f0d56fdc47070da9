import type { Command } from 'commander';

// Placeholder until the owning issue fills it in.
export function registerCenter(program: Command): void {
  program
    .command('center')
    .description('center (not built yet)')
    .action(() => {
      throw Object.assign(new Error('the center command is not built yet'), { code: 'CLI_NOT_BUILT' });
    });
}
