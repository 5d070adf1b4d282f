#!/usr/bin/env python3
"""smtp_sink.py — a real SMTP server on 127.0.0.1 for the browser tests
(tests/e2e/harness.mjs: startSmtpSink), on Debian's python3-aiosmtpd as the
integration tests' SmtpSink (tests/integration/harness.py) is.

    python3 tests/smtp_sink.py PORT DIR

Accepts every mail and writes it whole to DIR/NNNN.eml (the envelope's
recipients on a first line "X-Rcpt: a, b"), numbered in the order received;
prints "ready" on stdout once it listens; stops on SIGTERM or SIGINT."""
import os
import signal
import sys
import threading

try:
    from aiosmtpd.controller import Controller
except ImportError:      # a Python of its own (pyenv) beside Debian's packages
    sys.path.append("/usr/lib/python3/dist-packages")
    from aiosmtpd.controller import Controller


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    lock = threading.Lock()
    count = [0]

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            data = envelope.original_content or envelope.content
            with lock:
                count[0] += 1
                path = os.path.join(out, f"{count[0]:04d}.eml")
            with open(path + ".part", "wb") as f:
                f.write(b"X-Rcpt: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
                f.write(data)
            os.rename(path + ".part", path)
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print("ready", flush=True)
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()
