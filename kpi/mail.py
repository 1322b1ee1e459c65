"""Sending the weekly summary by mail: one multipart message, plain text and HTML.

The SMTP server comes from the environment (``KPI_SMTP_HOST``, ``KPI_SMTP_PORT``,
``KPI_SMTP_USER``, ``KPI_SMTP_PASSWORD``, ``KPI_SMTP_STARTTLS``, ``KPI_MAIL_FROM``), so cron and
systemd can set it beside ``KPI_DB`` without a settings file.
"""

from __future__ import annotations

import os
import smtplib
import socket
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from kpi.errors import InputError, KpiError
from kpi.messages import t


def build_message(
    subject: str, text: str, html: str, sender: str, to: Sequence[str]
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def send(msg: EmailMessage, env: Mapping[str, str] | None = None) -> None:
    env = os.environ if env is None else env
    host = env.get("KPI_SMTP_HOST")
    if not host:
        raise InputError(t("mail.no_host"))
    port = int(env.get("KPI_SMTP_PORT") or 25)
    try:
        with smtplib.SMTP(host, port, timeout=30) as smtp:
            if env.get("KPI_SMTP_STARTTLS", "").lower() in {"1", "true", "yes"}:
                smtp.starttls()
            if env.get("KPI_SMTP_USER"):
                smtp.login(env["KPI_SMTP_USER"], env.get("KPI_SMTP_PASSWORD", ""))
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise KpiError(
            t("mail.failed", host=host, port=port, problem=str(exc) or type(exc).__name__)
        ) from None


def default_sender(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("KPI_MAIL_FROM") or f"kpi@{socket.getfqdn()}"
