"""Database URLs: a SQLite file's told from a server's, and passwords never shown.

``safe_url`` masks the password wherever a URL is named in a message; ``redact`` masks it, in
whatever form, in any text (an error, a traceback: cron mails stderr).
"""

from __future__ import annotations

import re
from pathlib import Path

from kpi.errors import InputError
from kpi.locale import t

_SQLITE_URL = re.compile(r"^sqlite(?:\+pysqlite)?://(?P<rest>.*)$", re.I)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_QUERY_SECRET = re.compile(
    r"(?P<head>[?&](?:password|passwd|pwd|sslpassword)=)(?P<secret>[^&#]*)", re.I
)


def _userinfo_secret(url: str) -> tuple[int, int] | None:
    """Where the password of ``scheme://user:password@host`` lies in ``url``.

    A password may hold ``/``, ``?``, ``#`` and even ``@`` unencoded (SQLAlchemy reads them so,
    or splits the password at its first ``@`` and takes the rest for the host): everything from
    the first ``:`` after the user name to the last ``@`` counts as secret. Masking too much of a
    rare URL is better than showing a password."""
    found = _SCHEME.match(url)
    if not found:
        return None
    start = found.end()
    at = url.rfind("@")
    if at < start:
        return None
    colon = url.find(":", start, at)
    return None if colon < 0 else (colon + 1, at)


def safe_url(url: str) -> str:
    """The URL with its password (``user:secret@`` or ``?password=``) shown as ``***``."""
    span = _userinfo_secret(url)
    if span is not None and span[1] > span[0]:
        url = url[: span[0]] + "***" + url[span[1] :]
    return _QUERY_SECRET.sub(r"\g<head>***", url)


def secrets_of(url: str) -> list[str]:
    """The passwords a URL holds, to be masked wherever they might be printed: each whole, as
    written and decoded (``%40`` is ``@``), and the parts a driver might show apart (split at
    ``@``, ``/``, ``?``, ``#`` or ``:``), longest first."""
    from urllib.parse import unquote

    found = [m.group("secret") for m in _QUERY_SECRET.finditer(url)]
    span = _userinfo_secret(url)
    if span is not None:
        found.append(url[span[0] : span[1]])
    forms = {form for secret in found for form in (secret, unquote(secret))}
    forms |= {part for form in forms for part in re.split(r"[@/?#:]", form) if len(part) >= 4}
    return sorted((f for f in forms if f), key=len, reverse=True)


def redact(text: str, url: str) -> str:
    """``text`` (an error, a traceback) with the URL's passwords masked, in whatever form."""
    for secret in secrets_of(url):
        text = text.replace(secret, "***")
    return text


def sqlite_target(url: str) -> tuple[Path, bool] | None:
    """The file of a SQLite URL and whether it asks to be read only (``?mode=ro``); None for a
    server's URL. ``sqlite:///rel/path``, ``sqlite:////abs/path`` and ``sqlite+pysqlite:`` alike."""
    match = _SQLITE_URL.match(url)
    if not match:
        return None
    rest = match["rest"]
    if not rest.startswith("/"):
        raise InputError(t("db.bad_url", url=safe_url(url), problem=t("db.sqlite_url_form")))
    path, _, query = rest[1:].partition("?")
    if not path:
        raise InputError(t("db.bad_url", url=safe_url(url), problem=t("db.sqlite_memory")))
    options = dict(part.partition("=")[::2] for part in query.split("&") if part)
    return Path(path), options.get("mode") == "ro"
