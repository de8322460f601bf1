// The cross-implementation vectors (tests/vectors/pingyi-v1.json, written by the C++
// pingyi-vectors) as the verifier's tests read them: the chain's lines and signed heads, and the
// seeds and secrets that let a test make new records as the server, a tablet or a trustee would.
import { readVectorFile } from '../support/vector-file';

export interface VectorChainEntry {
  line: string;
  hash: string;
  head_sig: string;
}

export interface Vectors {
  session: {
    server_key_seed: string;
    server_key: string;
    token_key: { seed: string; info: string; sk: string; pk: string };
    session_id: string;
  };
  trustees: {
    server_x: string;
    server_key: string;
    scrutineers: { id: string; x: string; key: string }[];
    election_key: string;
  };
  check_ins: { member: string; device_seed: string; device_key: string; sig: string }[];
  rounds: {
    round: number;
    contests: { id: string; options: number; min: number; max: number }[];
    tokens: { member: string; ephemeral_seed: string; vk: string }[];
    ballots: { member: string; choices: number[][] }[];
    closed_hash: string;
    comparison_code: string;
    counts: { id: string; counts: number[] }[];
  }[];
  invalid: {
    points: { hex: string; error: string }[];
    scalars: { hex: string; error: string }[];
    ballots: { defect: string; cast: unknown; error: string; field: string }[];
  };
  chain: VectorChainEntry[];
}

export const vectors = readVectorFile('pingyi-v1.json') as Vectors;

export function vectorLines(): string[] {
  return vectors.chain.map((e) => e.line);
}
