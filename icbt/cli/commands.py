"""Every `icbt` command group, registered on the app (and so on the `icbt` command)."""

from __future__ import annotations

from flask import Flask

from icbt.cli import data, demo, program, review, scheduler, users


def init_app(app: Flask) -> None:
    """Register the icbt commands on the app (and so on the `icbt` group)."""
    app.cli.add_command(users.users)  # create, assign, reset-2fa (AUTH-SEC)
    app.cli.add_command(demo.demo)
    app.cli.add_command(program.enrol_command)
    for command in (data.backup_cmd, data.restore_cmd, data.export_cmd, data.import_cmd,
                    data.retention_cmd):  # DATA-RIGHTS
        app.cli.add_command(command)
    app.cli.add_command(scheduler.scheduler_command)  # icbt scheduler (LESSONS)
    app.cli.add_command(review.review_command)  # icbt review (REVIEW)
