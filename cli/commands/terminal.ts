import type { Command } from 'commander';

// Placeholder until the owning issue fills it in.
export function registerTerminal(program: Command): void {
  program
    .command('terminal')
    .description('terminal (not built yet)')
    .action(() => {
      throw Object.assign(new Error('the terminal command is not built yet'), { code: 'CLI_NOT_BUILT' });
    });
}
