/** How photo facts read on screen, in the person's language. */
import type { LocaleCode } from '../../shared/i18n/index.js';

export function formatDateTime(value: string | null, locale: LocaleCode): string | null {
  if (!value) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatBytes(bytes: number, locale: LocaleCode): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

/** 0.004 → "1/250 s", 2.5 → "2.5 s". */
export function formatExposure(seconds: number | null): string | null {
  if (seconds === null || !(seconds > 0)) return null;
  if (seconds >= 0.3) return `${Math.round(seconds * 10) / 10} s`;
  return `1/${Math.round(1 / seconds)} s`;
}

export function formatAperture(fNumber: number | null): string | null {
  return fNumber === null || !(fNumber > 0) ? null : `ƒ/${Math.round(fNumber * 10) / 10}`;
}

export function formatFocalLength(mm: number | null): string | null {
  return mm === null || !(mm > 0) ? null : `${Math.round(mm * 10) / 10} mm`;
}

export function formatGps(latitude: number | null, longitude: number | null): string | null {
  if (latitude === null || longitude === null) return null;
  const lat = `${Math.abs(latitude).toFixed(5)}° ${latitude >= 0 ? 'N' : 'S'}`;
  const lon = `${Math.abs(longitude).toFixed(5)}° ${longitude >= 0 ? 'E' : 'W'}`;
  return `${lat}, ${lon}`;
}

export function formatCamera(make: string | null, model: string | null): string | null {
  if (!make && !model) return null;
  if (!make) return model;
  if (!model) return make;
  // Many cameras repeat the make in the model ("Canon" + "Canon EOS R5").
  return model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`;
}

export function formatNumber(value: number, locale: LocaleCode): string {
  return new Intl.NumberFormat(locale).format(value);
}
