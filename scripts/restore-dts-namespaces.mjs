#!/usr/bin/env node
// Run after tsup in a library package (`tsup && node ../../scripts/restore-dts-namespaces.mjs`).
//
// rollup-plugin-dts (inside tsup) loses one meaning of a name that is both a value and a type when
// it builds the namespace of `export * as X from "./X.js"`: `ErrorResponse.ErrorResponse` keeps
// only its type, `BingError.BingError` only its value. Effect's style declares schemas exactly that
// way (`const X = Schema.Struct(...)` + `type X`), so this restores the missing half in the bundled
// declarations, in the form the bundler itself uses for classes (`declare const NS_X: typeof X;
// type NS_X = X;` exported with `export { NS_X as X }`). The schema package's smoke test
// type-checks a consumer against the result.
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

export const restoreMergedNamespaceExports = (dts) => {
  const values = new Set()
  const types = new Set()
  for (const m of dts.matchAll(/^declare (?:const|function|class|enum) ([\w$]+)/gm)) values.add(m[1])
  for (const m of dts.matchAll(/^(?:declare )?(?:type|interface|class|enum) ([\w$]+)/gm)) types.add(m[1])
  const typeAlias = new Map()
  const valueAlias = new Map()
  for (const m of dts.matchAll(/^type ([\w$]+) = ([\w$]+);$/gm)) typeAlias.set(m[1], m[2])
  for (const m of dts.matchAll(/^declare const ([\w$]+): typeof ([\w$]+);$/gm)) valueAlias.set(m[1], m[2])

  const toValue = new Set()
  let out = dts
  for (const [alias, target] of typeAlias) {
    if (valueAlias.has(alias) || !values.has(target)) continue
    out = out.replace(`type ${alias} = ${target};\n`, `type ${alias} = ${target};\ndeclare const ${alias}: typeof ${target};\n`)
    toValue.add(alias)
  }
  for (const [alias, target] of valueAlias) {
    if (typeAlias.has(alias) || !types.has(target)) continue
    out = out.replace(`declare const ${alias}: typeof ${target};\n`, `type ${alias} = ${target};\ndeclare const ${alias}: typeof ${target};\n`)
  }
  // move the restored values from `export type { … }` to `export { … }` inside each namespace
  return out.replace(/^declare namespace ([\w$]+) \{\n([\s\S]*?)^\}/gm, (block, name, body) => {
    const valueList = /^ {2}export \{ (.*) \};$/m.exec(body)?.[1]?.split(", ") ?? []
    const typeList = /^ {2}export type \{ (.*) \};$/m.exec(body)?.[1]?.split(", ") ?? []
    const moved = typeList.filter((entry) => toValue.has(entry.split(" as ")[0]))
    if (moved.length === 0) return block
    const exportedAs = (entry) => entry.split(" as ")[1] ?? entry
    const values2 = [...valueList, ...moved].toSorted((a, b) => exportedAs(a).localeCompare(exportedAs(b)))
    const types2 = typeList.filter((entry) => !moved.includes(entry))
    const lines = [`  export { ${values2.join(", ")} };`, ...(types2.length > 0 ? [`  export type { ${types2.join(", ")} };`] : [])]
    return `declare namespace ${name} {\n${lines.join("\n")}\n}`
  })
}

if (import.meta.main) {
  const dist = join(process.cwd(), "dist")
  for (const file of readdirSync(dist).filter((f) => /\.d\.c?ts$/.test(f))) {
    const path = join(dist, file)
    const before = readFileSync(path, "utf8")
    const after = restoreMergedNamespaceExports(before)
    if (after !== before) writeFileSync(path, after)
  }
}
