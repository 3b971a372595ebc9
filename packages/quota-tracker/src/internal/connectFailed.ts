/**
 * Why a connection to a Redis server or cluster failed, naming the server without credentials.
 * Apart from the connections themselves, which load `redis`: `RedisCluster`, exported from the
 * package root, uses it without loading the driver.
 *
 * @internal
 */

/** `redis://user:secret@host:6379/0` -> `redis://host:6379/0`, for messages. */
export const whereOf = (url: string): string => {
  try {
    const parsed = new URL(url)
    parsed.username = ""
    parsed.password = ""
    return parsed.toString().replace(/\/$/, "")
  } catch {
    return "redis (an invalid URL)"
  }
}

/** Why an attempt failed: a message naming the server (without credentials) and the reason. */
export class ConnectFailed extends Error {
  constructor(readonly where: string, readonly reason: string) {
    super(`cannot connect to ${where}: ${reason}`)
  }
}
