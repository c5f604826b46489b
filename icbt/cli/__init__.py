"""The `icbt` command line: one module per command group.

commands.py registers them on the app; users.py, demo.py, program.py (enrol),
data.py (backup, restore, export, import, retention), review.py, scheduler.py,
content.py (`icbt content check`, which runs even when the content is broken).
The `icbt` entry point itself is icbt.__main__.

The top layer: may import anything below, including icbt.demo; nothing imports it
but the app factory (icbt.create_app) and icbt.__main__.
"""
