"""Identity from OpenID Connect: an ID token becomes a :class:`welfarekit.Actor`.

:class:`IdTokenVerifier` checks a token the host received from its identity provider and
maps its claims (:class:`ClaimMapping`; :data:`MPASSID` for the Finnish education identity
federation) to a person of the provider. Every refusal is :class:`TokenRejected`, a
:class:`~welfarekit.errors.WelfareKitError`, with the reason; the token itself is never
repeated in an error (it is a credential).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

import attrs
import jwt
from jwt import PyJWKClient

from welfarekit import Actor, AuthenticationLevel, PersonKind, PersonRef
from welfarekit.errors import InvalidValue, WelfareKitError

__all__ = ["ASYMMETRIC", "MPASSID", "ClaimMapping", "IdTokenVerifier", "TokenRejected"]

ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")
"""The algorithms a provider's JWKS can verify. HMAC and ``none`` are never accepted: an
HMAC token "signed" with the provider's public key is the classic key confusion."""

_KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}
"""The JWK key type (``kty``) each family of :data:`ASYMMETRIC` algorithms verifies with."""


class TokenRejected(WelfareKitError):
    """An ID token was refused; the message says why (never the token)."""


@attrs.frozen(kw_only=True)
class ClaimMapping:
    """Which claims name the person and their kind, and which ``acr`` values are strong.

    ``kind_claim`` holds a value (or a list of values) that ``kinds`` maps to a
    :class:`~welfarekit.PersonKind`; with ``kind_field`` the value is split at ``;`` and
    that field is used (MPASSid's ``municipality;school;class;role``)."""

    id_claim: str = "sub"
    kind_claim: str = "role"
    kinds: Mapping[str, PersonKind] = attrs.field(
        factory=lambda: {
            "student": PersonKind.STUDENT,
            "staff": PersonKind.STAFF,
            "guardian": PersonKind.GUARDIAN,
        }
    )
    kind_field: int | None = None
    strong_acr: frozenset[str] = frozenset()

    def person(self, claims: Mapping[str, Any]) -> PersonRef:
        person_id = claims.get(self.id_claim)
        if not isinstance(person_id, str) or not person_id:
            raise TokenRejected(f"the token has no {self.id_claim!r} claim naming the person")
        raw = claims.get(self.kind_claim)
        values = raw if isinstance(raw, list) else [raw]
        kinds = set()
        for value in values:
            if not isinstance(value, str):
                continue
            fields = value.split(";") if self.kind_field is not None else [value]
            if self.kind_field is not None and not -len(fields) <= self.kind_field < len(fields):
                continue  # a value without that field names no kind
            part = fields[self.kind_field or 0]
            if part.strip() in self.kinds:
                kinds.add(self.kinds[part.strip()])
        if len(kinds) != 1:
            found = "no known role" if not kinds else "roles of several kinds"
            raise TokenRejected(
                f"the token's {self.kind_claim!r} claim has {found}; known: {sorted(self.kinds)}"
            )
        try:
            return PersonRef(kinds.pop(), person_id)
        except InvalidValue as refused:
            raise TokenRejected(f"the token's {self.id_claim!r} claim: {refused.reason}") from None

    def level(self, claims: Mapping[str, Any]) -> AuthenticationLevel:
        acr = claims.get("acr")
        return (AuthenticationLevel.STRONG if isinstance(acr, str) and acr in self.strong_acr
                else AuthenticationLevel.PASSWORD)  # fmt: skip


MPASSID = ClaimMapping(
    id_claim="urn:mpass.id:uid",
    kind_claim="urn:mpass.id:role",
    kinds={
        "Oppilas": PersonKind.STUDENT,
        "Opiskelija": PersonKind.STUDENT,
        "Opettaja": PersonKind.STAFF,
        "Henkilökunta": PersonKind.STAFF,
        "Huoltaja": PersonKind.GUARDIAN,
    },
    kind_field=3,
)
"""MPASSid: the person is ``urn:mpass.id:uid``; the kind is the fourth field of each
``urn:mpass.id:role`` value (``Helsinki;00001;9A;Oppilas``)."""


