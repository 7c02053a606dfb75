"""The signed query that lets a kiosk fetch an asset's model and tiles with no
header: bound to the kiosk and expiring.

``<asset URL>?k=<kiosk>&e=<expiry>&s=<hmac>``: the signature covers the asset,
the kiosk and the expiry, with the box's secret key. The same query opens the
asset's tile manifest and its tiles, so the manifest a kiosk fetches hands on its
signature to each tile URL. A revoked kiosk's URLs stop working at once because
the asset endpoints also check the kiosk. Where those URLs are is the web layer's
business (:class:`core.plugins.links.AssetLinks`).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
from urllib.parse import quote


# Keyed by the secret itself, not by an object: the cache holds no appliance state.
@functools.lru_cache(maxsize=4)
def _keyed(secret: str) -> hmac.HMAC:
    """The HMAC with its key already absorbed: a publication signs one URL per kiosk."""
    return hmac.new(secret.encode(), digestmod=hashlib.sha256)


def _signature(secret: str, asset_id: str, kiosk_id: str, expires: int) -> str:
    mac = _keyed(secret).copy()
    mac.update(f"{asset_id}:{kiosk_id}:{expires}".encode())
    return mac.hexdigest()[:32]


def signed_query(settings, asset_id: str, kiosk_id: str, now: float | None = None) -> str:
    """``k=<kiosk>&e=<expiry>&s=<hmac>``: what makes an asset's URLs work for one kiosk."""
    ttl = int(settings["kiosk"]["url_seconds"])
    # Round the expiry so one kiosk gets the same URL for a while (browser caching).
    expires = (int((now or time.time()) + ttl) // 3600 + 1) * 3600
    sig = _signature(secret_key(settings), asset_id, kiosk_id, expires)
    # Built by hand: urlencode per kiosk per publication is measurable (a UUID, digits, hex).
    return f"k={quote(str(kiosk_id), safe='-')}&e={expires}&s={sig}"


def check_signature(settings, asset_id: str, args) -> str | None:
    """The kiosk id a valid, unexpired signature was made for, else None."""
    kiosk_id, expires, sig = args.get("k"), args.get("e"), args.get("s")
    if not (kiosk_id and expires and sig):
        return None
    try:
        expires_i = int(expires)
    except ValueError:
        return None
    if expires_i < time.time():
        return None
    good = _signature(secret_key(settings), asset_id, kiosk_id, expires_i)
    return kiosk_id if hmac.compare_digest(good, sig) else None


def secret_key(settings) -> str:
    key = settings["server"]["secret_key"]
    if not key:
        raise RuntimeError("[server] secret_key is not set: run `floorcast init` or set FLOORCAST_SERVER__SECRET_KEY")
    return key
