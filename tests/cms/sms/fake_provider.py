"""A stand-in for Brevo's and OVHcloud's SMS APIs, served on 127.0.0.1.

It answers what the real plugins call: Brevo's ``POST
/v3/transactionalSMS/send`` (``api-key`` header) and OVH's ``GET /auth/time``
and ``POST /sms/{service}/jobs`` (signed ``X-Ovh-*`` headers, checked as OVH
checks them). A test sets ``mode`` to ``"ok"``, ``"refuse"`` or ``"down"``
(a server error) and reads ``messages``."""

import hashlib
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BREVO_KEY = "xkeysib-test"
OVH_APP_KEY = "app-key"
OVH_APP_SECRET = "app-secret"
OVH_CONSUMER_KEY = "consumer-key"


class FakeSmsProvider:
    def __init__(self):
        self.mode = "ok"
        self.messages: list[dict] = []
        self._ids = itertools.count(1000)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, data):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/auth/time":
                    return self._answer(200, int(time.time()))
                return self._answer(404, {"message": "not found"})

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if fake.mode == "down":
                    return self._answer(503, {"message": "unavailable"})
                if self.path == "/v3/transactionalSMS/send":
                    return self._brevo(json.loads(raw))
                if self.path.startswith("/sms/") and self.path.endswith("/jobs"):
                    return self._ovh(raw)
                return self._answer(404, {"message": "not found"})

            def _brevo(self, data):
                if self.headers.get("api-key") != BREVO_KEY:
                    return self._answer(401, {"code": "unauthorized", "message": "Key not found"})
                if fake.mode == "refuse":
                    return self._answer(402, {"code": "not_enough_credits", "message": "No credit"})
                fake.messages.append({"provider": "brevo", **data})
                message_id = next(fake._ids)
                return self._answer(
                    201,
                    {"reference": f"ref-{message_id}", "messageId": message_id, "smsCount": 1},
                )

            def _ovh(self, raw):
                url = fake.url + self.path
                timestamp = self.headers.get("X-Ovh-Timestamp", "")
                # OVH's own signature scheme, as its client computes it.
                expected = (
                    "$1$"
                    + hashlib.sha1(  # noqa: S324
                        "+".join(
                            [OVH_APP_SECRET, OVH_CONSUMER_KEY, "POST", url, raw.decode(), timestamp]
                        ).encode()
                    ).hexdigest()
                )
                if (
                    self.headers.get("X-Ovh-Application") != OVH_APP_KEY
                    or self.headers.get("X-Ovh-Signature") != expected
                ):
                    return self._answer(403, {"message": "Invalid signature"})
                data = json.loads(raw)
                if fake.mode == "refuse":
                    return self._answer(400, {"message": "Not enough credits"})
                fake.messages.append({"provider": "ovh", **data})
                return self._answer(
                    200,
                    {
                        "ids": [next(fake._ids)],
                        "invalidReceivers": [],
                        "validReceivers": data["receivers"],
                        "totalCreditsRemoved": 1,
                    },
                )

        return Handler
