"""Standard Webhooks signatures: HMAC-SHA256 (`v1,`) through the `standardwebhooks` package,
and optional ed25519 (`v1a,`) as the specification describes, so a receiver holding only the
sender's public key can verify a message but never forge one.

Keys: `whsec_` + base64 (symmetric secret), `whsk_` + base64 of the 32-byte ed25519 private
key, `whpk_` + base64 of the 32-byte public key.
"""

import base64
import binascii
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
PRIVATE_PREFIX = "whsk_"
PUBLIC_PREFIX = "whpk_"
# Seconds since 1970 beyond any plausible clock (year 2514): larger values are refused before
# any date arithmetic.
MAX_TIMESTAMP = 2**34


class SignatureError(ValueError):
    """The headers are missing, malformed, or no signature matches."""


class TimestampError(ValueError):
    """The signed timestamp is outside the accepted window (a replay, or a wrong clock)."""


def _b64(prefix: str, value: str) -> bytes:
    if not value.startswith(prefix):
        raise ValueError(f"expected a key starting with {prefix!r}")
    try:
        return base64.b64decode(value.removeprefix(prefix), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"the part after {prefix!r} must be base64") from exc


def generate_signing_key() -> tuple[str, str]:
    """A new ed25519 key pair as (`whsk_…`, `whpk_…`)."""
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return (
        PRIVATE_PREFIX + base64.b64encode(seed).decode(),
        PUBLIC_PREFIX + base64.b64encode(public).decode(),
    )


def public_key_of(signing_key: str) -> str:
    """The `whpk_` public key matching a `whsk_` private key."""
    private = Ed25519PrivateKey.from_private_bytes(_b64(PRIVATE_PREFIX, signing_key))
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return PUBLIC_PREFIX + base64.b64encode(raw).decode()


def validate_public_key(value: str) -> str:
    if len(_b64(PUBLIC_PREFIX, value)) != 32:
        raise ValueError("an ed25519 public key is 32 bytes")
    return value


def validate_webhook_secret(value: str) -> str:
    if not 24 <= len(_b64(SECRET_PREFIX, value)) <= 64:
        raise ValueError("a webhook secret decodes to 24 to 64 bytes")
    return value


def validate_signing_key(value: str) -> str:
    if len(_b64(PRIVATE_PREFIX, value)) != 32:
        raise ValueError("an ed25519 private key is 32 bytes")
    return value


def _content(msg_id: str, timestamp: int, body: str) -> bytes:
    return f"{msg_id}.{timestamp}.{body}".encode()


def sign(
    msg_id: str,
    body: str,
    *,
    secret: str | None,
    signing_key: str | None = None,
    now: datetime | None = None,
    previous_secret: str | None = None,
) -> dict[str, str]:
    """The three Standard Webhooks headers for `body`, signed with each key given.

    `previous_secret`: during a rotation's overlap the message carries a second `v1,`
    signature, so a receiver still holding the old secret verifies it too (the header holds
    several space-separated signatures; a receiver accepts the message if any one matches).
    """
    when = (now or datetime.now(UTC)).astimezone(UTC)
    timestamp = int(when.timestamp())
    signatures = []
    for key in (secret, previous_secret):
        if key:
            signatures.append(
                Webhook(key).sign(msg_id, datetime.fromtimestamp(timestamp, UTC), body)
            )
    if signing_key:
        private = Ed25519PrivateKey.from_private_bytes(_b64(PRIVATE_PREFIX, signing_key))
        raw = private.sign(_content(msg_id, timestamp, body))
        signatures.append("v1a," + base64.b64encode(raw).decode())
    if not signatures:
        raise ValueError("no key to sign with")
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }


def verify(
    headers: Mapping[str, str],
    body: str,
    *,
    secret: str | None,
    public_key: str | None = None,
    window: timedelta = timedelta(minutes=5),
    now: datetime | None = None,
) -> tuple[str, datetime]:
    """Check the signature and the timestamp window; the message id and signed time.

    With a public key, a valid `v1a` (ed25519) signature is required: an HMAC alone would let
    anyone who holds the shared secret (the receiver too) forge the sender's messages.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    msg_id = lowered.get("webhook-id", "")
    raw_timestamp = lowered.get("webhook-timestamp", "")
    raw_signatures = lowered.get("webhook-signature", "")
    if not (msg_id and raw_timestamp and raw_signatures):
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        timestamp = int(raw_timestamp)
    except ValueError as exc:
        raise SignatureError("webhook-timestamp is not an integer") from exc
    if not 0 <= timestamp < MAX_TIMESTAMP:
        raise SignatureError("webhook-timestamp is out of range")
    if not _signature_matches(msg_id, timestamp, body, raw_signatures, secret, public_key):
        raise SignatureError("no matching signature")
    signed_at = datetime.fromtimestamp(timestamp, UTC)
    current = now or datetime.now(UTC)
    if abs(current - signed_at) > window:
        raise TimestampError(
            f"signed at {signed_at.isoformat()}, outside the {int(window.total_seconds())} s window"
        )
    return msg_id, signed_at


def _signature_matches(
    msg_id: str,
    timestamp: int,
    body: str,
    raw_signatures: str,
    secret: str | None,
    public_key: str | None,
) -> bool:
    expected_hmac = None
    if secret and not public_key:
        signed = Webhook(secret).sign(msg_id, datetime.fromtimestamp(timestamp, UTC), body)
        expected_hmac = base64.b64decode(signed.split(",", 1)[1])
    verifier = (
        Ed25519PublicKey.from_public_bytes(_b64(PUBLIC_PREFIX, public_key)) if public_key else None
    )
    for item in raw_signatures.split(" "):
        version, _, encoded = item.partition(",")
        try:
            candidate = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            continue
        if version == "v1" and expected_hmac is not None:
            if hmac.compare_digest(expected_hmac, candidate):
                return True
        elif version == "v1a" and verifier is not None:
            try:
                verifier.verify(candidate, _content(msg_id, timestamp, body))
            except InvalidSignature:
                continue
            return True
    return False
