// Global setup for the real PostgreSQL server used by the storage contract suite.
// Owned by the storage work (issue 3); starts nothing yet.
export default async function setup(): Promise<void> {}
