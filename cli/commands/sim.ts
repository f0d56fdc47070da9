import type { Command } from 'commander';

// Placeholder until the owning issue fills it in.
export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('sim (not built yet)')
    .action(() => {
      throw Object.assign(new Error('the sim command is not built yet'), { code: 'CLI_NOT_BUILT' });
    });
}
