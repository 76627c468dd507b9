"""The TLS handshake with the portal's host, as evidence for ``security.https``.

Scrapy does not verify certificates (a crawler must read broken sites too),
so the certificate is judged here, once per run, with Python's ``ssl`` and the
system's trust store (plus ``--ca-file`` for intranets and tests): the same
verification a browser does. When verification fails the handshake is
repeated without it, so the report can still show the negotiated TLS version
and what the certificate says. This gathers facts; ``security.https`` judges.
"""
from __future__ import annotations

import socket
import ssl
from datetime import timezone
from typing import Any

from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID


def _name(name: x509.Name) -> str:
    cn = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    org = name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    parts = [str(a.value) for a in cn[:1] + org[:1]]
    return ", ".join(parts) or name.rfc4514_string()


def describe_certificate(der: bytes) -> dict[str, Any]:
    """Subject, issuer, validity and names of a DER certificate (no judgement)."""
    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
        names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
        names += [str(n) for n in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        names = []
    return {
        "subject": _name(cert.subject), "issuer": _name(cert.issuer),
        "self_signed": cert.issuer == cert.subject,
        "not_before": cert.not_valid_before_utc.astimezone(timezone.utc).isoformat(),
        "not_after": cert.not_valid_after_utc.astimezone(timezone.utc).isoformat(),
        "names": names[:20], "serial": format(cert.serial_number, "x"),
        "signature_algorithm": getattr(cert.signature_hash_algorithm, "name", None),
    }


def _handshake(host: str, port: int, context: ssl.SSLContext, timeout: float) -> tuple[str | None, tuple | None, bytes | None]:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            return tls.version(), tls.cipher(), tls.getpeercert(binary_form=True)


def probe_tls(host: str, port: int = 443, ca_file: str | None = None, timeout: float = 10.0) -> dict[str, Any]:
    """Handshake with ``host:port``; returns JSON-safe facts, never raises."""
    result: dict[str, Any] = {"host": host, "port": port, "verified": False, "version": None,
                              "cipher": None, "verify_error": None, "error": None, "certificate": None}
    context = ssl.create_default_context()
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            result["error"] = f"cannot load --ca-file {ca_file}: {exc}"
            return result
    try:
        version, cipher, der = _handshake(host, port, context, timeout)
        result["verified"] = True
    except ssl.SSLCertVerificationError as exc:
        result["verify_error"] = str(exc.verify_message or exc)[:300]
        insecure = ssl.create_default_context()
        insecure.check_hostname = False
        insecure.verify_mode = ssl.CERT_NONE
        try:
            version, cipher, der = _handshake(host, port, insecure, timeout)
        except (OSError, ssl.SSLError) as exc2:
            result["error"] = f"{type(exc2).__name__}: {exc2}"[:300]
            return result
    except (OSError, ssl.SSLError) as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"[:300]
        return result
    result["version"] = version
    result["cipher"] = cipher[0] if cipher else None
    if der:
        try:
            result["certificate"] = describe_certificate(der)
        except ValueError as exc:
            result["certificate"] = {"error": f"unreadable certificate: {exc}"[:200]}
    return result
