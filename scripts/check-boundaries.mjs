#!/usr/bin/env node
// Dependency boundaries of the workspace (the graph in STYLE.md), checked from the sources:
// - every bare import in a package's files is a Node built-in or declared in its package.json
//   (src/: dependencies and peers only; tests, benches and configs may also use devDependencies
//   and the root's tooling);
// - no import reaches into another package's src/, internal/ or dist/, and no relative import
//   leaves its package (but a package's own *.config.ts may import the shared ones at the root);
// - workspace packages depend on each other only along the allowed edges, and never in a cycle.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { builtinModules } from "node:module"
import { join, relative, resolve, dirname, sep } from "node:path"

const root = resolve(dirname(new URL(import.meta.url).pathname), "..")
const readJson = (p) => JSON.parse(readFileSync(p, "utf8"))
const rootPkg = readJson(join(root, "package.json"))

// Allowed workspace edges (runtime and dev). apps/* may use anything and nothing may use apps/*.
const allowed = {
  "@bing-effect/error-codes": [],
  "@bing-effect/schema": ["@bing-effect/error-codes"],
  "@bing-effect/quota-tracker": [],
  "@bing-effect/emulator": ["@bing-effect/schema", "@bing-effect/error-codes"],
  "@bing-effect/client": ["@bing-effect/schema", "@bing-effect/error-codes", "@bing-effect/quota-tracker", "@bing-effect/emulator"]
}
const devOnly = { "@bing-effect/client": ["@bing-effect/emulator"] } // the client tests against the emulator

const dirs = ["packages", "apps"].flatMap((d) =>
  readdirSync(join(root, d)).map((n) => join(root, d, n))
).concat([join(root, "bench"), join(root, "reliability")]).filter((d) => {
  try { return statSync(join(d, "package.json")).isFile() } catch { return false }
})
const packages = new Map(dirs.map((dir) => [readJson(join(dir, "package.json")).name, { dir, pkg: readJson(join(dir, "package.json")) }]))

const problems = []
const walk = (dir, out = []) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist" || entry.name.startsWith(".")) continue
    const p = join(dir, entry.name)
    if (entry.isDirectory()) walk(p, out)
    else if (/\.(m|c)?[jt]sx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(p)
  }
  return out
}
const importRe = /(?:^|[^.\w])(?:import|export)\s[^'"`;]*?from\s*["']([^"']+)["']|(?:^|[^.\w])import\s*["']([^"']+)["']|(?:^|[^.\w])(?:import|require)\(\s*["']([^"']+)["']\s*\)/gm
const stripComments = (s) => s.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "")
const packageName = (spec) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0])
const builtins = new Set(builtinModules)

for (const [name, { dir, pkg }] of packages) {
  const runtime = new Set([name, ...Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies })])
  const tooling = new Set([...runtime, ...Object.keys({ ...pkg.devDependencies }), ...Object.keys(rootPkg.devDependencies)])
  for (const file of walk(dir)) {
    const rel = relative(root, file)
    const inSrc = relative(dir, file).split(sep)[0] === "src"
    const text = stripComments(readFileSync(file, "utf8"))
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3]
      if (spec.startsWith(".")) {
        const target = resolve(dirname(file), spec)
        // a package's own tool configs (tsup.config.ts, ...) may use the shared ones at the root
        const sharedConfig = /\.config\.[mc]?[jt]s$/.test(file) && dirname(file) === dir && dirname(target) === root
        if (!target.startsWith(dir + sep) && !sharedConfig) problems.push(`${rel}: relative import "${spec}" leaves its package`)
        continue
      }
      if (spec.startsWith("node:") || builtins.has(spec)) continue
      const dep = packageName(spec)
      if (!(inSrc ? runtime : tooling).has(dep)) {
        problems.push(`${rel}: imports "${spec}" but ${name} does not declare ${dep}${inSrc ? " in dependencies or peerDependencies" : ""}`)
      }
      if (dep !== name && packages.has(dep) && /\/(src|internal|dist)(\/|$)/.test(spec.slice(dep.length))) {
        problems.push(`${rel}: deep import "${spec}" into another package's private files`)
      }
    }
  }
  // declared workspace edges
  const edges = Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.devDependencies })
    .filter(([dep]) => packages.has(dep)).map(([dep]) => dep)
  for (const dep of edges) {
    if (packages.get(dep).dir.includes(`${sep}apps${sep}`)) problems.push(`${name} depends on the app ${dep}: nothing may import apps/*`)
    if (name in allowed && !allowed[name].includes(dep)) problems.push(`${name} -> ${dep} is not an allowed edge (STYLE.md)`)
    if (devOnly[name]?.includes(dep) && (pkg.dependencies?.[dep] || pkg.peerDependencies?.[dep])) problems.push(`${name} may use ${dep} in tests only`)
  }
}

// cycles, over every declared workspace edge
const graph = new Map([...packages].map(([n, { pkg }]) => [n, Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.devDependencies }).filter((d) => packages.has(d))]))
const state = new Map()
const visit = (n, path) => {
  if (state.get(n) === "done") return
  if (state.get(n) === "open") return void problems.push(`dependency cycle: ${[...path.slice(path.indexOf(n)), n].join(" -> ")}`)
  state.set(n, "open")
  for (const d of graph.get(n)) visit(d, [...path, n])
  state.set(n, "done")
}
for (const n of graph.keys()) visit(n, [])

if (problems.length > 0) {
  console.error(`dependency boundaries: ${problems.length} problem(s)\n  ` + problems.join("\n  "))
  process.exit(1)
}
console.log(`dependency boundaries: ${packages.size} workspace packages, no undeclared import, no deep import, no cycle`)
