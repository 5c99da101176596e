"""atheris: ID tokens made of any bytes through IdTokenVerifier.claims — the header's
parsing, the algorithm and key checks and the decoding — with the provider's keys held in
the process (no JWKS endpoint). Only TokenRejected may come out."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from harness import fuzz_main, typed
from welfarekit_oidc import IdTokenVerifier, TokenRejected

KEYS = {"rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ec": ec.generate_private_key(ec.SECP256R1())}  # fmt: skip
JWKS = {"keys": []}  # type: dict[str, list[dict[str, Any]]]
for kid, key in KEYS.items():
    kind = jwt.algorithms.RSAAlgorithm if kid == "rsa" else jwt.algorithms.ECAlgorithm
    JWKS["keys"].append({**json.loads(kind.to_jwk(key.public_key())), "kid": kid})


class HeldKeys(jwt.PyJWKClient):
    """The provider's JWKS without fetching it."""

    def fetch_data(self) -> Any:
        return JWKS


VERIFIER = IdTokenVerifier(issuer="https://idp.test", audience="portal",
                           jwks_uri="https://idp.test/jwks", algorithms=("RS256", "ES256"))  # fmt: skip
VERIFIER._keys = HeldKeys("https://idp.test/jwks")


def test_one_input(data: bytes) -> None:
    token = data.decode("utf-8", errors="replace")
    outcome = typed(lambda: VERIFIER.claims(token))
    assert isinstance(outcome, TokenRejected), outcome


if __name__ == "__main__":
    fuzz_main(test_one_input)
