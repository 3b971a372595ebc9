/**
 * A prepared HTTP answer: status, headers (flat name/value list, without the per-request
 * BingAPIs-* headers) and body bytes. Error answers are built once per distinct error and reused.
 */
export interface Wire {
  readonly status: number
  readonly headers: ReadonlyArray<string>
  readonly body: Buffer
}

export const JSON_TYPE = "application/json; charset=utf-8"

export const jsonWire = (status: number, body: string, extra: ReadonlyArray<string> = []): Wire => {
  const bytes = Buffer.from(body, "utf8")
  return { status, headers: ["Content-Type", JSON_TYPE, ...extra], body: bytes }
}

/** A bounded map keeping the most recently used entries. */
export class Lru<K, V> {
  private readonly map = new Map<K, V>()
  constructor(private readonly max: number) {}
  get(k: K): V | undefined {
    const v = this.map.get(k)
    if (v !== undefined) {
      this.map.delete(k)
      this.map.set(k, v)
    }
    return v
  }
  set(k: K, v: V): void {
    if (this.map.has(k)) this.map.delete(k)
    else if (this.map.size >= this.max) {
      const oldest = this.map.keys().next()
      if (oldest.done !== true) this.map.delete(oldest.value)
    }
    this.map.set(k, v)
  }
  clear(): void {
    this.map.clear()
  }
  get size(): number {
    return this.map.size
  }
}
