"""Telling a TLS failure from other connection failures, and saying which, in plain words."""

from __future__ import annotations

import ssl

from django.utils.translation import gettext as _


def tls_failure(exc: BaseException) -> str:
    """Why a connection failed in the TLS handshake: a certificate problem (see _CERTIFICATE), "tls", or "".

    httpx wraps the ssl module's error in its own ConnectError; the original stays in the exception chain.
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:  # chains can loop back on themselves
        chain.append(current)
        current = current.__cause__ or current.__context__
    for seen in chain:
        text = f"{getattr(seen, 'verify_message', '')} {seen}".lower()
        if isinstance(seen, ssl.SSLCertVerificationError) or "certificate_verify_failed" in text:
            return next((kind for kind in _CERTIFICATE if kind in text), "certificate")
    return "tls" if any(isinstance(seen, ssl.SSLError) or "[SSL" in str(seen) for seen in chain) else ""


# What the ssl module says about a refused certificate (its verify_message), as the reason we give.
_CERTIFICATE = ("self-signed", "expired", "hostname mismatch", "local issuer")


def tls_words(kind: str, url: str) -> str:
    reasons = {
        "self-signed": _("it is self-signed"),
        "expired": _("it has expired"),
        "hostname mismatch": _("it was issued for another name"),
        "local issuer": _("no known authority signed it"),
    }
    values = {"url": url, "reason": reasons.get(kind, "")}
    if kind in reasons:
        return _("The HTTPS certificate of %(url)s is not valid (%(reason)s): fix it or check the address.") % values
    if kind == "certificate":
        return _("The HTTPS certificate of %(url)s is not valid: fix it or check the address.") % values
    return _("The secure (HTTPS) connection to %(url)s failed: check the address and the server's TLS setup.") % values


def tls_reason(exc: BaseException) -> str:
    """Why a TLS connection to a server that is not a web site failed, in words that end a sentence."""
    kind = tls_failure(exc)
    reasons = {
        "self-signed": _("its certificate is self-signed"),
        "expired": _("its certificate has expired"),
        "hostname mismatch": _("its certificate was issued for another name"),
        "local issuer": _("no known authority signed its certificate"),
        "certificate": _("its certificate is not valid"),
    }
    return reasons.get(kind) or _("the server does not speak TLS on this port, or not a version Fédère accepts")


def tls_refused(exc: BaseException, where: str) -> str:
    """The whole sentence: a TLS connection to ``where`` (host:port) failed, and why."""
    return _("The secure connection (TLS) to %(where)s failed: %(reason)s.") % {
        "where": where,
        "reason": tls_reason(exc),
    }
