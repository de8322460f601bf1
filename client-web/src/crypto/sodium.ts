// libsodium.js, loaded once. Every function of src/crypto is synchronous and reads the ready
// instance through sodium(), so the one asynchronous step (instantiating the WebAssembly) is
// awaited once at start-up, in the page and in each Web Worker.
import libsodium from 'libsodium-wrappers-sumo';

export type Sodium = typeof libsodium;

let instance: Sodium | null = null;
let loading: Promise<void> | null = null;

export async function sodiumReady(): Promise<void> {
  if (instance !== null) return;
  if (loading === null) {
    loading = libsodium.ready.then(() => {
      instance = libsodium;
    });
  }
  await loading;
}

export function sodium(): Sodium {
  if (instance === null) throw new Error('libsodium is not ready: await sodiumReady() first');
  return instance;
}
