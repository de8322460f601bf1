// The projector's layout arithmetic: which layout a window gets, how large the results' type
// is for the rows of a page, and the search for the largest type that fits.
import { describe, expect, it } from 'vitest';
import {
  CARDS_BELOW_WIDTH_PX,
  HEAD_EM,
  MAX_ROW_EM,
  STACK_GAIN,
  TABLE_VARIANTS,
  WRAP_GAIN,
  bestSetting,
  fitRows,
  fitsIn,
  largestFitting,
  rowHeightPx,
  screenLayout,
  typeBounds,
  type TableVariant,
} from '../../../src/pages/projector/fit';

describe('screenLayout', () => {
  it.each([
    [1920, 1080, false, false],
    [1280, 720, false, false],
    [1024, 768, false, false],
    [800, 1280, true, true],
    [400, 640, true, true],
    [960, 540, true, true], // 1920×1080 at 200% zoom
    [1280, 560, false, true],
  ])('%i×%i: cards %s, flowing %s', (width, height, cards, flowing) => {
    expect(screenLayout(width, height)).toEqual({ cards, flowing });
  });

  it('turns to cards exactly below the breakpoint', () => {
    expect(screenLayout(CARDS_BELOW_WIDTH_PX - 1, 1000).cards).toBe(true);
    expect(screenLayout(CARDS_BELOW_WIDTH_PX, 1000).cards).toBe(false);
  });

  it('refuses a size that is not one', () => {
    expect(() => screenLayout(Number.NaN, 1080)).toThrow(RangeError);
    expect(() => screenLayout(1920, -1)).toThrow(RangeError);
  });
});

