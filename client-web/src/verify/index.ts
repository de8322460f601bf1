// The browser verifier (DESIGN.md §3.6, §3.7, §6): the fold of a session's chain, the result
// rules, whole-file checks, and the client that runs the fold and the ballot proofs in Web Workers.
export * from './types';
export { ChainVerifier } from './chain-verifier';
export { computeResults } from './results';
export { verifyChainText, chainLines } from './chain-file';
export { VerifierClient, type VerifierSnapshot, type WorkerLike } from './client';
export type { RecordIn } from './protocol';
export { Refusal } from './refusal';
