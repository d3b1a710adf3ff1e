"""localstripe (PyPI), the stateful fake Stripe server, on 127.0.0.1 only, for the tests.

localstripe's own entry point listens on every interface and reloads its last state from
disk; this starts the same aiohttp application on 127.0.0.1 from scratch. It adds one route
of our own, beside Stripe's, under localstripe's unauthenticated `/_config/` prefix (a webhook
carries no API key): `/_config/received-webhooks` records the webhooks localstripe delivers to it
(POST) and lists them (GET, `{"data": [{"signature", "body"}, …]}` as Stripe lists things), so a library test can read
what Stripe would send without a daemon to receive it.

Usage: python3 localstripe_loopback.py PORT (0: a port of the kernel's choosing). Once it
listens, it prints its port on a line of its own.
"""

import os
import socket
import sys

from aiohttp import web
from localstripe import server

received = []


async def record(request):
    received.append({"signature": request.headers.get("Stripe-Signature", ""), "body": await request.text()})
    return web.Response()


async def listing(request):
    return web.json_response({"data": received})


server.app.router.add_post("/_config/received-webhooks", record)
server.app.router.add_get("/_config/received-webhooks", listing)

# A Stripe that fails a PaymentIntent create once, then makes it, recording each request's
# headers and body: a fake of our own for the retry path, which localstripe cannot play (it
# neither fails on demand nor honours Idempotency-Key). MODE `error` answers the first try 500
# with Stripe's error object; `dropped` cuts its connection without an answer; `refused`
# answers every try 400, which no retry can mend.
flaky = []


async def flaky_create(request):
    flaky.append({
        "idempotency_key": request.headers.get("Idempotency-Key", ""),
        "stripe_version": request.headers.get("Stripe-Version", ""),
        "body": await request.text(),
    })
    if request.match_info["mode"] == "refused":
        return web.json_response({"error": {"type": "invalid_request_error", "code": "parameter_unknown",
                                            "message": "Received unknown parameter: colour"}}, status=400)
    if len(flaky) == 1:
        if request.match_info["mode"] == "dropped":
            # The connection is cut with no answer, as a proxy or a network would.
            request.transport.close()
            return web.Response()
        return web.json_response({"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}},
                                 status=500)
    return web.json_response({"id": "pi_flaky", "object": "payment_intent", "client_secret": "pi_flaky_secret_x"})


async def flaky_requests(request):
    return web.json_response({"data": flaky})


server.app.router.add_post("/_config/flaky/{mode}/v1/payment_intents", flaky_create)
server.app.router.add_get("/_config/flaky-requests", flaky_requests)

if __name__ == "__main__":
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(sys.argv[1])))
    listener.listen(128)
    print(listener.getsockname()[1], flush=True)
    # Whoever read the port may close its end: nothing more is written there.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    web.run_app(server.app, sock=listener, print=None, access_log=None)
