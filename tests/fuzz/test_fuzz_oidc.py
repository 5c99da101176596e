"""ID tokens from outside: random strings, truncated and altered tokens, tokens signed with
an unknown key, with ``none`` or HMAC, with a key of another kind than their algorithm,
expired, early, for another audience or issuer, with claims of any JSON type. The verifier
returns verified claims or raises TokenRejected — never another exception — and what it
accepts is a token the provider's keys signed, for this client, now.

The provider's JWKS is served on the loopback interface, as the plugin's own tests serve it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from fuzz_support import attempt, fuzz
from hypothesis import event, example, given
from hypothesis import strategies as st

pytest.importorskip("welfarekit_oidc")

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from welfarekit_oidc import MPASSID, ClaimMapping, IdTokenVerifier, TokenRejected
from welfarekit_oidc.testing import public_jwks, serve_jwks

from welfarekit import Actor

ISSUER, AUDIENCE = "https://idp.school.test", "portal-client"
PROVIDER_KEYS: dict[str, Any] = {
    "rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "ec": ec.generate_private_key(ec.SECP256R1()),
    "ec384": ec.generate_private_key(ec.SECP384R1()),
    "ed": ed25519.Ed25519PrivateKey.generate(),
}
UNKNOWN_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ALGORITHMS = ("RS256", "PS256", "ES256", "ES384", "EdDSA")
PUBLIC_PEM = (
    PROVIDER_KEYS["rsa"]
    .public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
)


@pytest.fixture(scope="module")
def verifier() -> Iterator[IdTokenVerifier]:
    with serve_jwks(public_jwks(PROVIDER_KEYS)) as uri:
        yield IdTokenVerifier(issuer=ISSUER, audience=AUDIENCE, algorithms=ALGORITHMS,
                              jwks_uri=uri)  # fmt: skip


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(alg: str, key: Any, message: bytes) -> bytes:
    return jwt.get_algorithm_by_name(alg).sign(message, key)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                  max_size=3),
    max_leaves=6,
)  # fmt: skip
NOW = int(time.time())
TIME_VALUES = (NOW - 7200, NOW - 60, NOW, NOW + 60, NOW + 7200, 2**63, -(2**63), 1e308, "1")


FAMILY = {"RS256": "rsa", "PS256": "rsa", "RS512": "rsa", "ES256": "ec", "ES384": "ec384",
          "EdDSA": "ed"}  # fmt: skip
"""The provider's key that signs each algorithm (RS512 is not among the verifier's)."""


def mostly(good: Any, *others: Any) -> st.SearchStrategy[Any]:
    """``good`` about five times in six, else one of ``others`` or any JSON value."""
    other = st.sampled_from(others) | JSON if others else JSON
    return st.integers(min_value=0, max_value=5).flatmap(lambda n: st.just(good) if n else other)


@st.composite
def tokens(draw: st.DrawFn) -> tuple[str, bool]:
    """A token, and whether the provider's key for its algorithm signed it."""
    if draw(st.booleans()):  # an algorithm with the key that fits it
        alg, kid = draw(st.sampled_from(sorted(FAMILY.items())))
    else:
        kid = draw(st.sampled_from([*PROVIDER_KEYS, "unknown", None, 7, ""]))
        alg = draw(st.sampled_from([*FAMILY, "none", "HS256", "ES512", None, 5, ["RS256"]]))
    header: dict[str, Any] = {"alg": alg, "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        name = draw(st.sampled_from(["crit", "jku", "x5u", "b64", "cty", "typ"]))
        header[name] = draw(JSON)
    claims: dict[str, Any] = {
        "iss": draw(mostly(ISSUER, ISSUER + "/", "https://evil.test")),
        "aud": draw(mostly(AUDIENCE, [AUDIENCE, "x"], ["x"], "x")),
        "exp": draw(mostly(NOW + 600, *TIME_VALUES)),
        "iat": draw(mostly(NOW, *TIME_VALUES)),
        "sub": draw(mostly("aino")),
        "role": draw(mostly("student", "staff")),
    }
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        claims["nbf"] = draw(st.sampled_from(TIME_VALUES) | JSON)
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        claims.pop(draw(st.sampled_from(sorted(claims))))
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(claims).encode())
    signing = f"{head}.{body}".encode()
    how = draw(st.sampled_from(["provider", "provider", "provider", "other kind", "unknown",
                                "hmac", "random", "empty"]))  # fmt: skip
    signature, genuine = b"", False
    known = isinstance(alg, str) and alg in FAMILY
    if how == "provider" and known:
        genuine = kid == FAMILY[alg]
        signature = _sign(alg, PROVIDER_KEYS[FAMILY[alg]], signing)
    elif how == "other kind" and known:  # the key named by kid need not fit the alg
        other = "ec" if FAMILY[alg] == "rsa" else "rsa"
        signature = _sign("ES256" if other == "ec" else "RS256", PROVIDER_KEYS[other], signing)
    elif how == "unknown":
        signature = _sign("RS256", UNKNOWN_KEY, signing)
    elif how == "hmac":
        signature = hmac.new(PUBLIC_PEM, signing, hashlib.sha256).digest()
    elif how == "random":
        signature = draw(st.binary(max_size=300))
    return f"{head}.{body}.{_b64(signature)}", genuine


