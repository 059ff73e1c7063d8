"""A throwaway SMTP server for tests (aiosmtpd 1.4.6: scripts/test-services.sh install_smtp_sink).

    python3 scripts/smtp_sink.py OUTDIR [PORT] [MODE...]

Each message it accepts is saved as OUTDIR/<ns>-<n>.eml (the bytes as received, CRLF) beside
<ns>-<n>.json ({"mail_from", "rcpt_tos", "login", "tls"}). Listens on 127.0.0.1:PORT (default 10025).
Modes:
  --auth               offer AUTH PLAIN/LOGIN (also without TLS) and accept any user and password
  --tempfail           answer 451 to RCPT TO
  --tempfail-data      answer 451 to the message data (nothing saved)
  --reject             answer 550 to RCPT TO
  --reject-data        answer 554 to the message data (nothing saved)
  --drop-after-data    save the whole message, then close the connection without answering: the
                       client cannot tell whether it was accepted
  --starttls CERT KEY  offer STARTTLS with this certificate and key (PEM)
  --tls CERT KEY       speak TLS from the start (SMTPS)
"""

import json
import os
import signal
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, outdir, modes):
        self.outdir, self.modes, self.n = outdir, modes, 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "--tempfail" in self.modes:
            return "451 4.3.0 Try again later"
        if "--reject" in self.modes:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if "--tempfail-data" in self.modes:
            return "451 4.3.0 Try again later"
        if "--reject-data" in self.modes:
            return "554 5.6.0 Message refused"
        self.n += 1
        base = os.path.join(self.outdir, "%d-%06d" % (time.time_ns(), self.n))
        login = session.auth_data.login.decode() if session.auth_data else None
        tls = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "login": login, "tls": tls}, f)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)  # raw bytes as received (CRLF line ends)
        os.rename(base + ".tmp", base + ".eml")  # atomic: a poller never sees half a file
        if "--drop-after-data" in self.modes:
            server.transport.abort()  # gone before the answer below can be written
            return "250 never sent"
        return "250 Message accepted"


def tls_context(cert, key):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def main(argv):
    outdir = argv[1]
    port = int(argv[2]) if argv[2:] and argv[2].isdigit() else 10025
    modes = [a for a in argv if a.startswith("--")]
    kw = {}
    if "--auth" in modes:
        kw.update(authenticator=lambda *a: AuthResult(success=True, auth_data=a[-1]), auth_require_tls=False)
    for flag, key in (("--starttls", "tls_context"), ("--tls", "ssl_context")):
        if flag in argv:
            i = argv.index(flag)
            kw[key] = tls_context(argv[i + 1], argv[i + 2])
    os.makedirs(outdir, exist_ok=True)
    controller = Controller(Sink(outdir, modes), hostname="127.0.0.1", port=port, **kw)
    controller.start()  # returns once the port accepts connections
    print("smtp sink ready on 127.0.0.1:%d %s" % (port, " ".join(modes)), flush=True)
    stop = threading.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *a: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main(sys.argv)
