"""Personal data at rest, for every app that stores it (the kernel's toolkit): phone
validation, SM4 encryption, keyed lookup hashes and the phone mask.

- Phones are parsed with `phonenumbers` for region CN (mobile or fixed line) and kept as
  national digits (13812345678, 02912345678).
- Values are encrypted with SM4 (GB/T 32907) in GCM mode — authenticated, a random 96-bit
  nonce per value — under settings.PARTY_DATA_KEY (32 hex chars). Stored layout:
  b"\\x01" (format version) + nonce (12) + ciphertext + tag (16).
- Repeat persons are found through HMAC-SHA256(settings.PARTY_HASH_KEY, normalised value),
  never through the plaintext.

Every app that keeps a person's phone uses these (staff accounts, the case parties, the party
members): never the number in clear in a table.
"""
from __future__ import annotations

import hashlib
import hmac
import os

import phonenumbers
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.utils.translation import gettext as _

from governance.errors import InvalidInput

_FORMAT_VERSION = b"\x01"
_NONCE_BYTES = 12
_TAG_BYTES = 16


def phone_validate(value: str) -> str:
    """National digits of a Chinese mobile or fixed-line number, or InvalidInput."""
    raw = str(value or "").strip()
    if not raw:
        raise InvalidInput(_("请填写联系电话"))
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidInput(_("联系电话格式不正确")) from None
    if parsed.country_code != 86 or not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(_("联系电话格式不正确"))
    kind = phonenumbers.number_type(parsed)
    allowed = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    if kind not in allowed:
        raise InvalidInput(_("请填写手机号码或固定电话"))
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit())


def _key() -> bytes:
    key = bytes.fromhex(settings.PARTY_DATA_KEY)
    if len(key) != 16:
        raise ValueError("PARTY_DATA_KEY must be 32 hex characters (SM4 is a 128-bit cipher)")
    return key


def encrypt(plaintext: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
    return _FORMAT_VERSION + nonce + body + encryptor.tag


def decrypt(token: bytes | memoryview) -> str:
    """Plaintext of `token`; raises cryptography's InvalidTag when it was tampered with."""
    data = bytes(token)
    if data[:1] != _FORMAT_VERSION:
        raise ValueError("unknown party data format")
    nonce = data[1:1 + _NONCE_BYTES]
    body, tag = data[1 + _NONCE_BYTES:-_TAG_BYTES], data[-_TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")


def keyed_hash(normalised: str) -> str:
    return hmac.new(settings.PARTY_HASH_KEY.encode("utf-8"), normalised.encode("utf-8"), hashlib.sha256).hexdigest()



def phone_at_rest(raw: str) -> tuple[bytes | None, str, str]:
    """(ciphertext, keyed hash, mask) of a phone as typed, for a model's three phone columns;
    an empty value clears them. Raises InvalidInput for a number that is not one."""
    digits = phone_validate(raw) if (raw or "").strip() else ""
    if not digits:
        return None, "", ""
    return encrypt(digits), keyed_hash(digits), mask_phone(digits)


def mask_phone(digits: str) -> str:
    """138****5678."""
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


