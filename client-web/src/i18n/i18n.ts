// Chinese (zh-CN) by default, English on request. Each page keeps its own dictionary, defined
// with `defineStrings`, whose type makes the English one complete: a key missing in either
// language does not compile.

export type Lang = 'zh' | 'en';

const STORAGE_KEY = 'pingyi.lang';
const listeners = new Set<(lang: Lang) => void>();

function storedLang(): Lang {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (v === 'en' || v === 'zh') return v;
  } catch {
    // Storage may be unavailable (private mode, node tests): the default applies.
  }
  return 'zh';
}

let current: Lang = storedLang();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  if (lang === current) return;
  current = lang;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered across reloads; the switch still applies to this page.
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const listener of listeners) listener(lang);
}

/** Called after every language switch; returns the unsubscribe function. */
export function onLangChange(listener: (lang: Lang) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export type Params = Record<string, string | number>;
export type Translate<K extends string> = (key: K, params?: Params) => string;

/** `{name}` in a string is replaced by params.name. */
export function format(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

export function defineStrings<const Z extends Record<string, string>>(
  zh: Z,
  en: { [K in keyof Z]: string },
): Translate<Extract<keyof Z, string>> {
  return (key, params) => format((current === 'en' ? en[key] : zh[key]) ?? String(key), params);
}
