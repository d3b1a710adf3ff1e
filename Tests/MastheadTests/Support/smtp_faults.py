"""A scripted SMTP responder for the fault cases aiosmtpd cannot play.

Usage: smtp_faults.py --spool DIR --scenario NAME

Scenarios:
  greeting-421-twice  the first two connections get "421" and are closed; later ones are served
  rcpt-451-once       the first RCPT gets "451 4.3.0"; later ones are accepted
  rcpt-550            every RCPT gets "550 5.1.1 no such user"
  silent              connections are accepted and never answered
  drop-in-data        the first connection is dropped in the middle of DATA; later ones are served
  five-hundred-as-4xx RCPT gets "550 4.2.1" (a 5xx code whose enhanced status says: try later), then 250

Served messages go to SPOOL/NNNNNN.eml. Prints "ready PORT" once it listens.
"""
import argparse
import asyncio
import os
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--spool", required=True)
parser.add_argument("--scenario", required=True)
options = parser.parse_args()
os.makedirs(options.spool, exist_ok=True)
state = {"connections": 0, "rcpts": 0, "messages": 0}


async def serve(reader, writer):
    state["connections"] += 1
    number = state["connections"]
    scenario = options.scenario

    def send(line):
        writer.write((line + "\r\n").encode())

    if scenario == "silent":
        await reader.read()  # never answer; wait for the client to give up
        writer.close()
        return
    if scenario == "greeting-421-twice" and number <= 2:
        send("421 4.3.2 try again later")
        await writer.drain()
        writer.close()
        return
    send("220 faults.test ESMTP")
    while True:
        line = await reader.readline()
        if not line:
            break
        command = line.decode(errors="replace").strip()
        verb = command.split(" ", 1)[0].upper()
        if verb == "EHLO":
            send("250-faults.test")
            send("250 ENHANCEDSTATUSCODES")
        elif verb == "HELO":
            send("250 faults.test")
        elif verb == "MAIL":
            send("250 2.1.0 OK")
        elif verb == "RCPT":
            state["rcpts"] += 1
            if scenario == "rcpt-550":
                send("550 5.1.1 no such user")
            elif scenario == "rcpt-451-once" and state["rcpts"] == 1:
                send("451 4.3.0 temporary failure")
            elif scenario == "five-hundred-as-4xx" and state["rcpts"] == 1:
                send("550 4.2.1 mailbox busy, try later")
            else:
                send("250 2.1.5 OK")
        elif verb == "DATA":
            send("354 go ahead")
            await writer.drain()
            data = b""
            while True:
                chunk = await reader.readline()
                if not chunk:
                    break
                if scenario == "drop-in-data" and number == 1 and len(data) > 200:
                    writer.close()
                    return
                if chunk == b".\r\n":
                    break
                data += chunk[1:] if chunk.startswith(b"..") else chunk
            state["messages"] += 1
            with open(os.path.join(options.spool, "%06d.eml" % state["messages"]), "wb") as handle:
                handle.write(data)
            send("250 2.0.0 queued")
        elif verb == "RSET":
            send("250 2.0.0 OK")
        elif verb == "NOOP":
            send("250 2.0.0 OK")
        elif verb == "QUIT":
            send("221 2.0.0 bye")
            await writer.drain()
            break
        else:
            send("502 5.5.2 not implemented")
        await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    print("ready %d" % server.sockets[0].getsockname()[1], flush=True)
    # Run until the test closes our stdin: signals may be blocked in a child of the test runner.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    server.close()


asyncio.run(main())
