#!/usr/bin/env node
// Type-checks every example a reader may copy: the fenced ```ts blocks of the root README (and
// CONTRIBUTING, bench/ and reliability/), of each package's and app's README and of docs/*.md, and the ```ts blocks inside the `@example` tags of
// the JSDoc in packages/*/src. Each block becomes a module in .examples/ (gitignored), whose
// node_modules links the workspace packages and their dependencies, so the examples import
// `@bing-effect/client` through its exports map and built declarations, as a user would. One
// `tsc` process checks them all; its errors are reported at the README or source line.
//
// Conventions for a block (the info string after ```ts):
//   ```ts                 a module of its own: it imports what it uses.
//   ```ts continues       the rest of the previous block of the same file: checked as one module
//                         with it (shares its imports and names).
//   ```ts nocheck: why    not checked; the reason is required. Keep these rare.
// A Markdown block may also be preceded by a hidden prelude, for names a short fragment assumes:
//   <!-- check-examples prelude
//   declare const quota: QuotaTracker.Service
//   -->
// Usage: node scripts/check-examples.mjs   (after the build: the examples read dist/*.d.ts)
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"

const root = new URL("..", import.meta.url).pathname
const out = join(root, ".examples")

const read = (path) => readFileSync(join(root, path), "utf8")
const exists = (path) => existsSync(join(root, path))
const list = (dir) => (exists(dir) ? readdirSync(join(root, dir), { withFileTypes: true }) : [])
const workspaces = ["packages", "apps"].flatMap((dir) =>
  list(dir).filter((d) => d.isDirectory() && exists(`${dir}/${d.name}/package.json`)).map((d) => `${dir}/${d.name}`)
)

/** Every ```ts block of a Markdown file: { line, info, code, prelude }. */
const markdownBlocks = (text) => {
  const lines = text.split("\n")
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)\b(.*)$/.exec(lines[i])
    if (open === null) {
      // skip other fences whole, so a ```ts line inside a ```md example is not taken for a block
      if (/^```/.test(lines[i])) { while (++i < lines.length && !/^```\s*$/.test(lines[i])); }
      continue
    }
    let prelude = ""
    const before = lines.slice(0, i).join("\n")
    const hidden = /<!--\s*check-examples prelude\n([\s\S]*?)-->\s*$/.exec(before)
    if (hidden !== null) prelude = hidden[1]
    const start = i + 1
    while (++i < lines.length && !/^```\s*$/.test(lines[i]));
    blocks.push({ line: start + 1, info: open[2].trim(), code: lines.slice(start, i), prelude })
  }
  return blocks
}

/** Every ```ts block inside an `@example` of a JSDoc comment. */
const jsdocBlocks = (text) => {
  const lines = text.split("\n")
  const blocks = []
  let inExample = false
  for (let i = 0; i < lines.length; i++) {
    const body = /^\s*\*\s?(.*)$/.exec(lines[i])
    if (body === null || /^\s*\*\//.test(lines[i])) {
      inExample = false
      continue
    }
    if (/^@example\b/.test(body[1])) inExample = true
    else if (/^@\w/.test(body[1])) inExample = false
    const open = inExample ? /^```(ts|typescript)\b(.*)$/.exec(body[1]) : null
    if (open === null) continue
    const start = i + 1
    const code = []
    while (++i < lines.length) {
      const inner = /^\s*\*\s?(.*)$/.exec(lines[i])
      if (inner === null || /^```\s*$/.test(inner[1])) break
      code.push(inner[1])
    }
    blocks.push({ line: start + 1, info: open[2].trim(), code, prelude: "" })
  }
  return blocks
}

const sources = [
  ...[
    "README.md",
    "CONTRIBUTING.md",
    "bench/README.md",
    "reliability/README.md",
    ...workspaces.map((w) => `${w}/README.md`)
  ]
    .filter(exists),
  ...list("docs").filter((d) => d.isFile() && d.name.endsWith(".md")).map((d) => `docs/${d.name}`)
].map((path) => ({ path, blocks: markdownBlocks(read(path)) }))

const walk = (dir) =>
  list(dir).flatMap((d) =>
    d.isDirectory() ? walk(`${dir}/${d.name}`) : d.name.endsWith(".ts") ? [`${dir}/${d.name}`] : []
  )
for (const w of workspaces.filter((w) => w.startsWith("packages/"))) {
  for (const path of walk(`${w}/src`)) {
    const blocks = jsdocBlocks(read(path))
    if (blocks.length > 0) sources.push({ path, blocks })
  }
}

