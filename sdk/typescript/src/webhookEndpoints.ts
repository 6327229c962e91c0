import type { CallOptions, Transport } from "./http.js";
import { pages } from "./paging.js";
import type { Page, WebhookDelivery, WebhookEndpoint, WebhookEventType } from "./types.js";

export interface CreateWebhookEndpoint {
  /** An https URL (http only where the server allows private targets, in tests). */
  url: string;
  events: WebhookEventType[];
  description?: string;
}

export interface RotateSecretOptions extends CallOptions {
  /** Hours (0–72, default 24) during which deliveries are signed with the old secret too. */
  overlapHours?: number;
}

export interface ListDeliveriesParams extends CallOptions {
  limit?: number;
  cursor?: string;
}

/** `/webhook-endpoints` (a key needs the `webhooks` scope). */
export class WebhookEndpoints {
  constructor(private readonly transport: Transport) {}

  /** Registers an endpoint; the answer's `secret` (`whsec_…`) is shown only here: keep it to verify deliveries. */
  create(endpoint: CreateWebhookEndpoint, options: CallOptions = {}): Promise<WebhookEndpoint> {
    return this.transport.json("createWebhookEndpoint", { body: endpoint, signal: options.signal });
  }

  async list(options: CallOptions = {}): Promise<WebhookEndpoint[]> {
    const answer = await this.transport.json<{ items: WebhookEndpoint[] }>("listWebhookEndpoints", { signal: options.signal });
    return answer.items;
  }

  get(id: string, options: CallOptions = {}): Promise<WebhookEndpoint> {
    return this.transport.json("getWebhookEndpoint", { params: { id }, signal: options.signal });
  }

  /** Deletes the endpoint and its delivery log. */
  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await this.transport.json<void>("deleteWebhookEndpoint", { params: { id }, signal: options.signal });
  }

  /** A new signing secret (returned); the old one keeps signing too for `overlapHours`. */
  async rotateSecret(id: string, options: RotateSecretOptions = {}): Promise<string> {
    const body = options.overlapHours === undefined ? {} : { overlapHours: options.overlapHours };
    const answer = await this.transport.json<{ secret: string }>("rotateWebhookEndpointSecret", { params: { id }, body, signal: options.signal });
    return answer.secret;
  }

  /** The endpoint's deliveries, newest first, page by page. */
  deliveries(id: string, params: ListDeliveriesParams = {}): AsyncGenerator<Page<WebhookDelivery>, void, undefined> {
    const { signal, limit } = params;
    return pages(
      (cursor) => this.transport.json<Page<WebhookDelivery>>("listWebhookDeliveries", { params: { id }, query: { limit, cursor }, signal }),
      params.cursor,
    );
  }
}
