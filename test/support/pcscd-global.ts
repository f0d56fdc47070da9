// Vitest globalSetup slot for the devices workstream. Deliberately empty:
// every test file that needs PC/SC starts its own pcscd (test/support/pcscd.ts)
// in a private mount namespace with its own vpcd ports, because libpcsclite
// reads PCSCLITE_CSOCK_NAME once per process and one shared daemon would let
// test files see each other's readers and cards.
export default async function setup(): Promise<void> {}