// ---- the modules: one per block, or per chain of `continues` blocks ----
const problems = []
const modules = [] // { name, lines: [{ text, from }] } where `from` is "path:line" or undefined (generated)
const skipped = []
for (const { path, blocks } of sources) {
  let current
  blocks.forEach((block, n) => {
    const at = `${path}:${block.line - 1}`
    if (/^nocheck\b/.test(block.info)) {
      const why = block.info.replace(/^nocheck\b:?/, "").trim()
      if (why === "") problems.push(`${at}: a \`\`\`ts nocheck block must say why (\`\`\`ts nocheck: the reason)`)
      skipped.push(`${at} (${why || "no reason given"})`)
      current = undefined
      return
    }
    const lines = [
      ...block.prelude.split("\n").filter((l) => l !== "").map((text) => ({ text, from: undefined })),
      ...block.code.map((text, i) => ({ text, from: `${path}:${block.line + i}` }))
    ]
    if (block.info === "continues") {
      if (current === undefined) {
        problems.push(`${at}: \`\`\`ts continues has no previous checked block in this file to continue`)
        return
      }
      current.lines.push(...lines)
      return
    }
    if (block.info !== "") problems.push(`${at}: unknown info string "${block.info}" (continues | nocheck: why)`)
    const name = `${path.replace(/[^A-Za-z0-9]+/g, "_")}_${String(n + 1).padStart(2, "0")}.ts`
    current = { name, lines }
    modules.push(current)
  })
}

// ---- .examples/: the modules, a package.json, node_modules links and a tsconfig ----
// kept between runs, so that tsc's incremental check only redoes what changed
mkdirSync(join(out, "node_modules"), { recursive: true })
const wanted = new Set(modules.map((m) => m.name))
for (const f of readdirSync(out)) if (f.endsWith(".ts") && !wanted.has(f)) rmSync(join(out, f))
const writeIfChanged = (path, text) => {
  if (!existsSync(path) || readFileSync(path, "utf8") !== text) writeFileSync(path, text)
}
for (const m of modules) {
  // `export {}` makes every block a module (top-level await, names of its own)
  writeIfChanged(join(out, m.name), [...m.lines.map((l) => l.text), "export {}", ""].join("\n"))
}
writeIfChanged(join(out, "package.json"), JSON.stringify({ private: true, type: "module" }, null, 2))
const link = (name, target) => {
  const at = join(out, "node_modules", name)
  rmSync(at, { force: true }) // a link of an earlier run (it may point elsewhere now)
  mkdirSync(dirname(at), { recursive: true })
  symlinkSync(relative(dirname(at), target), at, "dir")
}
const manifests = workspaces.map((w) => ({ dir: w, json: JSON.parse(read(`${w}/package.json`)) }))
const targets = new Map(manifests.map(({ dir, json }) => [json.name, join(root, dir)]))
for (const { dir, json } of manifests) {
  for (const dep of Object.keys({ ...json.dependencies, ...json.peerDependencies, ...json.devDependencies })) {
    const found = [`${dir}/node_modules/${dep}`, `node_modules/${dep}`].find(exists)
    if (found !== undefined && !targets.has(dep)) targets.set(dep, join(root, found))
  }
}
for (const [name, target] of targets) link(name, target)
writeIfChanged(
  join(out, "tsconfig.json"),
  JSON.stringify(
    {
      extends: "../tsconfig.base.json",
      compilerOptions: {
        composite: false,
        declaration: false,
        declarationMap: false,
        noEmit: true,
        incremental: true,
        tsBuildInfoFile: "tsconfig.tsbuildinfo",
        plugins: []
      },
      include: ["*.ts"]
    },
    null,
    2
  )
)

// ---- one tsc over every module, errors mapped back to their source lines ----
const tsc = join(root, "node_modules", ".bin", "tsc")
const r = spawnSync(tsc, ["-p", "tsconfig.json", "--pretty", "false"], { cwd: out, encoding: "utf8" })
const byName = new Map(modules.map((m) => [m.name, m]))
const errors = `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.trim() !== "").map((l) => {
  const m = /^([^(]+\.ts)\((\d+),(\d+)\): (.*)$/.exec(l)
  if (m === null) return l // a continuation line of the previous message
  const from = byName.get(m[1])?.lines[Number(m[2]) - 1]?.from
  return `${from ?? `.examples/${m[1]}:${m[2]}`}:${m[3]} ${m[4]}`
})

const checked = modules.reduce((n, m) => n + (m.lines.some((l) => l.from !== undefined) ? 1 : 0), 0)
const blocks = sources.reduce((n, s) => n + s.blocks.length, 0)
for (const p of problems) console.error(`✖ ${p}`)
for (const e of errors) console.error(`✖ ${e}`)
const summary = `examples: ${blocks} blocks in ${sources.length} files, ${checked} modules type-checked` +
  (skipped.length === 0 ? "" : `, ${skipped.length} skipped: ${skipped.join("; ")}`)
if (problems.length > 0 || r.status !== 0) {
  console.error(`${summary}; ${errors.length + problems.length} problem(s) (generated modules in .examples/)`)
  process.exit(1)
}
console.log(summary)
