// How a check says no inside the verifier: thrown where the check fails, caught once per record
// by the fold, which turns it into a VerifyError carrying the record's seq. The code is the C++
// catalogue's (docs/RECORDS.md), the field the path inside the record, as the C++ names it.

export class Refusal extends Error {
  readonly code: string;
  readonly field: string;

  constructor(code: string, field: string, message: string) {
    super(message);
    this.name = 'Refusal';
    this.code = code;
    this.field = field;
  }
}

export function badRequest(field: string, message: string): Refusal {
  return new Refusal('BAD_REQUEST', field, message);
}

export function forbidden(field: string, message: string): Refusal {
  return new Refusal('FORBIDDEN', field, message);
}

export function notFound(field: string, message: string): Refusal {
  return new Refusal('NOT_FOUND', field, message);
}

// "contests" + 2 → "contests[2]"; "" + "id" → "id"; "quorum" + "num" → "quorum.num".
export function indexed(base: string, i: number): string {
  return `${base}[${i}]`;
}

export function member(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}
