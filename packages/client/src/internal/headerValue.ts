/**
 * Whether a string can be sent as an HTTP header value: no CR, LF, NUL or other control
 * character but tab, nothing past Latin-1 (fetch's `ByteString`). The same rule as Node's
 * `http` module, so fetch and undici accept whatever passes.
 */
const invalid = /[^\t\x20-\x7e\x80-\xff]/

/** Whether `value` can be sent in a header. */
export const isValid = (value: string): boolean => !invalid.test(value)

/** What an option that fails the check is told (never its value). */
export const problem =
  "cannot be sent in an HTTP header (it holds CR, LF, NUL, another control character or a character outside Latin-1)"
