// Global setup for pcscd + vpcd used by the card-reader contract suite.
// Owned by the device work (issue 4); starts nothing yet.
export default async function setup(): Promise<void> {}
