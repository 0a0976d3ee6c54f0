"""The webhook's signature check agrees with SendGrid's own helper, and refuses what it must."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sendgrid.helpers.eventwebhook import EventWebhook

from service.tracking.verify import (
    InvalidPublicKey,
    SignatureRefused,
    WebhookNotConfigured,
    WebhookVerifier,
    load_public_key,
    parse_public_keys,
)
from tests.fakes.event_signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, EventSigner

# sendgrid-python's own test vector (test/unit/test_eventwebhook.py).
VECTOR_KEY = (
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw"
    "+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="
)
VECTOR_TIMESTAMP = "1600112502"
VECTOR_SIGNATURE = (
    "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXD"
    "WzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM="
)
VECTOR_PAYLOAD = (
    json.dumps(
        [
            {
                "email": "hello@world.com",
                "event": "dropped",
                "reason": "Bounced Address",
                "sg_event_id": "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",
                "sg_message_id": (
                    "LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0"
                ),
                "smtp-id": "<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>",
                "timestamp": 1600112492,
            }
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    + "\r\n"
)


def verifier(*keys: str, max_age: int = 3600, skew: int = 300) -> WebhookVerifier:
    return WebhookVerifier(
        parse_public_keys(",".join(keys)), max_age_seconds=max_age, max_skew_seconds=skew
    )


def at(timestamp: str, seconds: float = 0) -> datetime:
    return datetime.fromtimestamp(int(timestamp), UTC) + timedelta(seconds=seconds)


def official(key: str, payload: str, signature: str, timestamp: str) -> bool:
    helper = EventWebhook()
    return bool(
        helper.verify_signature(
            payload, signature, timestamp, helper.convert_public_key_to_ecdsa(key)
        )
    )


def ours(key: str, payload: str, signature: str, timestamp: str) -> bool:
    try:
        verifier(key).check(payload.encode(), signature, timestamp, at(timestamp, 5))
    except SignatureRefused:
        return False
    return True


def test_the_official_vector_verifies() -> None:
    assert ours(VECTOR_KEY, VECTOR_PAYLOAD, VECTOR_SIGNATURE, VECTOR_TIMESTAMP)
    assert official(VECTOR_KEY, VECTOR_PAYLOAD, VECTOR_SIGNATURE, VECTOR_TIMESTAMP)


def test_ours_and_the_official_helper_agree_on_signed_and_altered_samples() -> None:
    signer, stranger = EventSigner(), EventSigner()
    samples = []
    for n in range(6):
        payload = json.dumps([{"event": "delivered", "sg_event_id": f"e{n}"}]) + "\r\n"
        headers = signer(payload.encode())
        signature, timestamp = headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER]
        samples += [
            (signer.public_key_b64, payload, signature, timestamp),  # genuine
            (signer.public_key_b64, payload.replace("delivered", "bounce"), signature, timestamp),
            (signer.public_key_b64, payload.rstrip(), signature, timestamp),  # CRLF dropped
            (signer.public_key_b64, payload, signature, str(int(timestamp) + 1)),
            (stranger.public_key_b64, payload, signature, timestamp),  # another key
        ]
    samples.append(
        (
            VECTOR_KEY,
            VECTOR_PAYLOAD.replace("dropped", "bounce"),
            VECTOR_SIGNATURE,
            VECTOR_TIMESTAMP,
        )
    )
    verdicts = [(ours(*sample), official(*sample)) for sample in samples]
    assert all(mine == theirs for mine, theirs in verdicts)
    assert [mine for mine, _ in verdicts].count(True) == 6


def test_any_of_several_keys_verifies_during_a_rotation() -> None:
    old, new = EventSigner(), EventSigner()
    body = b'[{"event":"processed"}]\r\n'
    headers = new(body)
    check = verifier(old.public_key_b64, new.public_key_b64)
    stamp = headers[TIMESTAMP_HEADER]
    check.check(body, headers[SIGNATURE_HEADER], stamp, at(stamp))
    with pytest.raises(SignatureRefused):
        verifier(old.public_key_b64).check(body, headers[SIGNATURE_HEADER], stamp, at(stamp))


@pytest.mark.parametrize(
    ("signature", "timestamp", "seconds_later"),
    [
        (None, VECTOR_TIMESTAMP, 0),  # no signature
        (VECTOR_SIGNATURE, None, 0),  # no timestamp
        ("abc", VECTOR_TIMESTAMP, 0),  # not base64
        ("bm90IGEgc2lnbmF0dXJl", VECTOR_TIMESTAMP, 0),  # base64, not a signature
        (VECTOR_SIGNATURE, "16001125.2", 0),  # not a Unix time
        (VECTOR_SIGNATURE, VECTOR_TIMESTAMP, 3601),  # too old
        (VECTOR_SIGNATURE, VECTOR_TIMESTAMP, -301),  # from the future
    ],
)
def test_refusals(signature: str | None, timestamp: str | None, seconds_later: int) -> None:
    with pytest.raises(SignatureRefused):
        verifier(VECTOR_KEY).check(
            VECTOR_PAYLOAD.encode(), signature, timestamp, at(VECTOR_TIMESTAMP, seconds_later)
        )


def test_without_a_key_nothing_is_accepted() -> None:
    with pytest.raises(WebhookNotConfigured):
        verifier().check(b"[]", VECTOR_SIGNATURE, VECTOR_TIMESTAMP, at(VECTOR_TIMESTAMP))


def test_a_key_that_is_not_p256_is_refused_at_start() -> None:
    other = ec.generate_private_key(ec.SECP384R1()).public_key()
    der = other.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(InvalidPublicKey):
        load_public_key(base64.b64encode(der).decode())
    with pytest.raises(InvalidPublicKey):
        load_public_key("not base64 !")
