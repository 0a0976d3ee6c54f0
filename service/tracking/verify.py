"""Checking that an Event Webhook post comes from SendGrid: an ECDSA P-256 / SHA-256 signature
over the timestamp header followed by the raw body, exactly as received (the trailing CRLF
included), under one of the configured public keys (several while a key is rotated).

Own code over `cryptography` rather than the SDK's EventWebhook helper, whose key objects
changed type between patch releases; a test checks that both agree."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from service.errors import DomainError

SIGNATURE_HEADER = "x-twilio-email-event-webhook-signature"
TIMESTAMP_HEADER = "x-twilio-email-event-webhook-timestamp"


class SignatureRefused(DomainError):
    """The post is not signed by a configured key, or its signature is too old or too new."""

    status_code = 403
    code = "bad_signature"


class WebhookNotConfigured(DomainError):
    """No public key is configured: nothing can be verified, so nothing is accepted. SendGrid
    retries any answer but a 2xx for 24 hours, so a key configured late loses nothing."""

    status_code = 403
    code = "webhook_not_configured"


class InvalidPublicKey(ValueError):
    pass


def load_public_key(b64_der: str) -> ec.EllipticCurvePublicKey:
    """SendGrid publishes the key as base64 of the DER SubjectPublicKeyInfo, no PEM armour."""
    try:
        key = serialization.load_der_public_key(base64.b64decode(b64_der.strip(), validate=True))
    except (ValueError, binascii.Error, UnsupportedAlgorithm) as exc:
        raise InvalidPublicKey("the webhook public key is not base64 DER") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise InvalidPublicKey("the webhook public key is not an ECDSA P-256 key")
    return key


def parse_public_keys(configured: str | Sequence[str] | None) -> list[ec.EllipticCurvePublicKey]:
    """Comma-separated (REPMAIL_SENDGRID_WEBHOOK_PUBLIC_KEY=key1,key2) or a list."""
    if not configured:
        return []
    parts = configured.split(",") if isinstance(configured, str) else list(configured)
    return [load_public_key(part) for part in parts if part.strip()]


class WebhookVerifier:
    def __init__(
        self,
        keys: Sequence[ec.EllipticCurvePublicKey],
        *,
        max_age_seconds: int,
        max_skew_seconds: int,
    ) -> None:
        self.keys = list(keys)
        self.max_age_seconds = max_age_seconds
        self.max_skew_seconds = max_skew_seconds

    def check(
        self, raw_body: bytes, signature: str | None, timestamp: str | None, now: datetime
    ) -> None:
        """Raises SignatureRefused unless one key verifies the signature and the timestamp is
        within the window; returns quietly otherwise."""
        if not self.keys:
            raise WebhookNotConfigured("The SendGrid webhook has no public key configured.")
        if not signature or not timestamp:
            raise SignatureRefused("The post carries no SendGrid signature.")
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            raise SignatureRefused("The signature timestamp is not a Unix time.")
        age = now.timestamp() - int(timestamp)
        if age > self.max_age_seconds:
            raise SignatureRefused("The signature is too old.")
        if age < -self.max_skew_seconds:
            raise SignatureRefused("The signature is dated in the future.")
        try:
            der = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            raise SignatureRefused("The signature is not base64.") from None
        signed = timestamp.encode("ascii") + raw_body
        for key in self.keys:
            try:
                key.verify(der, signed, ec.ECDSA(hashes.SHA256()))
            except (InvalidSignature, ValueError):
                continue
            return
        raise SignatureRefused("The signature does not match the body.")
