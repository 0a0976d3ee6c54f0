"""Signs fake Event Webhook batches the way SendGrid does, and shapes them like real
deliveries of events: repeated (SendGrid retries a batch it thinks failed) and out of order.

SendGrid signs `timestamp + raw body` with ECDSA P-256 / SHA-256, sends the DER signature in
base64, and publishes the public key as base64 DER SubjectPublicKeyInfo.
"""

from __future__ import annotations

import base64
import random
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"


class EventSigner:
    """A key pair of its own; configure the app under test with `public_key_b64`."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._clock = clock

    @property
    def public_key_b64(self) -> str:
        der = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode("ascii")

    def __call__(self, raw_body: bytes) -> dict[str, str]:
        timestamp = str(int(self._clock()))
        signature = self._key.sign(timestamp.encode("ascii") + raw_body, ec.ECDSA(hashes.SHA256()))
        return {
            SIGNATURE_HEADER: base64.b64encode(signature).decode("ascii"),
            TIMESTAMP_HEADER: timestamp,
        }


def as_delivered(
    events: list[dict[str, Any]],
    *,
    duplicate_share: float = 0.0,
    shuffle: bool = False,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """The events as a webhook may really see them: some twice (same sg_event_id), and in
    any order (a "delivered" before its "processed")."""
    rng = random.Random(seed)
    batch = list(events)
    batch += [dict(event) for event in events if rng.random() < duplicate_share]
    if shuffle:
        rng.shuffle(batch)
    return batch
