/**
 * Access-log lines gathered and written together. Stdout to a pipe or a file is a blocking write
 * on Linux, so one write per line costs each request a syscall (a CPU profile at c=32 put `writev`
 * and string encoding first), and each write wakes whatever reads the pipe. A write per turn of
 * the event loop fixed that under load, but one request at a time is still one write per request:
 * at c=1 the line then cost about as much as the rest of the gateway's own work on the request.
 * So lines wait for a short timer (`intervalMs`) or until `maxLines` are pending, whichever comes
 * first; `flush` writes what is pending at once (the command calls it before the process exits).
 */

/** Where the joined lines go, and how long a line may wait. */
export interface Options {
  readonly write: (text: string) => void
  /** How long the first pending line waits for others. Default 10 ms. */
  readonly intervalMs?: number | undefined
  /** Pending lines that are written at once, without waiting for the timer. Default 1,000. */
  readonly maxLines?: number | undefined
}

export interface LineBatch {
  /** Queues one line (without its newline). */
  readonly push: (line: string) => void
  /** Writes every pending line now. */
  readonly flush: () => void
}

export const defaults = { intervalMs: 10, maxLines: 1_000 } as const

export const make = (options: Options): LineBatch => {
  const intervalMs = options.intervalMs ?? defaults.intervalMs
  const maxLines = options.maxLines ?? defaults.maxLines
  let pending: Array<string> = []
  let timer: ReturnType<typeof setTimeout> | undefined
  const flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer)
      timer = undefined
    }
    if (pending.length === 0) return
    const text = pending.join("")
    pending = []
    options.write(text)
  }
  return {
    push: (line) => {
      pending.push(`${line}\n`)
      if (pending.length >= maxLines) flush()
      else if (timer === undefined) {
        timer = setTimeout(flush, intervalMs)
        // the lines never keep the process alive: it flushes before it exits
        timer.unref()
      }
    },
    flush
  }
}