class IdTokenVerifier:
    """Verifies ID tokens of one provider and client (see the module docstring)."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_uri: str,
        mapping: ClaimMapping | None = None,
        algorithms: tuple[str, ...] = ("RS256", "ES256", "PS256"),
        leeway: float = 30.0,
        jwks_lifespan: float = 300.0,
        jwks_cooldown: float = 30.0,
    ) -> None:
        refused = sorted(set(algorithms) - set(ASYMMETRIC))
        if refused:
            raise ValueError(f"algorithms {refused} cannot be verified with a JWKS: use "
                             f"asymmetric ones ({', '.join(ASYMMETRIC)})")  # fmt: skip
        self.issuer, self.audience = issuer, audience
        self.mapping = mapping or ClaimMapping()
        self.algorithms = algorithms
        self.leeway = leeway
        self._keys = PyJWKClient(jwks_uri, cache_jwk_set=True, lifespan=jwks_lifespan,
                                 cooldown_duration=jwks_cooldown)  # fmt: skip

    def claims(self, token: str, *, nonce: str | None = None) -> dict[str, Any]:
        """The verified claims, or :class:`TokenRejected`.

        ``nonce`` is the value the host put in this sign-in's authentication request (and
        kept in the browser's session): the token must carry it, so that a token taken from
        another sign-in — replayed — is refused. Without it, any genuine token is accepted
        until it expires."""
        header = _header(token)
        key = self._signing_key(header)
        try:
            claims = dict(jwt.decode(
                token, key.key, algorithms=list(self.algorithms), audience=self.audience,
                issuer=self.issuer, leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud"]},
            ))  # fmt: skip
        except jwt.exceptions.ExpiredSignatureError:
            raise TokenRejected("the token has expired") from None
        except jwt.exceptions.ImmatureSignatureError:
            raise TokenRejected("the token is not yet valid (nbf/iat in the future)") from None
        except jwt.exceptions.InvalidIssuerError:
            raise TokenRejected(f"the token was not issued by {self.issuer}") from None
        except jwt.exceptions.InvalidAudienceError:
            raise TokenRejected(f"the token is not for this client ({self.audience})") from None
        except jwt.exceptions.MissingRequiredClaimError as error:
            raise TokenRejected(f"the token lacks a required claim: {error.claim}") from None
        except jwt.exceptions.InvalidSignatureError:
            raise TokenRejected("the signature does not verify") from None
        except jwt.exceptions.PyJWTError as error:  # InvalidKeyError: e.g. another curve
            raise TokenRejected(f"invalid token: {type(error).__name__}") from None
        if nonce is not None:
            _check_nonce(claims, nonce)
        return claims

    def _signing_key(self, header: Mapping[str, Any]) -> jwt.PyJWK:
        """The provider's key the header names, if it may verify the header's algorithm."""
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self.algorithms:
            raise TokenRejected(
                f"algorithm {algorithm!r} is not allowed (allowed: {', '.join(self.algorithms)})"
            )
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise TokenRejected("the token names no signing key (kid)")
        try:
            key = self._keys.get_signing_key(kid)
        except jwt.exceptions.PyJWKClientConnectionError as error:
            raise TokenRejected(f"the provider's keys could not be fetched: {error}") from None
        except jwt.exceptions.PyJWKClientError:
            raise TokenRejected(f"signed by an unknown key {kid!r}") from None
        if key.key_type != _KEY_TYPES.get(algorithm[:2]):  # e.g. an EC key named for RS256
            raise TokenRejected(
                f"algorithm {algorithm!r} cannot be verified with key {kid!r} ({key.key_type})"
            )
        return key

    def actor(self, token: str, *, provider_id: str, nonce: str | None = None) -> Actor:
        """The :class:`~welfarekit.Actor` the token identifies, within ``provider_id``
        (``nonce`` as for :meth:`claims`)."""
        claims = self.claims(token, nonce=nonce)
        return Actor(provider_id=provider_id, person=self.mapping.person(claims),
                     authentication_level=self.mapping.level(claims))  # fmt: skip


def _header(token: str) -> dict[str, Any]:
    try:
        return jwt.get_unverified_header(token)
    except jwt.exceptions.DecodeError:
        raise TokenRejected("not a JSON Web Token") from None
    except jwt.exceptions.InvalidTokenError as error:  # e.g. a malformed "crit"
        raise TokenRejected(f"invalid token header: {type(error).__name__}") from None


def _check_nonce(claims: Mapping[str, Any], nonce: str) -> None:
    found = claims.get("nonce")
    if not isinstance(found, str) or not hmac.compare_digest(
        found.encode("utf-8", "surrogatepass"), nonce.encode("utf-8", "surrogatepass")
    ):
        raise TokenRejected(
            "the token's nonce is not this sign-in's: a token from another sign-in (replayed)"
        )
