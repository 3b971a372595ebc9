/** Human formatting of counts and waits for messages. @internal */

/** `1000000` -> `"1,000,000"`. */
export const formatCount = (n: number): string => Math.round(n).toLocaleString("en-US")

/**
 * A wait in milliseconds in its two largest units: `"250 ms"`, `"90 s"`, `"20 min 35 s"`,
 * `"5 h 30 min"`, `"3 d 4 h"`. Rounded up at the last unit shown, so that a wait is never
 * understated (`"retry in 0 s"` for 400 ms would send the retry too early). Public as
 * `Window.formatDuration`, the one duration wording of the packages and the CLI.
 */
export const formatWait = (millis: number): string => {
  if (!(millis > 0)) return "0 ms"
  if (millis < 1000) return `${Math.ceil(millis)} ms`
  if (millis < 120_000) return `${Math.ceil(millis / 1000)} s`
  const two = (unit: number, big: string, small: string, per: number): string => {
    const total = Math.ceil(millis / unit)
    const rest = total % per
    return `${Math.floor(total / per)} ${big}${rest === 0 ? "" : ` ${rest} ${small}`}`
  }
  if (millis < 7_200_000) return two(1000, "min", "s", 60)
  if (millis < 172_800_000) return two(60_000, "h", "min", 60)
  return two(3_600_000, "d", "h", 24)
}

/** A fraction as a whole percentage: `0.8` -> `"80%"`. */
export const formatPercent = (fraction: number): string => `${Math.round(fraction * 1000) / 10}%`
