"""Program images for signed-in people: /content/<slug>/images/<name>.

Only names the loader accepted are served (a strict pattern, listed per program
at load time), so no path from the URL ever reaches the disk unchecked. SVG is
allowed because the checker refuses SVGs with scripts, handlers or outside
links, and it is served with a sandboxing Content-Security-Policy as well: even
opened on its own, an SVG cannot run script on our origin.
"""

from __future__ import annotations

import os

from flask import Blueprint, abort, send_file
from flask_login import login_required
from werkzeug.wrappers import Response

from icbt.programs import store
from icbt.programs.load import SLUG_RE
from icbt.programs.render import IMAGE_NAME_RE

bp = Blueprint("content", __name__)

MIMETYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
             ".gif": "image/gif", ".svg": "image/svg+xml"}
IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


@bp.route("/content/<slug>/images/<name>")
@login_required
def image(slug: str, name: str) -> Response:
    """Serve one image of a live program."""
    if not SLUG_RE.match(slug) or not IMAGE_NAME_RE.match(name):
        abort(404)
    program = store.store().get_program(slug)
    if program is None or name not in program.images:
        abort(404)
    path = os.path.join(program.path, "images", name)
    if not os.path.isfile(path):  # removed since the content was loaded
        abort(404)
    ext = os.path.splitext(name)[1]
    # Cache-Control stays the app-wide no-store (hardening._headers) like every non-static route.
    response = send_file(path, mimetype=MIMETYPES[ext], conditional=True)
    response.headers["Content-Security-Policy"] = IMAGE_CSP
    return response
