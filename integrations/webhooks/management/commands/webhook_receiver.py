"""A receiver for trying webhooks in development: it listens on 127.0.0.1, checks each
delivery's Standard Webhooks signature with the subscription's secret, prints what it
received, and answers 204 (or 401 when the signature does not verify).

    python manage.py webhook_receiver --port 9000 --secret whsec_...

Subscribe `http://127.0.0.1:9000/hook` (plain HTTP and a loopback address are allowed
only with DEBUG on: WEBHOOKS_ALLOW_HTTP, WEBHOOKS_ALLOW_PRIVATE_ADDRESSES)."""

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core.management.base import BaseCommand, CommandError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

MAX_BODY_BYTES = 1024 * 1024


def receiver_handler(secret: str, write) -> type[BaseHTTPRequestHandler]:
    """A request handler class verifying with `secret` and reporting through `write`
    (a function taking one line of text)."""
    verifier = Webhook(secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self.send_response(413)
                self.end_headers()
                return
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            try:
                verifier.verify(body, headers)
            except WebhookVerificationError as error:
                write(f"REFUSED {headers.get('webhook-id', '?')}: {error}")
                self.send_response(401)
                self.end_headers()
                return
            message = json.loads(body)
            write(
                f"VERIFIED {headers['webhook-id']} {message.get('type')} "
                f"{json.dumps(message.get('data'), sort_keys=True)}"
            )
            self.send_response(204)
            self.end_headers()

        def log_message(self, format, *args):  # noqa: A002 - http.server's signature
            pass  # one line per delivery is printed above

    return Handler


class Command(BaseCommand):
    help = "Listen on 127.0.0.1 for webhook deliveries and verify their signatures (development)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=9000)
        parser.add_argument("--secret", required=True, help="The subscription's secret (whsec_...).")

    def handle(self, *args, port, secret, **options):
        try:
            handler = receiver_handler(secret, self.stdout.write)
        except Exception as error:
            raise CommandError(f"Not a webhook secret: {error}") from error
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.stdout.write(f"Listening on http://127.0.0.1:{port}/hook (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
