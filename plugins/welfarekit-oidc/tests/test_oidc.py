"""ID tokens to actors: the good token, and each forged or malformed one refused by name.
The provider's JWKS is served over HTTP on localhost, as a real provider serves it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from welfarekit_oidc import MPASSID, ClaimMapping, IdTokenVerifier, TokenRejected
from welfarekit_oidc.testing import public_jwks, serve_jwks

from welfarekit import AuthenticationLevel, PersonKind, PersonRef

ISSUER, AUDIENCE = "https://idp.school.test", "portal-client"


class Provider:
    """Keys and a JWKS endpoint; keys can be rotated."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {"k1": rsa.generate_private_key(public_exponent=65537,
                                                                     key_size=2048)}  # fmt: skip
        self.fetches = 0

    def jwks(self) -> dict[str, Any]:
        self.fetches += 1
        return public_jwks(self.keys)

    def token(self, kid: str = "k1", *, algorithm: str = "RS256", key: Any = None,
              extra: dict[str, Any] | None = None, **claims: Any) -> str:  # fmt: skip
        now = int(time.time())
        body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "aino", "role": "student", "iat": now,
                "exp": now + 300, **claims, **(extra or {})}  # fmt: skip
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key if key is not None else self.keys[kid],
                          algorithm=algorithm, headers={"kid": kid})  # fmt: skip


@pytest.fixture
def provider() -> Iterator[tuple[Provider, str]]:
    idp = Provider()
    with serve_jwks(idp.jwks) as uri:  # asked at every fetch: the keys can rotate
        yield idp, uri


def verifier(uri: str, mapping: ClaimMapping | None = None) -> IdTokenVerifier:
    return IdTokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_uri=uri, mapping=mapping,
                           jwks_cooldown=0)  # fmt: skip


def test_a_good_token_becomes_an_actor(provider: tuple[Provider, str]) -> None:
    idp, uri = provider
    actor = verifier(uri).actor(idp.token(), provider_id="harjula")
    assert actor.person == PersonRef(PersonKind.STUDENT, "aino")
    assert actor.provider_id == "harjula"
    assert actor.authentication_level is AuthenticationLevel.PASSWORD


def test_strong_authentication_comes_from_acr(provider: tuple[Provider, str]) -> None:
    idp, uri = provider
    mapping = ClaimMapping(strong_acr=frozenset({"http://ftn.ficora.fi/2017/loa3"}))
    token = idp.token(acr="http://ftn.ficora.fi/2017/loa3", role="staff", sub="psy")
    actor = verifier(uri, mapping).actor(token, provider_id="harjula")
    assert actor.authentication_level is AuthenticationLevel.STRONG
    assert actor.person == PersonRef(PersonKind.STAFF, "psy")


