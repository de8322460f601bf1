// The browser's cryptography (DESIGN.md §3): a second, independent implementation of crypto/
// on libsodium.js that agrees with the C++ byte for byte (tests/vectors/). Await sodiumReady()
// once; every function after that is synchronous.
export * from './ballot';
export * from './bytes';
export * from './chain';
export * from './codes';
export * from './decryption';
export * from './errors';
export * from './group';
export * from './hash';
export * from './range';
export * from './rng';
export * from './sign';
export * from './sodium';
export * from './trustee';
export * from './voprf';
