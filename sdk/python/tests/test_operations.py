"""The operations table: its fixed line shape (parsed by the server's tests too) and its use by the client."""

import os
import re
import unittest

from pingvas._operations import OPERATIONS

PACKAGE = os.path.join(os.path.dirname(__file__), "..", "pingvas")
LINE = re.compile(r'^    "(\w+)": \("(GET|POST|PUT|PATCH|DELETE)", "(/api/v1/[^"]*)"\),$', re.MULTILINE)

# The operation ids every SDK calls (docs/developer-platform.md, "SDKs").
EXPECTED = {
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


def source(name):
    with open(os.path.join(PACKAGE, name), encoding="utf-8") as f:
        return f.read()


class OperationsTableTests(unittest.TestCase):
    def test_every_entry_is_one_line_in_the_shared_shape(self):
        parsed = {m.group(1): (m.group(2), m.group(3)) for m in LINE.finditer(source("_operations.py"))}
        self.assertEqual(parsed, OPERATIONS)

    def test_the_table_holds_exactly_the_agreed_operations(self):
        self.assertEqual(OPERATIONS, EXPECTED)

    def test_the_client_calls_every_operation_by_its_id_and_no_path_of_its_own(self):
        code = "".join(source(n) for n in sorted(os.listdir(PACKAGE)) if n.endswith(".py") and n != "_operations.py")
        for operation in OPERATIONS:
            self.assertIn(f'"{operation}"', code, f"{operation} is never called")
        self.assertNotIn("/api/v1", code, "paths belong in _operations.py only")


if __name__ == "__main__":
    unittest.main()
