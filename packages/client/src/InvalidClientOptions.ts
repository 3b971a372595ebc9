/**
 * The error of building a client from options that cannot work (no key and no tracker, an
 * endpoint that is not a URL, a retry budget of zero...). Raised when the layer is built, or
 * thrown by `createClient` in the Promise API, before any request.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * Options the client cannot work with. `option` names the field, `detail` says what is wrong
 * (never the value of a key).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidClientOptions extends Schema.TaggedError<InvalidClientOptions>()("InvalidClientOptions", {
  option: Schema.String,
  detail: Schema.String
}) {
  /**
   * Options do not fix themselves: not retryable.
   *
   * @since 0.1.0
   */
  get isRetryable(): boolean {
    return false
  }

  override get message(): string {
    return `Invalid BingClient option ${this.option}: ${this.detail}`
  }
}
