import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { afterAll } from "vitest"
import { QuotaError, QuotaStore } from "../src/index.js"
import { contract } from "./QuotaStoreContract.js"

const dir = mkdtempSync(join(tmpdir(), "quota-sqlite-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

contract("sqlite", QuotaStore.layerSqlite({ filename: join(dir, "contract.sqlite") }))

describe("QuotaStore.layerSqlite", () => {
  it.effect("keeps counts in the file across store instances", () =>
    Effect.gen(function*() {
      const filename = join(dir, "reopen.sqlite")
      const slot: QuotaStore.Slot = { kind: "counter", key: "{S15}:day:0", limit: 10, expiresAt: 10_000 }
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* QuotaStore.makeSqlite({ filename })
        yield* store.acquire([slot], 4, 0)
      }))
      const again = yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* QuotaStore.makeSqlite({ filename })
        return yield* store.get([slot], 0)
      }))
      assert.deepStrictEqual(again, [4])
    }))

  it.effect("fails with StoreUnavailable when the file cannot be opened", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Effect.scoped(QuotaStore.makeSqlite({ filename: join(dir, "missing", "dir", "x.sqlite") }))
      )
      assert.ok(Exit.isFailure(exit))
      const error = yield* Effect.flip(
        Effect.scoped(QuotaStore.makeSqlite({ filename: join(dir, "missing", "dir", "x.sqlite") }))
      )
      assert.ok(QuotaError.isQuotaError(error))
      assert.strictEqual(error.reason._tag, "StoreUnavailable")
      assert.strictEqual(error.reason._tag === "StoreUnavailable" && error.reason.store, "sqlite")
    }))

  it.effect("fails with StoreUnavailable, not a defect, once the database is closed", () =>
    Effect.gen(function*() {
      const slot: QuotaStore.Slot = { kind: "counter", key: "k", limit: 10, expiresAt: 10_000 }
      const store = yield* Effect.scoped(QuotaStore.makeSqlite({ filename: join(dir, "closed.sqlite") }))
      const error = yield* Effect.flip(store.acquire([slot], 1, 0))
      assert.strictEqual(error.reason._tag, "StoreUnavailable")
    }))

  it.effect("a key holding text fails with StoreUnavailable naming the key, never a NaN, and changes nothing", () =>
    Effect.gen(function*() {
      const filename = join(dir, "poisoned.sqlite")
      const month: QuotaStore.Slot = { kind: "counter", key: "{S15}:month:0", limit: 100, expiresAt: 10_000 }
      const day: QuotaStore.Slot = { kind: "counter", key: "{S15}:day:0", limit: 100, expiresAt: 10_000 }
      const second: QuotaStore.Slot = { kind: "bucket", key: "{S15}:second", limit: 10, interval: 1000 }
      const store = yield* QuotaStore.makeSqlite({ filename })
      yield* store.acquire([month, day, second], 1, 0)
      // another program writes into the table: SQLite keeps text in a REAL column
      const db = new DatabaseSync(filename)
      db.prepare("UPDATE quota_counters SET value = ? WHERE key = ?").run("poison-value-7361", day.key)
      db.close()
      for (let i = 0; i < 5; i++) {
        const error = yield* Effect.flip(store.acquire([month, day, second], 1, 0))
        assert.strictEqual(error.reason._tag, "StoreUnavailable")
        assert.include(error.message, day.key)
        assert.notInclude(error.message, "poison-value")
      }
      assert.strictEqual((yield* Effect.flip(store.get([month, day], 0))).reason._tag, "StoreUnavailable")
      assert.strictEqual((yield* Effect.flip(store.add([month, day], -1, 0))).reason._tag, "StoreUnavailable")
      assert.deepStrictEqual(yield* store.get([month, second], 0), [1, 100], "the other slots kept their values")
      yield* store.set(day, 4, 0)
      assert.deepStrictEqual(yield* store.get([day], 0), [4], "set repairs the key")
    }).pipe(Effect.scoped))
})
