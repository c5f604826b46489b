"""Chart images (PNG, SVG) for the client and their therapist, cached by a data key + ETag."""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Blueprint, abort, current_app, make_response, request
from flask_login import login_required
from werkzeug.wrappers import Response

from icbt.measures import chartdata, charts
from icbt.views.access import client_or_404

bp = Blueprint("charts", __name__, url_prefix="/charts")


class ImageCache:
    """A small in-process LRU of rendered images. Safe to lose: a miss just draws again."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """Return a cached image and mark it recently used."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: bytes) -> None:
        """Keep an image, dropping the least recently used beyond the size."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (the next requests draw again)."""
        with self._lock:
            self._items.clear()


def image_cache() -> ImageCache:
    """This app's image cache (one per process and app)."""
    cache = current_app.extensions.get("icbt.chart_cache")
    if cache is None:
        cache = current_app.extensions["icbt.chart_cache"] = ImageCache(
            int(current_app.config.get("CHART_CACHE_SIZE", 256)))
    return cache


@bp.route("/<int:client_id>/<kind>.<fmt>")
@login_required
def chart(client_id: int, kind: str, fmt: str) -> Response:
    """One chart of one client as PNG or SVG; 304 when the browser's copy is current."""
    if kind not in chartdata.KINDS or fmt not in charts.FORMATS:
        abort(404)
    size = request.args.get("size", "wide")
    if size not in charts.SIZES:
        size = "wide"
    client = client_or_404(client_id, target=f"chart:{kind}")
    key = f"{chartdata.version(client, kind)}-{fmt}-{size}"
    etag = key
    if request.if_none_match.contains(etag):
        resp = make_response("", 304)
    else:
        cache = image_cache()
        body = cache.get(key)
        if body is None:
            body = chartdata.build(client, kind).draw(fmt, size)
            cache.put(key, body)
        resp = make_response(body)
        resp.mimetype = charts.FORMATS[fmt]
    resp.set_etag(etag)
    # private: personal data never sits in shared caches; no-cache: the browser keeps its copy
    # but asks every time (a cheap 304). icbt.views.hardening lists this endpoint as the exception.
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp
