/**
 * Time as APIM writes it in a trace: `timestamp` is ISO 8601 UTC with 7 fractional
 * digits (.NET's tick resolution, 100 ns) and `elapsed` is a .NET TimeSpan in its
 * constant ("c") format, `[d.]hh:mm:ss[.fffffff]`, counted from the request's arrival.
 */

const NS_PER_TICK = 100n;
const TICKS_PER_SECOND = 10_000_000n;

/** `[-][d.]hh:mm:ss[.fffffff]`: .NET prints no fraction at all when it is zero. */
export function formatTimeSpan(ns: bigint): string {
  const sign = ns < 0n ? "-" : "";
  const ticks = (ns < 0n ? -ns : ns) / NS_PER_TICK;
  const fraction = ticks % TICKS_PER_SECOND;
  const totalSeconds = ticks / TICKS_PER_SECOND;
  const seconds = totalSeconds % 60n;
  const minutes = (totalSeconds / 60n) % 60n;
  const hours = (totalSeconds / 3600n) % 24n;
  const days = totalSeconds / 86400n;
  const two = (n: bigint) => n.toString().padStart(2, "0");
  return (
    sign +
    (days > 0n ? `${days}.` : "") +
    `${two(hours)}:${two(minutes)}:${two(seconds)}` +
    (fraction > 0n ? "." + fraction.toString().padStart(7, "0") : "")
  );
}

/** `2024-05-01T12:00:00.1234567Z` from nanoseconds since the Unix epoch. */
export function formatTimestamp(epochNs: bigint): string {
  const ms = Number(epochNs / 1_000_000n);
  const whole = new Date(ms - (ms % 1000)).toISOString().slice(0, 19);
  const ticks = (epochNs % 1_000_000_000n) / NS_PER_TICK;
  return `${whole}.${ticks.toString().padStart(7, "0")}Z`;
}

export interface TraceTime {
  timestamp: string;
  elapsed: string;
}

/**
 * A clock started when a request arrives. Wall time alone has only millisecond
 * resolution, so the wall clock is read once and the monotonic clock supplies the rest.
 */
export function startClock(): () => TraceTime {
  const epochNs = BigInt(Date.now()) * 1_000_000n;
  const startHr = process.hrtime.bigint();
  return () => {
    const sinceStart = process.hrtime.bigint() - startHr;
    return { timestamp: formatTimestamp(epochNs + sinceStart), elapsed: formatTimeSpan(sinceStart) };
  };
}
