"""Every HTTP call the SDK makes, by its OpenAPI ``operationId``: the one table the client uses.

Kept one entry per line in a fixed shape so a test can compare it with the server's OpenAPI document.
"""

from typing import Dict, Tuple

OPERATIONS: Dict[str, Tuple[str, str]] = {
    "createGeneration": ("POST", "/api/v1/generations"),
    "listGenerations": ("GET", "/api/v1/generations"),
    "getGeneration": ("GET", "/api/v1/generations/{id}"),
    "cancelGeneration": ("POST", "/api/v1/generations/{id}/cancel"),
    "estimateGeneration": ("POST", "/api/v1/generations/estimate"),
    "streamGenerationEvents": ("GET", "/api/v1/generations/{id}/events"),
    "streamAllGenerationEvents": ("GET", "/api/v1/generations/events"),
    "listModels": ("GET", "/api/v1/models"),
    "listImages": ("GET", "/api/v1/images"),
    "getImage": ("GET", "/api/v1/images/{id}"),
    "getImageContent": ("GET", "/api/v1/images/{id}/content"),
    "listWebhookEndpoints": ("GET", "/api/v1/webhook-endpoints"),
    "createWebhookEndpoint": ("POST", "/api/v1/webhook-endpoints"),
    "getWebhookEndpoint": ("GET", "/api/v1/webhook-endpoints/{id}"),
    "deleteWebhookEndpoint": ("DELETE", "/api/v1/webhook-endpoints/{id}"),
    "rotateWebhookEndpointSecret": ("POST", "/api/v1/webhook-endpoints/{id}/rotate-secret"),
    "listWebhookDeliveries": ("GET", "/api/v1/webhook-endpoints/{id}/deliveries"),
}
