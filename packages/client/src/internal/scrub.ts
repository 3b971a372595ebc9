/**
 * Last line of defence for texts that come from the platform (e.g. a socket error message):
 * replace any occurrence of a key by `<redacted>` and bound the length.
 */
export const scrub = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text
  for (const secret of secrets) {
    if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join("<redacted>")
  }
  return out.length > 300 ? `${out.slice(0, 300)}…` : out
}
