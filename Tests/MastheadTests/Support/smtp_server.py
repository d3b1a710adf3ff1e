"""A real SMTP server for the tests: aiosmtpd as it is, on 127.0.0.1.

Usage: smtp_server.py --spool DIR [--tls CERT KEY] [--implicit-tls] [--auth USER:PASSWORD] [--no-smtputf8]

Each message received is written to SPOOL/NNNNNN.eml (the data as received, un-dot-stuffed)
and SPOOL/NNNNNN.json (envelope and session). Prints "ready PORT" once it listens.
"""
import argparse
import asyncio
import json
import os
import socket
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("--spool", required=True)
parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
parser.add_argument("--implicit-tls", action="store_true")
parser.add_argument("--auth")
parser.add_argument("--no-smtputf8", action="store_true")
parser.add_argument("--auth-only", help="offer only this AUTH mechanism (PLAIN or LOGIN)")
parser.add_argument("--port", type=int, default=0, help="listen here (default: a free port)")
options = parser.parse_args()
os.makedirs(options.spool, exist_ok=True)
counter = {"next": 0}


class Spool:
    async def handle_DATA(self, server, session, envelope):
        counter["next"] += 1
        name = os.path.join(options.spool, "%06d" % counter["next"])
        with open(name + ".eml.tmp", "wb") as handle:
            handle.write(envelope.original_content)
        with open(name + ".json", "w") as handle:
            json.dump({
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "mail_options": envelope.mail_options,
                "peer_port": session.peer[1],
                "tls": server.transport.get_extra_info("sslcontext") is not None,
                "authenticated": session.authenticated,
            }, handle)
        os.rename(name + ".eml.tmp", name + ".eml")
        return "250 2.0.0 OK queued as %06d" % counter["next"]


def authenticator(server, session, envelope, mechanism, auth_data):
    if not isinstance(auth_data, LoginPassword) or options.auth is None:
        return AuthResult(success=False, handled=False)
    user, password = options.auth.split(":", 1)
    ok = auth_data.login.decode() == user and auth_data.password.decode() == password
    # An explicit message: aiosmtpd 1.4 otherwise leaves a failed AUTH unanswered.
    return AuthResult(success=ok, handled=False, message=None if ok else "535 5.7.8 Authentication credentials invalid")


context = None
if options.tls:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*options.tls)

# aiosmtpd's controller cannot listen on port 0: ask the kernel for a free port first.
port = options.port
if port == 0:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()

kwargs = dict(
    hostname="127.0.0.1", port=port, decode_data=False, enable_SMTPUTF8=not options.no_smtputf8,
    auth_require_tls=bool(options.tls), auth_required=options.auth is not None,
    authenticator=authenticator if options.auth else None,
)
if options.auth_only:
    kwargs["auth_exclude_mechanism"] = [m for m in ("PLAIN", "LOGIN") if m != options.auth_only.upper()]
if options.tls and options.implicit_tls:
    kwargs["ssl_context"] = context
elif options.tls:
    kwargs["tls_context"] = context
    kwargs["require_starttls"] = True
controller = Controller(Spool(), **kwargs)
controller.start()
print("ready %d" % port, flush=True)
try:
    sys.stdin.read()  # run until the test closes our stdin (or kills us)
finally:
    controller.stop()
