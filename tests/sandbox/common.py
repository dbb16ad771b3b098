"""Small helpers the platform sandboxes share (independent of the client code)."""

import base64
import hashlib
from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))


def yuan(fen):
    return f"{fen / 100:.2f}"


def mask_name(name):
    return name[:1] + "*" * max(1, len(name) - 1)


def mask_phone(phone):
    return phone[:3] + "****" + phone[-4:]


def mask_detail(detail):
    return detail[:4] + "****"


def fake_cipher(value, salt="sandbox"):
    """Looks like a platform ciphertext; only the platform could decrypt it."""
    digest = hashlib.sha256(f"{salt}:{value}".encode()).digest()
    return "#" + base64.b64encode(digest + value.encode()).decode() + "#"


def local_text(stamp):
    return datetime.fromtimestamp(stamp, CST).strftime("%Y-%m-%d %H:%M:%S")


def iso(stamp):
    return datetime.fromtimestamp(stamp, CST).isoformat()


def parse_iso(value):
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def parse_local(value):
    return int(datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST).timestamp())


def b64json_encode(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def b64json_decode(token):
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()


def num(value):
    """Platforms send numeric ids as numbers; demo credentials may not be numeric."""
    return int(value) if str(value).isdigit() else value
