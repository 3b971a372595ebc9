/** Human formatting of counts and waits for messages. @internal */

/** `1000000` -> `"1,000,000"`. */
export const formatCount = (n: number): string => Math.round(n).toLocaleString("en-US")

/** A wait in milliseconds as `"250 ms"`, `"3 s"`, `"12 min"` or `"5.5 h"`. */
export const formatWait = (millis: number): string => {
  if (millis < 1000) return `${Math.max(0, Math.ceil(millis))} ms`
  if (millis < 120_000) return `${Math.ceil(millis / 1000)} s`
  if (millis < 7_200_000) return `${Math.ceil(millis / 60_000)} min`
  return `${(millis / 3_600_000).toFixed(1)} h`
}

/** A fraction as a whole percentage: `0.8` -> `"80%"`. */
export const formatPercent = (fraction: number): string => `${Math.round(fraction * 1000) / 10}%`