def _fresh(claims: dict[str, Any]) -> bool:
    """Whether claims of a genuine token are ones the verifier may accept."""
    aud = claims.get("aud")
    return (
        claims.get("iss") == ISSUER
        and (aud == AUDIENCE or (isinstance(aud, list) and AUDIENCE in aud))
        and isinstance(claims.get("exp"), int | float)
        and claims["exp"] > NOW - 30
    )


def _claims_of(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return decoded


def _outcome(verifier: IdTokenVerifier, token: str) -> dict[str, Any] | TokenRejected:
    outcome = attempt(lambda: verifier.claims(token))
    assert isinstance(outcome, dict | TokenRejected), outcome
    if isinstance(outcome, TokenRejected):
        assert token not in str(outcome) or len(token) < 8  # the credential is never repeated
    return outcome


@fuzz(400)
@given(tokens())
def test_a_token_is_accepted_only_when_genuine_fresh_and_for_this_client(
    verifier: IdTokenVerifier, token: tuple[str, bool]
) -> None:
    text, genuine = token
    outcome = _outcome(verifier, text)
    event("accepted" if isinstance(outcome, dict) else str(outcome).split(":")[0][:40])
    if isinstance(outcome, dict):
        assert genuine, "accepted a token the provider's key did not sign"
        assert _fresh(outcome)
        assert outcome == _claims_of(text)


@fuzz(300)
@given(st.one_of(st.text(max_size=60), st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
                 st.lists(st.text(max_size=20), max_size=4).map(".".join)))  # fmt: skip
@example("")
@example("..")
@example("not.a.token")
@example("eyJhbGciOiJSUzI1NiJ9.e30.")
@example("W10.e30.")  # a header that is a JSON array
def test_any_string_is_rejected(verifier: IdTokenVerifier, text: str) -> None:
    assert isinstance(_outcome(verifier, text), TokenRejected)


def _genuine(**claims: Any) -> str:
    body = {"iss": ISSUER, "aud": AUDIENCE, "exp": NOW + 600, "iat": NOW, "sub": "aino",
            "role": "student", **claims}  # fmt: skip
    return jwt.encode(body, PROVIDER_KEYS["rsa"], algorithm="RS256", headers={"kid": "rsa"})


GOOD = _genuine()


@fuzz(300)
@given(st.data())
def test_an_altered_or_truncated_token_is_rejected_or_says_the_same(
    verifier: IdTokenVerifier, data: st.DataObject
) -> None:
    """base64 leaves the low bits of a segment's last character free, so an edit there can
    decode to the same bytes: an accepted edit must carry the original's claims."""
    edit = data.draw(st.sampled_from(["cut", "replace", "insert", "segments", "swap"]))
    position = data.draw(st.integers(min_value=0, max_value=len(GOOD)))
    if edit == "cut":
        token = GOOD[:position]
    elif edit in ("replace", "insert"):
        char = data.draw(st.characters(codec="utf-8"))
        token = GOOD[:position] + char + GOOD[position + (edit == "replace") :]
    elif edit == "segments":
        parts = GOOD.split(".")
        token = ".".join(data.draw(st.lists(st.sampled_from(parts), max_size=5)))
    else:
        head, _body, signature = GOOD.split(".")
        token = f"{head}.{_genuine(sub='somebody-else').split('.')[1]}.{signature}"
    outcome = _outcome(verifier, token)
    if isinstance(outcome, dict):
        assert outcome == _claims_of(GOOD)


@fuzz(200)
@given(st.dictionaries(st.sampled_from(["sub", "role", "acr", "urn:mpass.id:uid",
                                        "urn:mpass.id:role", "nonce"]), JSON))  # fmt: skip
@example({"urn:mpass.id:uid": "u", "urn:mpass.id:role": ["Oppilas"]})  # no fourth field
@example({"sub": "aino", "role": "student", "acr": ["loa3"]})  # an unhashable acr
@example({"sub": "aino", "role": "student", "nonce": "n-1"})
@example({"sub": "aino", "role": "student", "nonce": "\ud800"})
def test_any_claims_of_a_genuine_token_give_an_actor_or_token_rejected(
    verifier: IdTokenVerifier, claims: dict[str, Any]
) -> None:
    token = _genuine(**claims)
    for mapping in (ClaimMapping(strong_acr=frozenset({"loa3"})), MPASSID):
        verifier.mapping = mapping
        for nonce in (None, "n-1"):
            outcome = attempt(lambda n=nonce: verifier.actor(token, provider_id="p", nonce=n))  # type: ignore[misc]
            assert isinstance(outcome, Actor | TokenRejected), outcome
            if nonce is not None and isinstance(outcome, Actor):
                assert claims.get("nonce") == nonce
