import type { Command } from 'commander';

// Placeholder until the owning issue fills it in.
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('demo (not built yet)')
    .action(() => {
      throw Object.assign(new Error('the demo command is not built yet'), { code: 'CLI_NOT_BUILT' });
    });
}