def test_the_mpassid_mapping(provider: tuple[Provider, str]) -> None:
    idp, uri = provider
    token = idp.token(sub="pairwise-123", role=None, extra={
        "urn:mpass.id:uid": "MPASSOID.abc123",
        "urn:mpass.id:role": ["Jyväskylä;00123;LK24A;Oppilas"],
    })  # fmt: skip
    actor = verifier(uri, MPASSID).actor(token, provider_id="harjula")
    assert actor.person == PersonRef(PersonKind.STUDENT, "MPASSOID.abc123")
    teacher = idp.token(extra={"urn:mpass.id:uid": "t1",
                               "urn:mpass.id:role": ["Jyväskylä;00123;;Opettaja"]})  # fmt: skip
    staff = verifier(uri, MPASSID).actor(teacher, provider_id="h").person
    assert staff == PersonRef(PersonKind.STAFF, "t1")
    mixed = idp.token(extra={"urn:mpass.id:uid": "x", "urn:mpass.id:role": [
        "J;1;A;Oppilas", "J;1;;Opettaja"]})  # fmt: skip
    with pytest.raises(TokenRejected, match="several kinds"):
        verifier(uri, MPASSID).actor(mixed, provider_id="h")


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        ("alg none", "algorithm 'none' is not allowed"),
        ("hmac with the public key", "algorithm 'HS256' is not allowed"),
        ("wrong issuer", "not issued by"),
        ("wrong audience", "not for this client"),
        ("expired", "expired"),
        ("not yet valid", "not yet valid"),
        ("unknown key", "unknown key"),
        ("tampered", "signature does not verify"),
        ("garbage", "not a JSON Web Token"),
        ("no kid", "names no signing key"),
        ("no expiry", "lacks a required claim: exp"),
        ("no role", "no known role"),
        ("an EC signature naming the RSA key", "'ES256' cannot be verified with key 'k1'"),
        ("a malformed crit header", "invalid token header"),
        ("a person id welfarekit cannot take", "the token's 'sub' claim: "),
    ],
)
def test_forged_and_malformed_tokens_are_refused(
    provider: tuple[Provider, str], forge: str, reason: str
) -> None:
    idp, uri = provider
    now = int(time.time())
    public_pem = (
        idp.keys["k1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    forgeries: dict[str, Callable[[], str]] = {
        "alg none": lambda: jwt.encode(
            {"iss": ISSUER, "aud": AUDIENCE, "sub": "aino", "exp": now + 60, "iat": now},
            "",
            algorithm="none",
            headers={"kid": "k1"},
        ),
        "hmac with the public key": lambda: _hmac(public_pem, now),
        "wrong issuer": lambda: idp.token(iss="https://evil.test"),
        "wrong audience": lambda: idp.token(aud="another-client"),
        "expired": lambda: idp.token(exp=now - 3600, iat=now - 7200),
        "not yet valid": lambda: idp.token(nbf=now + 3600),
        "unknown key": lambda: idp.token(
            "k9", key=rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ),
        "tampered": lambda: _tamper(idp.token()),
        "garbage": lambda: "not.a.token",
        "no kid": lambda: jwt.encode({"iss": ISSUER}, idp.keys["k1"], algorithm="RS256"),
        "no expiry": lambda: idp.token(exp=None),
        "no role": lambda: idp.token(role="janitor"),
        # each of these three was a TypeError, an InvalidTokenError or an InvalidValue
        "an EC signature naming the RSA key": lambda: idp.token(
            "k1", algorithm="ES256", key=ec.generate_private_key(ec.SECP256R1())
        ),
        "a malformed crit header": lambda: _with_header(
            idp.token(), {"alg": "RS256", "kid": "k1", "crit": []}
        ),
        "a person id welfarekit cannot take": lambda: idp.token(sub=":"),
    }
    token = forgeries[forge]()
    with pytest.raises(TokenRejected, match=reason) as refused:
        verifier(uri).actor(token, provider_id="harjula")
    assert token not in str(refused.value)


def test_a_nonce_binds_the_token_to_its_sign_in(provider: tuple[Provider, str]) -> None:
    """A host that sent a nonce in the authentication request passes it on: the token of
    another sign-in (replayed) does not carry it and is refused."""
    idp, uri = provider
    checker = verifier(uri)
    token = idp.token(nonce="sign-in-1")
    assert checker.actor(token, provider_id="h", nonce="sign-in-1").person is not None
    with pytest.raises(TokenRejected, match="replayed") as refused:
        checker.actor(token, provider_id="h", nonce="sign-in-2")
    assert "sign-in-1" not in str(refused.value)
    with pytest.raises(TokenRejected, match="replayed"):
        checker.actor(idp.token(), provider_id="h", nonce="sign-in-1")  # no nonce in it
    with pytest.raises(TokenRejected, match="replayed"):
        checker.actor(idp.token(nonce=["sign-in-1"]), provider_id="h", nonce="sign-in-1")


def test_claims_of_an_unexpected_shape_name_no_one(provider: tuple[Provider, str]) -> None:
    """A role value without MPASSid's fourth field was an IndexError, and an acr that is a
    list a TypeError."""
    idp, uri = provider
    short = idp.token(extra={"urn:mpass.id:uid": "x", "urn:mpass.id:role": ["Oppilas"]})
    with pytest.raises(TokenRejected, match="no known role"):
        verifier(uri, MPASSID).actor(short, provider_id="h")
    mapping = ClaimMapping(strong_acr=frozenset({"loa3"}))
    listed = verifier(uri, mapping).actor(idp.token(acr=["loa3"]), provider_id="h")
    assert listed.authentication_level is AuthenticationLevel.PASSWORD


def test_a_rotated_key_is_fetched_when_a_token_names_it(provider: tuple[Provider, str]) -> None:
    idp, uri = provider
    checker = verifier(uri)
    checker.actor(idp.token(), provider_id="h")
    fetched = idp.fetches
    idp.keys["k2"] = ec.generate_private_key(ec.SECP256R1())  # the provider rotates
    actor = checker.actor(idp.token("k2", algorithm="ES256"), provider_id="h")
    assert actor.person is not None
    assert idp.fetches == fetched + 1  # fetched again once, for the new key
    checker.actor(idp.token("k2", algorithm="ES256"), provider_id="h")
    assert idp.fetches == fetched + 1  # and cached after


def test_only_asymmetric_algorithms_can_be_configured() -> None:
    with pytest.raises(ValueError, match="HS256"):
        IdTokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_uri="http://x",
                        algorithms=("HS256",))  # fmt: skip


def _hmac(secret: bytes, now: int) -> str:
    """The key confusion: an HMAC "signature" with the provider's public key as secret."""
    import base64
    import hashlib
    import hmac

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    head = part({"alg": "HS256", "typ": "JWT", "kid": "k1"})
    body = part({"iss": ISSUER, "aud": AUDIENCE, "sub": "aino", "role": "student",
                 "exp": now + 60, "iat": now})  # fmt: skip
    signature = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def _tamper(token: str) -> str:
    import base64

    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["sub"] = "somebody-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


def _with_header(token: str, header: dict[str, Any]) -> str:
    import base64

    _head, body, signature = token.split(".")
    head = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    return f"{head}.{body}.{signature}"


def test_the_stand_in_provider_publishes_only_signing_keys() -> None:
    with pytest.raises(TypeError, match="'shared': not a signing key"):
        public_jwks({"shared": b"a symmetric secret"})  # type: ignore[dict-item]
    published = public_jwks({"k1": ec.generate_private_key(ec.SECP256R1())})["keys"]
    assert [(k["kid"], k["kty"], "d" in k) for k in published] == [("k1", "EC", False)]
