"""A throw-away certificate authority for local HTTPS test servers.

``TestCA`` writes its CA certificate to a file that a test passes to
``citylabel audit --ca-file`` (the test trusts the CA; nothing else does) and
issues server certificates signed by it: valid ones, expired ones, ones for
the wrong host, or self-signed ones outside the CA, so each certificate fault
can be shown over a real handshake.
"""
from __future__ import annotations

import datetime
import ipaddress
import ssl
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOCAL_NAMES = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "citylabel tests")])


class TestCA:
    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="citylabel-tls-"))
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(_name("citylabel test CA"))
                     .issuer_name(_name("citylabel test CA")).public_key(self.key.public_key())
                     .serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(days=2))
                     .not_valid_after(now + datetime.timedelta(days=30))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.ca_file = self.dir / "ca.pem"
        self.ca_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        self._n = 0

    def context(self, *, expired: bool = False, names: list | None = None, self_signed: bool = False,
                max_version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
        """A server context with a fresh certificate (signed by this CA unless ``self_signed``)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        start, end = ((now - datetime.timedelta(days=10), now - datetime.timedelta(days=1)) if expired
                      else (now - datetime.timedelta(days=1), now + datetime.timedelta(days=20)))
        subject = _name("portal.test")
        builder = (x509.CertificateBuilder().subject_name(subject)
                   .issuer_name(subject if self_signed else self.cert.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(start).not_valid_after(end)
                   .add_extension(x509.SubjectAlternativeName(LOCAL_NAMES if names is None else names),
                                  critical=False))
        cert = builder.sign(key if self_signed else self.key, hashes.SHA256())
        self._n += 1
        cert_path, key_path = self.dir / f"server{self._n}.pem", self.dir / f"server{self._n}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert_path, key_path)
        if max_version is not None:
            ctx.maximum_version = max_version
        return ctx


def server_context() -> ssl.SSLContext:
    """A server whose certificate no client trusts (its CA file is thrown away)."""
    return TestCA().context()
