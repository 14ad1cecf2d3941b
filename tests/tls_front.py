"""A TLS front for a real server of ../shared/peers that speaks plain text: proves a connector's TLS path end to end.

The peers listen without TLS. ``tls_front`` makes a throw-away certificate authority and a certificate for 127.0.0.1,
listens with TLS on a port of its own, and pipes each connection to the real server, byte for byte (implicit TLS,
as IRC on 6697, NNTP on 563 and IMAP on 993 do). The authority is trusted through ``SSL_CERT_FILE``, which
OpenSSL reads each time Fédère builds its default TLS context: the same way an operator trusts a private authority.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Front:
    port: int
    ca_file: Path  # the authority to trust


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(authority, server certificate, server key) as PEM files in ``folder``: made once, shared by its fronts."""
    paths = folder / "authority.pem", folder / "server.pem", folder / "server.key"
    if all(path.exists() for path in paths):
        return paths
    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Fédère test authority"))
        .issuer_name(_name("Fédère test authority"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with suppress(OSError):
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    for end in (source, sink):
        with suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)


@contextmanager
def tls_front(upstream_host: str, upstream_port: int, folder: Path) -> Iterator[Front]:
    ca_file, cert_file, key_file = _certificates(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    stop = threading.Event()
    opened: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                raw, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                raw.settimeout(10)
                client = context.wrap_socket(raw, server_side=True)
                client.settimeout(None)
                server = socket.create_connection((upstream_host, upstream_port), timeout=10)
                server.settimeout(None)
            except (OSError, ssl.SSLError):  # a client that refused our certificate, or a server that is down
                raw.close()
                continue
            opened.extend((client, server))
            threading.Thread(target=_pipe, args=(client, server), daemon=True).start()
            threading.Thread(target=_pipe, args=(server, client), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield Front(listener.getsockname()[1], ca_file)
    finally:
        stop.set()
        listener.close()
        thread.join(5)
        for end in opened:
            with suppress(OSError):
                end.close()
