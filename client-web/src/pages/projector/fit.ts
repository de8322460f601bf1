// How the results are set for the screen they are on: a hall's wall (one screen, no scrolling,
// type as large as the rows on the page allow) or a narrow or short window (a tablet, 200% zoom:
// cards that flow and scroll vertically). Pure arithmetic on sizes, so that it is tested without
// a browser; view.ts measures and applies it.

/** Narrower than this (CSS px), a row of rank, name, every option, 满意率, 等次 and 结果 no longer
 *  fits at a readable size: each target becomes a card. */
export const CARDS_BELOW_WIDTH_PX = 1000;
/** Shorter than this, a results page would hold two or three rows: the page flows instead. */
export const FLOW_BELOW_HEIGHT_PX = 600;

export interface ScreenLayout {
  /** One card per target instead of a table row. */
  cards: boolean;
  /** The page scrolls vertically with every target on it, instead of being fitted to one
   *  screen and paged: a page that both scrolls and turns by itself cannot be read. */
  flowing: boolean;
}

function checkSize(px: number, what: string): void {
  if (!Number.isFinite(px) || px < 0) throw new RangeError(`${what}: ${px} is not a size`);
}

export function screenLayout(widthPx: number, heightPx: number): ScreenLayout {
  checkSize(widthPx, 'width');
  checkSize(heightPx, 'height');
  const cards = widthPx < CARDS_BELOW_WIDTH_PX;
  return { cards, flowing: cards || heightPx < FLOW_BELOW_HEIGHT_PX };
}

/** A table row's height in ems at its tightest (line height 1.25, padding, rule), and the most a
 *  row is spread to when there are few: past that the rows look scattered, not larger. */
export const ROW_EM = 1.6;
export const MAX_ROW_EM = 2.4;
/** The column headings' row, in ems of the table's type (set at 0.6em, see projector.css). */
export const HEAD_EM = 1.0;

export interface TypeBounds {
  minPx: number;
  maxPx: number;
}

/** The results' type on a wall of this height: never below 2.4% of it (26 px at 1080, what the
 *  back row still reads) nor 16 px; never above 8% (86 px at 1080), where two targets already
 *  fill the width. */
export function typeBounds(viewportHeightPx: number): TypeBounds {
  checkSize(viewportHeightPx, 'viewport height');
  const minPx = Math.max(16, Math.round(viewportHeightPx * 0.024));
  return { minPx, maxPx: Math.max(minPx, Math.round(viewportHeightPx * 0.08)) };
}

/** The height of a body row: the rows share the height left under the column headings
 *  (`bodyHeightPx`), up to MAX_ROW_EM of the type. */
export function rowHeightPx(bodyHeightPx: number, rows: number, fontPx: number): number {
  if (!Number.isFinite(bodyHeightPx)) throw new RangeError(`body height: ${bodyHeightPx} is not a size`);
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`rows: ${rows} is not a positive integer`);
  return Math.max(0, Math.floor(Math.min(bodyHeightPx / rows, MAX_ROW_EM * fontPx)));
}

export interface RowFit {
  fontPx: number;
  rowPx: number;
}

/** The first guess for a page of `rows` rows (the most any page of the round has, so that every
 *  page is set the same) in `availableHeightPx`: the largest type whose rows all fit, within the
 *  bounds. view.ts then measures, since a long name may wrap, and shrinks with shrinkToFit. */
export function fitRows(availableHeightPx: number, rows: number, bounds: TypeBounds): RowFit {
  checkSize(availableHeightPx, 'available height');
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`rows: ${rows} is not a positive integer`);
  const ideal = availableHeightPx / (rows * ROW_EM + HEAD_EM);
  const fontPx = Math.floor(Math.min(bounds.maxPx, Math.max(bounds.minPx, ideal)));
  return { fontPx, rowPx: rowHeightPx(availableHeightPx - HEAD_EM * fontPx, rows, fontPx) };
}

export interface Size {
  width: number;
  height: number;
}

/** Whether a table measured at `needed` fits `available`; half a pixel is rounding, not overflow. */
export function fitsIn(needed: Size, available: Size): boolean {
  for (const [v, what] of [
    [needed.width, 'needed width'],
    [needed.height, 'needed height'],
    [available.width, 'available width'],
    [available.height, 'available height'],
  ] as const) {
    checkSize(v, what);
  }
  return needed.width <= available.width + 0.5 && needed.height <= available.height + 0.5;
}

/** The largest type in [minPx, maxPx] whose table fits, by `fits(fontPx)` (which sets the table
 *  at that size and measures it), or null when not even minPx fits (fewer rows a page, then).
 *  Tries maxPx first, since the first guess (fitRows) usually fits; otherwise halves the range,
 *  because a name that wraps makes the height jump, so no proportion predicts the next size. */
export function largestFitting(minPx: number, maxPx: number, fits: (fontPx: number) => boolean): number | null {
  if (!Number.isInteger(minPx) || !Number.isInteger(maxPx) || minPx < 1 || maxPx < minPx) {
    throw new RangeError(`type bounds ${minPx}..${maxPx} are not a range of whole pixels`);
  }
  if (fits(maxPx)) return maxPx;
  if (maxPx === minPx || !fits(minPx)) return null;
  // fits(lo) holds and fits(hi) does not; both narrow until adjacent.
  let lo = minPx;
  let hi = maxPx;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Ways to set the same table narrower, for a wall where it is too wide at the type its height
 *  allows (few rows): each option's bar under its count instead of beside it, and names on two
 *  lines. Each is worth taking only when it makes the type at least this much larger: a bar
 *  beside its count reads more easily, and a name broken anywhere reads worse than a smaller one. */
export const STACK_GAIN = 1.05;
export const WRAP_GAIN = 1.25;

export interface TableVariant {
  stackBars: boolean;
  wrapNames: boolean;
}

export interface TableSetting extends TableVariant {
  fontPx: number;
}

/** In order of preference. */
export const TABLE_VARIANTS: readonly TableVariant[] = [
  { stackBars: false, wrapNames: false },
  { stackBars: true, wrapNames: false },
  { stackBars: false, wrapNames: true },
  { stackBars: true, wrapNames: true },
];

function gainOf(v: TableVariant): number {
  return (v.stackBars ? STACK_GAIN : 1) * (v.wrapNames ? WRAP_GAIN : 1);
}

/** The best way to set the table: the variant whose largest fitting type (`largest(v)`, searched
 *  up to `startPx`; null when it does not fit at all), discounted by its gain, is the largest;
 *  ties go to the earlier variant. A variant that could not win even at `startPx` is not
 *  measured. Null when no variant fits (fewer rows a page, then). */
export function bestSetting(startPx: number, largest: (v: TableVariant) => number | null): TableSetting | null {
  let best: TableSetting | null = null;
  let bestScore = 0;
  for (const variant of TABLE_VARIANTS) {
    const gain = gainOf(variant);
    if (startPx / gain <= bestScore) continue;
    const fontPx = largest(variant);
    if (fontPx === null || fontPx / gain <= bestScore) continue;
    best = { fontPx, ...variant };
    bestScore = fontPx / gain;
  }
  return best;
}
