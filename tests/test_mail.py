"""Mailing the weekly summary to a real SMTP server on loopback, over TLS and not.

A private certificate authority and a server certificate for ``localhost`` are made with the
``openssl`` command; aiosmtpd serves STARTTLS (port 587's way), TLS from the start (465's) and a
plain connection. The certificate and the host name are verified, a private CA works through
``KPI_SMTP_CAFILE``, and the password is never sent over a plain or unverified connection unless
``KPI_SMTP_INSECURE=1`` says so. What is refused before any connection (addresses, ports) is in
the hostile corpus (``tests/test_hostile.py``).
"""

from __future__ import annotations

import contextlib
import email
import email.header
import email.policy
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kpi.app import mail
from kpi.env import Env
from tests.conftest import Run
from tests.test_trust import copy_loaded, loaded_template

controller = pytest.importorskip("aiosmtpd.controller")
smtp = pytest.importorskip("aiosmtpd.smtp")

FROM, TO = "kpi@xjwc.example", "head@xjwc.example"
USER, PASSWORD = "kpi-mailer", "Mail-pw-7731"
SUBJECT = "新江湾城街道2025年主要工作安排 · 2025年第27周进度周报（截至 2025-07-02）"
CERT_FAILED = "错误：{host}:{port} 的证书未通过验证（{problem}）；单位自建的证书机构请设 KPI_SMTP_CAFILE=证书文件\n"


@dataclass
class Pki:
    ca: Path
    cert: Path
    key: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A CA, and a certificate it signed for the name localhost (and no IP address)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make certificates")
    d = tmp_path_factory.mktemp("pki")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=d, check=True, capture_output=True)

    run(
        *("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2"),
        *("-subj", "/CN=kpi test CA", "-addext", "basicConstraints=critical,CA:TRUE"),
        *("-addext", "keyUsage=critical,keyCertSign,cRLSign"),
    )
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    (d / "ext.cnf").write_text(
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
    )
    run(
        *("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key"),
        *("-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf"),
    )
    return Pki(d / "ca.pem", d / "server.pem", d / "server.key")


@dataclass
class Server:
    port: int
    received: list[Any] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def _serve(pki: Pki, kind: str) -> Iterator[Server]:
    """An SMTP server on loopback: ``starttls``, ``ssl`` or ``plain`` (logins allowed in plain)."""
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(pki.cert, pki.key)
    server = Server(_free_port())

    class Keep:
        async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
            server.received.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    def authenticator(_s: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any) -> Any:
        server.logins.append((data.login.decode(), data.password.decode()))
        return smtp.AuthResult(success=True)

    options: dict[str, Any] = {"authenticator": authenticator}
    if kind == "starttls":
        options.update(tls_context=tls, require_starttls=True)
    elif kind == "ssl":  # aiosmtpd counts only STARTTLS as TLS: this connection is TLS anyway
        options.update(ssl_context=tls, auth_require_tls=False)
    else:
        options.update(auth_require_tls=False)
    running = controller.Controller(Keep(), hostname="127.0.0.1", port=server.port, **options)
    running.start()
    try:
        yield server
    finally:
        running.stop()


@pytest.fixture(scope="module")
def servers(pki: Pki) -> Iterator[dict[str, Server]]:
    with (
        _serve(pki, "starttls") as starttls,
        _serve(pki, "ssl") as tls,
        _serve(pki, "plain") as plain,
    ):
        yield {"starttls": starttls, "ssl": tls, "plain": plain}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    return loaded_template(tmp_path_factory)


@pytest.fixture
def send(
    run: Run,
    servers: dict[str, Server],
    template: Path | None,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Any]:
    """``send("starttls", host="localhost", KPI_SMTP_CAFILE=...)`` → the result and the server,
    which holds only what this test sent."""
    copy_loaded(template, run)
    for server in servers.values():
        server.received.clear()
        server.logins.clear()

    def sending(kind: str, host: str = "localhost", **env: str) -> tuple[Any, Server]:
        server = servers[kind]
        settings = {
            "KPI_SMTP_HOST": host,
            "KPI_SMTP_PORT": str(server.port),
            "KPI_MAIL_FROM": FROM,
            "KPI_SMTP_USER": USER,
            "KPI_SMTP_PASSWORD": PASSWORD,
            **({"KPI_SMTP_STARTTLS": "1"} if kind == "starttls" else {}),
            **({"KPI_SMTP_SSL": "1"} if kind == "ssl" else {}),
            **env,
        }
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        return run("report", "weekly", "--mail-to", TO), server

    yield sending
    for name in ("KPI_SMTP_CAFILE", "KPI_SMTP_INSECURE", "KPI_SMTP_STARTTLS", "KPI_SMTP_SSL"):
        monkeypatch.delenv(name, raising=False)


