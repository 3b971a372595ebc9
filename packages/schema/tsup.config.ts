import { readFile, writeFile } from "node:fs/promises"
import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node22"
})

/**
 * rollup-plugin-dts (inside tsup) loses one meaning of a name that is both a value and a type when
 * it builds the namespace of `export * as X from "./X.js"`: `ErrorResponse.ErrorResponse` keeps
 * only its type, `BingError.BingError` only its value. Effect's style declares schemas that way
 * (`const X = Schema.Struct(...)` + `type X`), so after the build this restores the missing half
 * in the bundled declarations, in the form the bundler itself uses for classes:
 * `declare const NS_X: typeof X; type NS_X = X;` exported with `export { NS_X as X }`.
 * `test/smoke.test.ts` type-checks a consumer against the result.
 */
export const restoreMergedNamespaceExports = (dts: string): string => {
  const values = new Set<string>()
  const types = new Set<string>()
  for (const m of dts.matchAll(/^declare (?:const|function|class|enum) ([\w$]+)/gm)) values.add(m[1]!)
  for (const m of dts.matchAll(/^(?:declare )?(?:type|interface|class|enum) ([\w$]+)/gm)) types.add(m[1]!)
  const typeAlias = new Map<string, string>()
  const valueAlias = new Map<string, string>()
  for (const m of dts.matchAll(/^type ([\w$]+) = ([\w$]+);$/gm)) typeAlias.set(m[1]!, m[2]!)
  for (const m of dts.matchAll(/^declare const ([\w$]+): typeof ([\w$]+);$/gm)) valueAlias.set(m[1]!, m[2]!)

  const toValue = new Set<string>()
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
  return out.replace(/^declare namespace ([\w$]+) \{\n([\s\S]*?)^\}/gm, (block, name: string, body: string) => {
    const valueList = /^ {2}export \{ (.*) \};$/m.exec(body)?.[1]?.split(", ") ?? []
    const typeList = /^ {2}export type \{ (.*) \};$/m.exec(body)?.[1]?.split(", ") ?? []
    const moved = typeList.filter((entry) => toValue.has(entry.split(" as ")[0]!))
    if (moved.length === 0) return block
    const values2 = [...valueList, ...moved].toSorted((a, b) => a.split(" as ")[1]!.localeCompare(b.split(" as ")[1]!))
    const types2 = typeList.filter((entry) => !moved.includes(entry))
    const lines = [`  export { ${values2.join(", ")} };`, ...(types2.length > 0 ? [`  export type { ${types2.join(", ")} };`] : [])]
    return `declare namespace ${name} {\n${lines.join("\n")}\n}`
  })
}

if (import.meta.main) {
  for (const file of ["dist/index.d.ts", "dist/index.d.cts"]) {
    await writeFile(file, restoreMergedNamespaceExports(await readFile(file, "utf8")))
  }
}
