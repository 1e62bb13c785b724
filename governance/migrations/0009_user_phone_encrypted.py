"""Staff phones leave the table in clear (issue 15): SM4-GCM ciphertext, keyed hash and mask,
as every phone the platform keeps (governance/personal_data.py).

The data step carries its own copy of the encryption (a migration must not import code that
later changes): the stored layout is personal_data's format 1 — b"\\x01" + 12-byte nonce +
ciphertext + 16-byte tag under settings.PARTY_DATA_KEY — and the hash is HMAC-SHA256 under
settings.PARTY_HASH_KEY of the national digits. A value that is not a valid number (typed
before validation existed) is kept by its digits, so nothing is lost. Reversible.
"""
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.db import migrations, models

NONCE, TAG = 12, 16


def _key() -> bytes:
    return bytes.fromhex(settings.PARTY_DATA_KEY)


def _encrypt(text: str) -> bytes:
    nonce = os.urandom(NONCE)
    encryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce)).encryptor()
    body = encryptor.update(text.encode("utf-8")) + encryptor.finalize()
    return b"\x01" + nonce + body + encryptor.tag


def _decrypt(token: bytes) -> str:
    data = bytes(token)
    nonce, body, tag = data[1:1 + NONCE], data[1 + NONCE:-TAG], data[-TAG:]
    decryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")


def _digits(raw: str) -> str:
    digits = "".join(ch for ch in raw if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:  # +86 138…
        digits = digits[2:]
    return digits


def _mask(digits: str) -> str:
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def encrypt_phones(apps, schema_editor):
    User = apps.get_model("governance", "User")
    changed = []
    for user in User.objects.exclude(phone="").only("pk", "phone").iterator(chunk_size=500):
        digits = _digits(user.phone)
        if not digits:
            continue
        user.phone_enc = _encrypt(digits)
        user.phone_hash = hmac.new(settings.PARTY_HASH_KEY.encode("utf-8"), digits.encode("utf-8"),
                                   hashlib.sha256).hexdigest()
        user.phone_masked = _mask(digits)
        changed.append(user)
    User.objects.bulk_update(changed, ["phone_enc", "phone_hash", "phone_masked"], batch_size=500)


def decrypt_phones(apps, schema_editor):
    User = apps.get_model("governance", "User")
    changed = []
    for user in User.objects.exclude(phone_enc=None).only("pk", "phone_enc").iterator(chunk_size=500):
        user.phone = _decrypt(user.phone_enc)
        changed.append(user)
    User.objects.bulk_update(changed, ["phone"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("governance", "0008_merge_export_jobs")]

    operations = [
        migrations.AddField(
            model_name="user", name="phone_enc", field=models.BinaryField(blank=True, editable=False, null=True)),
        migrations.AddField(
            model_name="user", name="phone_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64)),
        migrations.AddField(
            model_name="user", name="phone_masked",
            field=models.CharField(blank=True, editable=False, max_length=20, verbose_name="手机号")),
        migrations.RunPython(encrypt_phones, decrypt_phones, elidable=False),
        migrations.RemoveField(model_name="user", name="phone"),
    ]
