/**
 * The Image Insights operations of the client: Image Insights (`GET /v7.0/images/details`) and
 * Visual Search (`POST /v7.0/images/visualsearch`, a multipart body of the `knowledgeRequest` JSON
 * and/or the image's bytes). Each is the schema's parameter codec (checked before any quota is
 * spent) and response decoder; `BingClient` runs them through the same attempts, tiers and
 * refusals as the others, and sends the same body bytes on every attempt of a call.
 */
import { ImageInsights, ImageInsightsParams, VisualSearchParams } from "@bing-effect/schema"
import * as Multipart from "./multipart.js"
import * as Operation from "./operation.js"

/** Image Insights (`GET /v7.0/images/details`). */
export const imageInsights: Operation.Operation<ImageInsightsParams.ImageInsightsParams, ImageInsights.ImageInsights> =
  Operation.make("imageInsights", "/v7.0/images/details", ImageInsightsParams, ImageInsights.decodeImageInsights)

const encoder = new TextEncoder()

/** The body of a checked Visual Search request: `knowledgeRequest` first, then the image. */
const bodyOf = (request: VisualSearchParams.VisualSearchRequest): Multipart.RequestBody =>
  Multipart.encode([
    ...(request.knowledgeRequest === undefined
      ? []
      : [{ name: "knowledgeRequest" as const, bytes: encoder.encode(JSON.stringify(request.knowledgeRequest)) }]),
    ...(request.image === undefined
      ? []
      : [{ name: "image" as const, bytes: request.image, type: request.imageType ?? "image/jpeg" }])
  ])

/** Visual Search (`POST /v7.0/images/visualsearch`). */
export const visualSearch: Operation.Operation<VisualSearchParams.VisualSearchRequest, ImageInsights.ImageKnowledge> =
  Operation.withBody(
    Operation.make(
      "visualSearch",
      "/v7.0/images/visualsearch",
      { validate: VisualSearchParams.validate, toQuery: VisualSearchParams.toQuery },
      ImageInsights.decodeImageKnowledge
    ),
    bodyOf
  )
