// What the browser tests read from the public chain to know what the pages must show: the
// records, their hashes, the short codes people read (DESIGN.md §3.4, §3.6) and the results
// that the votes cast must give (§3.7). Written independently of src/ so that a bug shared by
// the pages and the client's own modules is not hidden by reusing them.

import { createHash } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function sha256(line) {
  return createHash('sha256').update(line, 'utf8').digest();
}

// Big-endian bit stream, five bits a character (5 bytes → 8 characters, 10 → 16).
function crockford(bytes) {
  let out = '';
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  const bits = bytes.length * 8;
  for (let shift = bits - 5; shift >= 0; shift -= 5) out += CROCKFORD[Number((value >> BigInt(shift)) & 31n)];
  return out;
}

const groups = (s) => s.match(/.{4}/g).join('-');

/** §3.6: the first 5 bytes of a ballot record's hash, XXXX-XXXX. */
export function receiptCode(line) {
  return groups(crockford(sha256(line).subarray(0, 5)));
}

/** §3.4: the first 10 bytes of round_closed's hash, XXXX-XXXX-XXXX-XXXX. */
export function comparisonCode(line) {
  return groups(crockford(sha256(line).subarray(0, 10)));
}

export function parseChain(lines) {
  return lines.map((line) => ({ line, record: JSON.parse(line) }));
}

export function recordsOf(chain, type, predicate = () => true) {
  return chain.filter((e) => e.record.type === type && predicate(e.record));
}

export function only(chain, type, predicate) {
  const found = recordsOf(chain, type, predicate);
  if (found.length !== 1) throw new Error(`expected exactly one ${type} record, found ${found.length}`);
  return found[0];
}

// §3.7 defaults, applied key by key as the rule on the chain may leave any out.
function evaluationRule(rule, options) {
  return {
    pass_grades: rule.pass_grades ?? 2,
    weights: rule.weights ?? (options === 3 ? [100, 60, 0] : null),
  };
}

function motionRule(rule) {
  return { base: rule.base ?? 'members', num: rule.num ?? 1, den: rule.den ?? 2, inclusive: rule.inclusive ?? false };
}

/** Counts per contest and option from the choices each voter was told to make. */
export function tally(contests, choicesByVoter) {
  const counts = contests.map((c) => c.options.map(() => 0));
  for (const choices of choicesByVoter) {
    choices.forEach((option, k) => {
      counts[k][option] += 1;
    });
  }
  return counts;
}

/** DESIGN.md §3.7 for an evaluation round: grade, passed, rate_bp, score_x100, rank; integers only. */
export function evaluationResults(roundRecord, counts, ballots) {
  const options = roundRecord.contests[0].options.length;
  const { pass_grades: passGrades, weights } = evaluationRule(roundRecord.rule, options);
  const results = roundRecord.contests.map((contest, k) => {
    const c = counts[k];
    let grade = null;
    let running = 0;
    for (let g = 0; g < c.length; g++) {
      running += c[g];
      if (running * 2 > ballots) {
        grade = g;
        break;
      }
    }
    const passing = c.slice(0, passGrades).reduce((a, b) => a + b, 0);
    const rateBp = ballots === 0 ? null : Math.floor((10000 * passing) / ballots);
    const weighted = weights ? c.reduce((sum, n, i) => sum + weights[i] * n, 0) : null;
    const scoreX100 = weights && ballots > 0 ? Math.floor((100 * weighted) / ballots) : null;
    return {
      id: contest.id,
      counts: c,
      grade,
      gradeLabel: grade === null ? '' : contest.options[grade],
      passed: grade !== null && grade < passGrades,
      rate_bp: rateBp,
      score_x100: scoreX100,
    };
  });
  const key = (r) => (weights ? r.score_x100 : r.rate_bp);
  for (const r of results) {
    r.rank = key(r) === null ? null : 1 + results.filter((o) => key(o) !== null && key(o) > key(r)).length;
  }
  return results;
}

/** DESIGN.md §3.7 for a motion round: passed when 赞成·den > base·num (≥ when inclusive). */
export function motionResults(roundRecord, counts, { members, present, ballots }) {
  const rule = motionRule(roundRecord.rule);
  const base = { members, present, ballots }[rule.base];
  return roundRecord.contests.map((contest, k) => {
    const yes = counts[k][0] * rule.den;
    const bar = base * rule.num;
    return { id: contest.id, counts: counts[k], passed: rule.inclusive ? yes >= bar : yes > bar };
  });
}
