"""A loopback HTTP server that answers from a script, and records what it was sent: for unit tests without Pingvas."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional, Union


@dataclass
class Answer:
    status: int = 200
    body: Union[bytes, str, dict, list, None] = None
    headers: Dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


@dataclass
class Received:
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes


def problem(status: int, code: str, headers: Optional[Dict[str, str]] = None, **extra: object) -> Answer:
    body = {"type": "about:blank", "title": code.replace("_", " "), "status": status, "code": code, **extra}
    return Answer(status, body, {"Content-Type": "application/problem+json", **(headers or {})})


class StubServer:
    """``answers`` are used in order; each is an Answer or a function of the request giving one."""

    def __init__(self, answers: List[Union[Answer, Callable[[Received], Answer]]]) -> None:
        self.answers = list(answers)
        self.received: List[Received] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
                stub.received.append(request)
                answer = stub.answers.pop(0) if stub.answers else Answer(500, {"code": "stub_script_empty"})
                if callable(answer):
                    answer = answer(request)
                if answer.drop:
                    self.close_connection = True
                    return
                body = answer.body
                if isinstance(body, (dict, list)):
                    data = json.dumps(body).encode()
                    answer.headers.setdefault("Content-Type", "application/json")
                elif isinstance(body, str):
                    data = body.encode()
                else:
                    data = body or b""
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if "text/event-stream" not in answer.headers.get("Content-Type", ""):
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "StubServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
