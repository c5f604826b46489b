"""Worksheets: the service side of the plug-ins in icbt.modules.

entries.py (create, edit, trash, restore, purge and list entries) and drafts.py (what
is typed so far, kept until saved). The worksheet types come from
icbt.programs.registry.

May import: icbt.programs (registry, store), icbt.modules, icbt.signals, icbt.models,
icbt.db, icbt.timeutil.
"""
