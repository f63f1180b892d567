"""A webhook receiver on loopback that counts deliveries by their webhook id."""

import http.server
import threading
from collections import Counter


class Receiver:
    """Answers every POST 200 and counts `webhook-id` headers (a redelivery of the same
    webhook, which partners deduplicate by that id, counts twice)."""

    def __init__(self):
        self.received: Counter = Counter()
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - http.server's naming
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                webhook_id = self.headers.get("webhook-id") or self.headers.get("Webhook-Id") or "?"
                with receiver._lock:
                    receiver.received[webhook_id] += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="chaos-receiver", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def start(self) -> "Receiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