def _arrived(server: Server) -> None:
    """One mail arrived, as sent: from, to, the subject, a plain and an HTML part."""
    [message] = server.received
    assert (message["From"], message["To"]) == (FROM, TO)
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert subject == SUBJECT
    parts = {p.get_content_type() for p in message.walk() if not p.is_multipart()}
    assert parts == {"text/plain", "text/html"}


@pytest.mark.parametrize("kind", ["starttls", "ssl"])
def test_a_certificate_from_an_unknown_authority_is_refused(send: Any, kind: str) -> None:
    result, server = send(kind)
    assert result.exit_code == 1
    problem = "unable to get local issuer certificate"
    assert result.stderr == CERT_FAILED.format(host="localhost", port=server.port, problem=problem)
    assert server.received == [] and server.logins == []


@pytest.mark.parametrize("kind", ["starttls", "ssl"])
def test_the_office_authority_in_kpi_smtp_cafile_is_trusted(send: Any, pki: Pki, kind: str) -> None:
    result, server = send(kind, KPI_SMTP_CAFILE=str(pki.ca))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith(f"已发送至 {TO}\n")
    assert server.logins == [(USER, PASSWORD)]
    _arrived(server)


def test_a_certificate_for_another_name_is_refused(send: Any, pki: Pki) -> None:
    result, server = send("starttls", host="127.0.0.1", KPI_SMTP_CAFILE=str(pki.ca))
    problem = "IP address mismatch, certificate is not valid for '127.0.0.1'."
    assert result.exit_code == 1
    assert result.stderr == CERT_FAILED.format(host="127.0.0.1", port=server.port, problem=problem)
    assert server.received == [] and server.logins == []


def test_no_password_over_a_plain_connection(send: Any) -> None:
    result, server = send("plain")
    assert result.exit_code == 2
    assert result.stderr == (
        "错误：不会在未加密的连接上把密码发给 localhost；请设置 KPI_SMTP_STARTTLS=1 或 "
        "KPI_SMTP_SSL=1（确需明文时设 KPI_SMTP_INSECURE=1）\n"
    )
    assert result.stdout == ""  # refused before the report was made
    assert server.received == [] and server.logins == []


@pytest.mark.parametrize("kind", ["starttls", "plain"])
def test_insecure_says_plainly_that_an_unverified_connection_will_do(send: Any, kind: str) -> None:
    result, server = send(kind, KPI_SMTP_INSECURE="1")
    assert result.exit_code == 0, result.stderr
    assert server.logins == [(USER, PASSWORD)]
    _arrived(server)


def test_an_unreadable_cafile_is_one_line(send: Any, tmp_path: Path) -> None:
    result, server = send("starttls", KPI_SMTP_CAFILE=str(tmp_path / "none.pem"))
    assert result.exit_code == 2
    assert result.stderr == (
        f"错误：无法读取 KPI_SMTP_CAFILE {tmp_path / 'none.pem'}：No such file or directory\n"
    )
    assert server.received == []


def test_control_characters_never_reach_a_subject_or_split_a_header() -> None:
    outgoing = mail.prepare(Env({"KPI_SMTP_HOST": "localhost", "KPI_MAIL_FROM": FROM}), [TO])
    nasty = "周报\x1b[31m\r\nBcc: spy@evil.example\u2028X-Evil: 1\u202e" + "长" * 300
    message = outgoing.build(nasty, "正文", "<p>正文</p>")
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert sorted(parsed.keys()) == sorted(
        ["Subject", "From", "To", "Date", "Message-ID", "MIME-Version", "Content-Type"]
    )
    subject = str(parsed["Subject"])
    assert subject.startswith("周报<U+001B>[31m<U+000D> Bcc: spy@evil.example X-Evil: 1<U+202E>长")
    assert len(subject) == 201 and subject.endswith("…")
