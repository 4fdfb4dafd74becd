/**
 * The string tables and a tiny lookup. Pure TypeScript: no DOM, so the main process and tests
 * can use it too.
 */
import type { LocaleCode } from '../contract/api.js';
import { en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export type { MessageKey } from './en.js';
export type { LocaleCode } from '../contract/api.js';

/** Values substituted for `{name}` placeholders. */
export type MessageParams = Readonly<Record<string, string | number>>;

const tables: Record<LocaleCode, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

/** Every supported locale with its name written in that language, for the language switch. */
export const locales: ReadonlyArray<{ code: LocaleCode; name: string }> = [
  { code: 'en', name: 'English' },
  { code: 'zh-CN', name: '简体中文' },
];

/** The string for `key` in `locale`, with `{name}` placeholders filled from `params`. */
export function t(locale: LocaleCode, key: MessageKey, params?: MessageParams): string {
  const template = tables[locale][key] ?? en[key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/**
 * Like `t`, for a count: uses the `<key>.one` form when `n` is 1 and the table has one.
 * `n` is available to the template as `{n}`.
 */
export function tn(locale: LocaleCode, key: MessageKey, n: number, params?: MessageParams): string {
  const one = `${key}.one`;
  const chosen = n === 1 && isMessageKey(one) ? one : key;
  return t(locale, chosen, { ...params, n });
}

/** The locale to start in for a system locale such as `zh-Hans-CN`, `zh_TW` or `en-GB`: any Chinese → zh-CN. */
export function localeFromSystem(systemLocale: string | null | undefined): LocaleCode {
  return /^zh/i.test(systemLocale?.trim() ?? '') ? 'zh-CN' : 'en';
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}
