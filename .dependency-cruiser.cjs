// Dependency boundaries of the workspace (the graph in ../shared/STYLE.md, "Dependencies flow one way"),
// checked from the sources by dependency-cruiser (`pnpm check:boundaries`, part of `npm test`, after the build:
// workspace packages resolve through their exports maps to dist/).
//
//   error-codes  (nothing)         schema  -> error-codes          quota-tracker  (nothing)
//   emulator     -> schema, error-codes
//   client       -> schema, error-codes, quota-tracker; its tests also -> emulator
//   gateway      -> client, quota-tracker, schema, error-codes; its tests and its demo (src/Demo.ts,
//                   src/internal/demo/) also -> emulator
//   apps/*, bench, reliability -> anything;  nothing -> apps/*
//
// A workspace is a folder with a package.json: packages/<name>, apps/<name>, bench, reliability.
/** @type {(name: string) => string} the files of one package */
const pkg = (name) => `^packages/${name}/`
/** @type {(...names: string[]) => string} any other package than these */
const otherThan = (...names) => `^packages/(?!(?:${names.join("|")})/)[^/]+/`

/** the gateway's demo (`bing-gateway demo`): its entry module and the modules of its steps */
const gatewayDemo = "^packages/gateway/src/(Demo[.]ts$|internal/demo/)"

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "A cycle of runtime imports between modules makes them one unit: load order bugs, nothing testable alone. (Packages cannot form a cycle: the edge rules below allow only the one-way graph.)",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } }
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment:
        "The import does not resolve: a typo, a missing build, or a path that the package's exports map closes (internal/).",
      from: {},
      to: { couldNotResolve: true }
    },
    {
      name: "no-non-package-json",
      severity: "error",
      comment:
        "An import of a package that the nearest package.json (or the root's, for tooling) does not declare: pnpm's strict node_modules would fail on a clean install.",
      from: {},
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] }
    },
    {
      name: "src-not-to-dev-dep",
      severity: "error",
      comment:
        "A library's src/ may use only its dependencies and peers: a devDependency is not installed for its users.",
      from: { path: "^packages/[^/]+/src/" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["npm", "npm-peer", "npm-optional"] }
    },
    {
      name: "not-to-another-package-private-files",
      severity: "error",
      comment:
        "No package reaches into another's src/, internal/, test/ or dist/ files: only its exports map, by its name.",
      from: { path: "^((?:packages|apps)/[^/]+|bench|reliability)/" },
      to: {
        path: "^((?:packages|apps)/[^/]+|bench|reliability)/",
        pathNot: ["^$1/", "^packages/[^/]+/dist/"]
      }
    },
    {
      name: "relative-import-leaves-its-package",
      severity: "error",
      comment:
        "A relative import must stay inside its package (a package's own *.config.ts may use the shared configs at the root; tests and benchmarks may start a Redis Cluster with the one shared starter, redisCluster.shared.ts).",
      from: {
        path: "^((?:packages|apps)/[^/]+|bench|reliability)/",
        pathNot: "^(packages/[^/]+|apps/[^/]+|bench|reliability)/[^/]+[.]config[.]ts$"
      },
      to: { dependencyTypes: ["local"], pathNot: ["^$1/", "^redisCluster[.]shared[.]ts$"] }
    },
    {
      name: "nothing-imports-apps",
      severity: "error",
      comment: "apps/* are leaves: nothing imports them, and one app does not import another.",
      from: { pathNot: "^apps/" },
      to: { path: "^apps/" }
    },
    {
      name: "one-app-does-not-import-another",
      severity: "error",
      from: { path: "^apps/([^/]+)/" },
      to: { path: "^apps/", pathNot: "^apps/$1/" }
    },
    {
      name: "error-codes-has-no-dependencies",
      severity: "error",
      comment: "error-codes is data only, with no dependencies (STYLE.md).",
      from: { path: pkg("error-codes") },
      to: { path: otherThan("error-codes") }
    },
    {
      name: "schema-uses-only-error-codes",
      severity: "error",
      from: { path: pkg("schema") },
      to: { path: otherThan("schema", "error-codes") }
    },
    {
      name: "quota-tracker-uses-no-workspace-package",
      severity: "error",
      from: { path: pkg("quota-tracker") },
      to: { path: otherThan("quota-tracker") }
    },
    {
      name: "emulator-uses-only-schema-and-error-codes",
      severity: "error",
      from: { path: pkg("emulator") },
      to: { path: otherThan("emulator", "schema", "error-codes") }
    },
    {
      name: "client-uses-schema-error-codes-quota-tracker",
      severity: "error",
      comment: "The client's tests may also use the emulator; its src/ may not.",
      from: { path: pkg("client"), pathNot: "^packages/client/test/" },
      to: { path: otherThan("client", "schema", "error-codes", "quota-tracker") }
    },
    {
      name: "client-tests-use-the-emulator-too",
      severity: "error",
      from: { path: "^packages/client/test/" },
      to: { path: otherThan("client", "schema", "error-codes", "quota-tracker", "emulator") }
    },
    {
      name: "gateway-uses-client-quota-tracker-schema",
      severity: "error",
      comment:
        "The gateway's tests and its demo may also use the emulator; the rest of its src/ may not (STYLE.md: the emulator only in its tests and demo).",
      from: { path: pkg("gateway"), pathNot: ["^packages/gateway/test/", gatewayDemo] },
      to: { path: otherThan("gateway", "client", "quota-tracker", "schema", "error-codes") }
    },
    {
      name: "gateway-tests-and-demo-use-the-emulator-too",
      severity: "error",
      from: { path: ["^packages/gateway/test/", gatewayDemo] },
      to: { path: otherThan("gateway", "client", "quota-tracker", "schema", "error-codes", "emulator") }
    }
  ],
  options: {
    // the sources: build outputs are only where a package import lands, never cruised themselves
    exclude: { path: "(^|/)(\\.tools|\\.turbo|coverage)/" },
    doNotFollow: { path: ["(^|/)node_modules/", "(^|/)dist/"] },
    // type-only imports are edges too
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    // each package's own package.json, plus the root's (its devDependencies are the shared tooling)
    combinedDependencies: true,
    moduleSystems: ["es6", "cjs"],
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "types", "node", "default"],
      mainFields: ["module", "main", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".d.ts", ".json"]
    },
    reporterOptions: { text: { highlightFocused: true } }
  }
}
