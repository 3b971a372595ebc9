/**
 * The `X-MSEdge-ClientID` kept between runs. Bing asks a client to send back the id it returned,
 * so that one user (here: one user of this program) is seen as the same across calls; the client
 * remembers it within a process, and this file carries it to the next run.
 *
 * Where: `--client-id-file <path>` or `BING_SEARCH_CLIENT_ID_FILE`; else
 * `$XDG_STATE_HOME/bing-search/client-id`, else `~/.local/state/bing-search/client-id`. `off`
 * (or `none`, or an empty value) keeps no file. The file holds the id alone, mode 0600 in a folder
 * of mode 0700; a file that does not hold an id (corrupt, empty, too long) is ignored and replaced
 * by the next id Bing returns. Deleting it is always safe: Bing hands out a new id.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { dirname, isAbsolute, join } from "node:path"

/** What an id may look like: Bing's are 32 hex digits; anything header-safe and short is kept. */
const idPattern = /^[A-Za-z0-9_-]{1,128}$/

/** Whether `text` is an id this program would send. */
export const isId = (text: string): boolean => idPattern.test(text)

/** The values of `--client-id-file` that keep no file. */
const disabled = new Set(["", "off", "none"])

/**
 * The file's path from the flag or environment value (`setting`) and the environment, or
 * `undefined` when no file is kept (disabled, or no home to put it in).
 */
export const location = (
  setting: string | undefined,
  env: Record<string, string | undefined> = process.env
): string | undefined => {
  if (setting !== undefined) return disabled.has(setting.trim().toLowerCase()) ? undefined : setting
  const state = env["XDG_STATE_HOME"]
  // the XDG spec: a relative path is invalid and is to be ignored
  if (state !== undefined && isAbsolute(state)) return join(state, "bing-search", "client-id")
  const home = env["HOME"]
  return home !== undefined && isAbsolute(home) ? join(home, ".local", "state", "bing-search", "client-id") : undefined
}

/** The id kept in `path`, or `undefined` when there is none or the file does not hold one. */
export const read = (path: string): string | undefined => {
  try {
    const text = readFileSync(path, "utf8").trim()
    return isId(text) ? text : undefined
  } catch {
    return undefined
  }
}

/**
 * Keeps `id` in `path` (mode 0600, written aside and renamed over, so a reader never sees half of
 * it). Gives the system's error code when it cannot.
 */
export const write = (path: string, id: string): string | undefined => {
  const temporary = `${path}.${process.pid}.tmp`
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    writeFileSync(temporary, `${id}\n`, { mode: 0o600 })
    // the mode of `writeFileSync` passes through the umask; 0600 is the point
    chmodSync(temporary, 0o600)
    renameSync(temporary, path)
    return undefined
  } catch (e) {
    return (e as { code?: string }).code ?? "EIO"
  }
}