describe('typeBounds', () => {
  it('scales with the height of the wall', () => {
    expect(typeBounds(1080)).toEqual({ minPx: 26, maxPx: 86 });
    expect(typeBounds(720)).toEqual({ minPx: 17, maxPx: 58 });
  });

  it('never goes below 16 px, and the largest is never below the smallest', () => {
    const small = typeBounds(200);
    expect(small.minPx).toBe(16);
    expect(small.maxPx).toBe(16);
  });

  it('refuses a height that is not one', () => {
    expect(() => typeBounds(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('rowHeightPx', () => {
  it('shares the body height among the rows', () => {
    expect(rowHeightPx(600, 12, 30)).toBe(50);
  });

  it('spreads few rows no further than MAX_ROW_EM of the type', () => {
    expect(rowHeightPx(600, 2, 40)).toBe(Math.floor(MAX_ROW_EM * 40));
  });

  it('is never negative', () => {
    expect(rowHeightPx(-20, 3, 30)).toBe(0);
  });

  it('refuses a page of no rows', () => {
    expect(() => rowHeightPx(600, 0, 30)).toThrow(RangeError);
    expect(() => rowHeightPx(600, 2.5, 30)).toThrow(RangeError);
  });
});

describe('fitRows', () => {
  // What a 1920×1080 wall leaves for the table under the headings, header and footer.
  const available = 645;
  const bounds = typeBounds(1080);

  it('sets two targets large and twelve still within the height', () => {
    const two = fitRows(available, 2, bounds);
    const twelve = fitRows(available, 12, bounds);
    expect(two.fontPx).toBe(bounds.maxPx);
    expect(twelve.fontPx).toBeGreaterThanOrEqual(bounds.minPx);
    expect(twelve.fontPx).toBeLessThan(two.fontPx);
    for (const [fit, rows] of [
      [two, 2],
      [twelve, 12],
    ] as const) {
      expect(HEAD_EM * fit.fontPx + rows * fit.rowPx).toBeLessThanOrEqual(available);
    }
  });

  it('never sets more rows in larger type', () => {
    let previous = Number.POSITIVE_INFINITY;
    for (let rows = 1; rows <= 20; rows++) {
      const { fontPx } = fitRows(available, rows, bounds);
      expect(fontPx).toBeLessThanOrEqual(previous);
      previous = fontPx;
    }
  });

  it('stays within the bounds when the rows do not fit (the page is then measured and paged)', () => {
    expect(fitRows(200, 12, bounds).fontPx).toBe(bounds.minPx);
  });

  it('refuses a page of no rows', () => {
    expect(() => fitRows(available, 0, bounds)).toThrow(RangeError);
  });
});

describe('fitsIn', () => {
  it('allows half a pixel of rounding, no more', () => {
    expect(fitsIn({ width: 100.5, height: 50 }, { width: 100, height: 50 })).toBe(true);
    expect(fitsIn({ width: 101, height: 50 }, { width: 100, height: 50 })).toBe(false);
    expect(fitsIn({ width: 100, height: 51 }, { width: 100, height: 50 })).toBe(false);
  });

  it('refuses a size that is not one', () => {
    expect(() => fitsIn({ width: Number.NaN, height: 0 }, { width: 100, height: 50 })).toThrow(RangeError);
  });
});

describe('largestFitting', () => {
  // A table that fits up to `limit` px, counting how often it was measured.
  const table = (limit: number) => {
    const probes: number[] = [];
    return { probes, fits: (px: number) => (probes.push(px), px <= limit) };
  };

  it('takes the largest when it fits, measuring once', () => {
    const t = table(100);
    expect(largestFitting(26, 86, t.fits)).toBe(86);
    expect(t.probes).toEqual([86]);
  });

  it('finds the largest fitting size by halving the range', () => {
    for (let limit = 26; limit < 86; limit++) {
      const t = table(limit);
      expect(largestFitting(26, 86, t.fits)).toBe(limit);
      expect(t.probes.length).toBeLessThanOrEqual(2 + Math.ceil(Math.log2(86 - 26)));
    }
  });

  it('is null when not even the smallest fits', () => {
    expect(largestFitting(26, 86, table(20).fits)).toBeNull();
    expect(largestFitting(30, 30, table(29).fits)).toBeNull();
    expect(largestFitting(30, 30, table(30).fits)).toBe(30);
  });

  it('refuses bounds that are not a range of whole pixels', () => {
    expect(() => largestFitting(40, 30, () => true)).toThrow(RangeError);
    expect(() => largestFitting(0, 30, () => true)).toThrow(RangeError);
    expect(() => largestFitting(20.5, 30, () => true)).toThrow(RangeError);
  });
});

describe('bestSetting', () => {
  // The largest fitting type of each variant, as a wall would measure it, and which were measured.
  const measured = (sizes: [number | null, number | null, number | null, number | null]) => {
    const asked: TableVariant[] = [];
    const largest = (v: TableVariant) => {
      asked.push(v);
      return sizes[TABLE_VARIANTS.findIndex((t) => t.stackBars === v.stackBars && t.wrapNames === v.wrapNames)]!;
    };
    return { asked, largest };
  };

  it('keeps the plain table when it fits at the largest type, measuring nothing else', () => {
    const m = measured([60, 60, 60, 60]);
    expect(bestSetting(60, m.largest)).toEqual({ fontPx: 60, stackBars: false, wrapNames: false });
    expect(m.asked).toHaveLength(1);
  });

  it('stacks the bars only when that makes the type larger by STACK_GAIN', () => {
    expect(bestSetting(86, measured([44, 46, null, null]).largest)).toEqual({ fontPx: 44, stackBars: false, wrapNames: false });
    expect(bestSetting(86, measured([44, Math.ceil(44 * STACK_GAIN) + 1, null, null]).largest)).toMatchObject({ stackBars: true, wrapNames: false });
  });

  it('wraps names only when that makes the type larger by WRAP_GAIN', () => {
    expect(bestSetting(86, measured([40, null, 48, null]).largest)).toMatchObject({ fontPx: 40, wrapNames: false });
    expect(bestSetting(86, measured([40, null, 51, null]).largest)).toEqual({ fontPx: 51, stackBars: false, wrapNames: true });
  });

  it('does not measure a variant that could not win even at the starting size', () => {
    const m = measured([50, 55, 60, 62]);
    // 50 / 1.25 < 55 / 1.05: after the stacked bars at 55 (52.4 discounted), wrapping names
    // could at best reach 60 / 1.25 = 48.
    expect(bestSetting(60, m.largest)).toEqual({ fontPx: 55, stackBars: true, wrapNames: false });
    expect(m.asked).toHaveLength(2);
  });

  it('takes whichever fits when only one does, and is null when none does', () => {
    expect(bestSetting(40, measured([null, null, null, 20]).largest)).toEqual({ fontPx: 20, stackBars: true, wrapNames: true });
    expect(bestSetting(40, measured([null, null, null, null]).largest)).toBeNull();
  });

  it('prefers the plain table, then stacked bars, then wrapped names, on a tie', () => {
    // 42 / 1.05 = 50 / 1.25 = 40: all three are worth the same.
    expect(bestSetting(86, measured([40, 42, 50, null]).largest)).toEqual({ fontPx: 40, stackBars: false, wrapNames: false });
    expect(bestSetting(86, measured([null, 42, 50, null]).largest)).toEqual({ fontPx: 42, stackBars: true, wrapNames: false });
  });
});
