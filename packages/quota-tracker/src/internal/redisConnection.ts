/**
 * A node-redis connection whose every attempt has a deadline.
 *
 * node-redis bounds only the TCP connect (`socket.connectTimeout`): a server that accepts the
 * connection and never answers (frozen, overloaded, a proxy without a backend) keeps `connect()`
 * waiting for the handshake for ever, and `close()` waits for its replies for ever too. Here each
 * attempt races the whole connect (TCP and handshake) against a timer and destroys the client
 * when it loses; closing waits for in-flight replies only up to a bound, then destroys.
 *
 * A client that has given up (its socket closed for good) is replaced by a new attempt on the next
 * command; attempts are at least `RETRY_GAP` apart, so a down server costs one connect per gap,
 * not one per command.
 *
 * @internal
 */
import { createClient } from "redis"
import { ConnectFailed, whereOf } from "./connectFailed.js"
import { describeCause } from "./errorDetail.js"

type Client = ReturnType<typeof createClient>

const RETRY_GAP = 500

export interface ConnectionOptions {
  readonly url: string
  /** Bound of one attempt, TCP connect and handshake (ms). */
  readonly connectTimeout: number
  /** Bound of the wait for in-flight replies when closing (ms). */
  readonly closeTimeout: number
}

/**
 * Opens one client; rejects with `ConnectFailed` within `connectTimeout` (or at once when `signal`
 * aborts), leaving nothing open.
 */
export const open = (options: ConnectionOptions, reconnect: boolean, signal?: AbortSignal): Promise<Client> =>
  new Promise((resolve, reject) => {
    const where = whereOf(options.url)
    let ready = false
    let settled = false
    let client: Client
    try {
      client = createClient({
        url: options.url,
        // while reconnecting, commands fail at once instead of queueing: a queued command that has
        // already timed out for the caller would otherwise run later and count twice
        disableOfflineQueue: true,
        socket: {
          connectTimeout: options.connectTimeout,
          // the first connect fails on its first error; a connected client retries with backoff
          reconnectStrategy: (retries: number, cause: Error) =>
            !ready || !reconnect ? cause : Math.min(2 ** retries * 50, 2000) + Math.floor(Math.random() * 200)
        }
      })
    } catch (cause) {
      reject(new ConnectFailed(where, describeCause(cause)))
      return
    }
    // node-redis throws `error` events nobody listens to; failures reach callers through commands
    client.on("error", () => {})
    const settle = (): boolean => {
      if (settled) return false
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener("abort", onAbort)
      return true
    }
    const fail = (reason: string) => {
      if (!settle()) return
      client.destroy()
      reject(new ConnectFailed(where, reason))
    }
    const onAbort = () => fail("the store is closed")
    const timer = setTimeout(() => fail(`no answer within ${options.connectTimeout} ms`), options.connectTimeout)
    if (signal?.aborted === true) return onAbort()
    signal?.addEventListener("abort", onAbort, { once: true })
    client.connect().then(
      () => {
        if (!settle()) return
        ready = true
        resolve(client)
      },
      (cause: unknown) => fail(describeCause(cause))
    )
  })

/** Closes a client, waiting for its in-flight replies up to `ms`. */
export const closeClient = (client: Client, ms: number): Promise<void> => {
  if (!client.isOpen) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.destroy()
      resolve()
    }, ms)
    client.close().then(
      () => {
        clearTimeout(timer)
        resolve()
      },
      () => {
        clearTimeout(timer)
        if (client.isOpen) client.destroy()
        resolve()
      }
    )
  })
}

/** The shared client of a store: opened on demand, replaced when it gives up, closed once. */
export class Connection {
  #client: Client | undefined
  #attempt: Promise<Client> | undefined
  #failure: ConnectFailed | undefined
  #failedAt = 0
  #closed = false
  readonly #abort = new AbortController()
  readonly #others = new Set<Client>()

  constructor(readonly options: ConnectionOptions) {}

  /** The connected client, when there is one (the hot path: no promise). */
  get current(): Client | undefined {
    const client = this.#client
    return client !== undefined && client.isOpen ? client : undefined
  }

  /** The connected client, or the outcome of the attempt running (started when none runs). */
  client(): Promise<Client> {
    const current = this.current
    if (current !== undefined) return Promise.resolve(current)
    if (this.#closed) return Promise.reject(new ConnectFailed(whereOf(this.options.url), "the store is closed"))
    if (this.#attempt !== undefined) return this.#attempt
    if (this.#failure !== undefined && Date.now() - this.#failedAt < RETRY_GAP) return Promise.reject(this.#failure)
    const attempt = open(this.options, true, this.#abort.signal).then(
      (client) => {
        this.#attempt = undefined
        if (this.#closed) {
          client.destroy()
          throw new ConnectFailed(whereOf(this.options.url), "the store is closed")
        }
        this.#client = client
        this.#failure = undefined
        return client
      },
      (error: ConnectFailed) => {
        this.#attempt = undefined
        this.#failure = error
        this.#failedAt = Date.now()
        throw error
      }
    )
    this.#attempt = attempt
    return attempt
  }

  /** A client of its own (reserved connections, subscribers), closed with this connection. */
  async dedicated(reconnect: boolean): Promise<Client> {
    if (this.#closed) throw new ConnectFailed(whereOf(this.options.url), "the store is closed")
    const client = await open(this.options, reconnect, this.#abort.signal)
    this.#others.add(client)
    return client
  }

  /** Forgets and destroys a dedicated client. */
  release(client: Client): void {
    this.#others.delete(client)
    if (client.isOpen) client.destroy()
  }

  /** Closes every client: an attempt in flight is destroyed, in-flight replies are awaited up to the bound. */
  async close(): Promise<void> {
    this.#closed = true
    // attempts in flight (the start-up one included) are destroyed now, not when their timer fires
    this.#abort.abort()
    const clients = [this.#client, ...this.#others].filter((c): c is Client => c !== undefined)
    this.#client = undefined
    this.#others.clear()
    await Promise.all(clients.map((client) => closeClient(client, this.options.closeTimeout)))
  }
}
