"""The `icbt` command (and `python -m icbt`): Flask's CLI plus our own commands.

Flask's group gives run, shell, routes and db (Flask-Migrate); create_app adds ours
(icbt.cli.commands). `icbt content check` sits on the group itself, so it runs even when
broken content stops the app from starting (CONTENT).
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from icbt import create_app
from icbt.cli import content


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """icbt: guided internet-based CBT."""


main.add_command(content.content_group)

if __name__ == "__main__":
    main()
