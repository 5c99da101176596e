"""A stand-in identity provider for a host's tests: the JWKS of signing keys, served over
HTTP on the loopback interface as a real provider serves it.

    from cryptography.hazmat.primitives.asymmetric import rsa
    import jwt

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with serve_jwks(public_jwks({"k1": key})) as jwks_uri:
        verifier = IdTokenVerifier(issuer=..., audience=..., jwks_uri=jwks_uri)
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
        actor = verifier.actor(token, provider_id="p1")
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

__all__ = ["public_jwks", "serve_jwks"]

SigningKey = (
    rsa.RSAPrivateKey
    | ec.EllipticCurvePrivateKey
    | ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
)


def public_jwks(keys: Mapping[str, SigningKey]) -> dict[str, Any]:
    """The JWKS document publishing the public halves of ``keys`` (key id to private key)."""
    published = []
    for kid, key in keys.items():
        if isinstance(key, rsa.RSAPrivateKey):
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            jwk = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
        elif isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
            jwk = jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key(), as_dict=True)
        else:
            raise TypeError(f"key {kid!r}: not a signing key of RSA, EC or EdDSA")
        published.append({**jwk, "kid": kid})
    return {"keys": published}


@contextmanager
def serve_jwks(document: Mapping[str, Any] | Callable[[], Mapping[str, Any]]) -> Iterator[str]:
    """Serve ``document`` at ``http://127.0.0.1:<free port>/jwks`` and yield that address;
    the server stops on leaving. Given a callable, it is asked at every fetch, so that a
    test can rotate the keys (or count the fetches) while the server runs."""

    def current() -> bytes:
        return json.dumps(document() if callable(document) else document).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = current()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass  # a test's output is not the place for an access log

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/jwks"
    finally:
        server.shutdown()
        server.server_close()
