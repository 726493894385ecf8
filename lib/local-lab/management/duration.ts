/**
 * ISO 8601 durations as APIM reads `credentialsExpireAfter` (.NET's XmlConvert.ToTimeSpan):
 * `PnYnMnWnDTnHnMnS`, designators upper case, a fraction allowed on each number.
 * Years and months have no fixed length; .NET counts them as 365 and 30 days.
 */

const UNIT_MS: Record<string, number> = {
  Y: 365 * 86_400_000,
  Mo: 30 * 86_400_000,
  W: 7 * 86_400_000,
  D: 86_400_000,
  H: 3_600_000,
  Mi: 60_000,
  S: 1000,
};

const NUMBER = "(\\d+(?:[.,]\\d+)?)";
const PATTERN = new RegExp(
  `^P(?:${NUMBER}Y)?(?:${NUMBER}M)?(?:${NUMBER}W)?(?:${NUMBER}D)?(?:T(?:${NUMBER}H)?(?:${NUMBER}M)?(?:${NUMBER}S)?)?$`,
);

/**
 * Milliseconds, or undefined when the text is not an ISO 8601 duration. Not rounded: a
 * duration a fraction over a limit (`PT3600.0001S` against PT1H) compares as over it.
 */
export function parseIsoDuration(text: string): number | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1);
  if (parts.every((p) => p === undefined)) return undefined; // "P" or "PT" alone
  if (text.includes("T") && parts.slice(4).every((p) => p === undefined)) return undefined; // "P1DT"
  const units = ["Y", "Mo", "W", "D", "H", "Mi", "S"];
  let ms = 0;
  parts.forEach((p, i) => {
    if (p !== undefined) ms += Number(p.replace(",", ".")) * UNIT_MS[units[i]];
  });
  return ms;
}
