/** Milliseconds as the lab prints them everywhere: whole numbers, right-aligned. */
export function formatMs(ms: number, width = 6): string {
  return `${Math.round(ms)}`.padStart(width) + " ms";
}
