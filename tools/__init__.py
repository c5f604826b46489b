"""Development tools that are not part of the app (the import-linter contract types)."""
