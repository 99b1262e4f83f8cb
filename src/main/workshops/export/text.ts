/** Small text helpers shared by the export formats. */

/** A file name from the title: ASCII letters, digits and '-', so it is safe on every file system and in a URL. */
export function slugOf(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // "Zürich" → "Zurich" rather than "Z-rich"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return slug || 'workshop';
}

/** Two-digit step numbers, so the files sort in the workshop's order. */
export function stepNumber(index: number): string {
  return String(index + 1).padStart(2, '0');
}

/** The day of an epoch-ms instant, YYYY-MM-DD (UTC, so the same workshop prints the same everywhere). */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isoMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}
