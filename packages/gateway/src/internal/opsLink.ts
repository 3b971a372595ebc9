/**
 * The one place the request path gets its operations side from (`internal/ops.ts`: metrics,
 * access log, status document, health and readiness).
 */
export { make, type Ops, type OpsOptions } from "./ops.js"
