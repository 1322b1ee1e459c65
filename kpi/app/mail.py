"""Sending the weekly summary by mail: one multipart message, plain text and HTML.

The SMTP server comes from the environment, so cron and systemd can set it beside ``KPI_DB``
without a settings file:

- ``KPI_SMTP_HOST``, ``KPI_SMTP_PORT`` (25; 465 with ``KPI_SMTP_SSL``), ``KPI_MAIL_FROM``;
- ``KPI_SMTP_STARTTLS=1`` (upgrade the connection) or ``KPI_SMTP_SSL=1`` (TLS from the start):
  the server's certificate and host name are verified against the system's trust store, or
  against ``KPI_SMTP_CAFILE`` for an office's own certificate authority;
- ``KPI_SMTP_USER``/``KPI_SMTP_PASSWORD``: sent only over a verified TLS connection, unless
  ``KPI_SMTP_INSECURE=1`` says, explicitly, that a plain or unverified one will do.

Everything is checked before the report is built (``prepare``): the addresses (no line breaks,
one ``@``), the port, the security settings; a failure to send is one line naming the server.
"""

from __future__ import annotations

import re
import smtplib
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from kpi.env import Env
from kpi.errors import InputError, KpiError
from kpi.locale import t
from kpi.safety import neutralise

# local@domain, with nothing a mail header could be split at or fooled by.
_ADDRESS = re.compile(r"^[^\s@<>(),;:\"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


@dataclass(frozen=True, slots=True)
class Server:
    host: str
    port: int
    security: str  # "starttls", "ssl" or "plain"
    user: str | None = None
    password: str | None = None
    cafile: str | None = None
    insecure: bool = False  # the user said plainly that an unverified connection will do


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A mail ready to be built once the report is: the server, the sender, the addresses."""

    server: Server
    sender: str
    to: tuple[str, ...]

    def build(self, subject: str, text: str, html: str) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = header_text(subject)
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        msg.set_content(text, subtype="plain", charset="utf-8")
        msg.add_alternative(html, subtype="html", charset="utf-8")
        return msg


def header_text(text: str) -> str:
    """``text`` as one line a mail header can hold: control and invisible characters made
    visible, every kind of line break a space, and no longer than a subject should be."""
    text = neutralise(text)
    text = "".join(" " if ch in _HEADER_BREAKS else ch for ch in text).strip()
    return text if len(text) <= MAX_SUBJECT else text[:MAX_SUBJECT] + "…"


# What Python's email package (str.splitlines) would take for the end of a header line.
_HEADER_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
MAX_SUBJECT = 200


def check_address(address: str, where: str) -> str:
    """One mail address, refused with a line saying why if it could be misread or split: a line
    break or control character, anything but ``local@domain``, or longer than SMTP allows."""
    if any(ch in address for ch in "\r\n") or not address.isprintable():
        raise InputError(t("mail.address_control", where=where, value=_shown(address)))
    address = address.strip()
    local = address.rpartition("@")[0]
    if not _ADDRESS.match(address) or len(local) > 64 or len(address) > 254:
        raise InputError(t("mail.bad_address", where=where, value=_shown(address)))
    return address


def server_from(env: Env) -> Server:
    host = (env.get("KPI_SMTP_HOST") or "").strip()
    if not host:
        raise InputError(t("mail.no_host"))
    if not re.match(r"^[A-Za-z0-9.:\-\[\]]+$", host):
        raise InputError(t("mail.bad_host", value=_shown(host)))
    ssl_on, starttls = env.flag("KPI_SMTP_SSL"), env.flag("KPI_SMTP_STARTTLS")
    if ssl_on and starttls:
        raise InputError(t("mail.ssl_and_starttls"))
    security = "ssl" if ssl_on else "starttls" if starttls else "plain"
    raw_port = (env.get("KPI_SMTP_PORT") or "").strip()
    port = 465 if security == "ssl" else 25
    if raw_port:
        if not re.fullmatch(r"[0-9]{1,5}", raw_port) or not 0 < int(raw_port) < 65536:
            raise InputError(t("mail.bad_port", value=_shown(raw_port)))
        port = int(raw_port)
    user = env.get("KPI_SMTP_USER")
    insecure = env.flag("KPI_SMTP_INSECURE")
    if user and security == "plain" and not insecure:
        raise InputError(t("mail.plain_login", host=host))
    return Server(
        host=host,
        port=port,
        security=security,
        user=user,
        password=env.get("KPI_SMTP_PASSWORD") or "",
        cafile=env.get("KPI_SMTP_CAFILE"),
        insecure=insecure,
    )


def prepare(env: Env, to: Sequence[str]) -> Outgoing:
    """The server, the sender and the addresses, all checked: nothing is built or sent yet."""
    server = server_from(env)
    sender = env.get("KPI_MAIL_FROM") or f"kpi@{socket.getfqdn()}"
    sender = check_address(sender, "KPI_MAIL_FROM")
    addresses = tuple(check_address(a, "--mail-to") for a in to)
    return Outgoing(server, sender, addresses)


def _context(server: Server):  # type: ignore[no-untyped-def]
    import ssl

    try:
        context = ssl.create_default_context(cafile=server.cafile or None)
    except (OSError, ssl.SSLError) as exc:
        raise InputError(
            t("mail.bad_cafile", path=server.cafile, problem=getattr(exc, "strerror", None) or exc)
        ) from None
    if server.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def send(msg: EmailMessage, outgoing: Outgoing | None = None) -> None:
    server = outgoing.server if outgoing else None
    if server is None:
        raise InputError(t("mail.no_host"))
    try:
        smtp: smtplib.SMTP
        if server.security == "ssl":
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=30, context=_context(server))
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=30)
        with smtp:
            if server.security == "starttls":
                smtp.starttls(context=_context(server))
            if server.user:
                smtp.login(server.user, server.password or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        import ssl

        problem = str(exc) or type(exc).__name__
        if server.password:
            problem = problem.replace(server.password, "***")
        if isinstance(exc, ssl.SSLCertVerificationError):
            problem = exc.verify_message or problem
            raise KpiError(
                t("mail.cert_failed", host=server.host, port=server.port, problem=_shown(problem))
            ) from None
        raise KpiError(
            t("mail.failed", host=server.host, port=server.port, problem=_shown(problem))
        ) from None


def _shown(text: str, limit: int = 200) -> str:
    text = neutralise(text)
    return text if len(text) <= limit else text[:limit] + "…"
