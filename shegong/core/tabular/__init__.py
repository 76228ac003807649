"""THE import/export engine (see docs/architecture.md "Data at national scale").

Apps declare table specs in ``<app>/tables.py``; from a spec come the Excel template, the row
validation, the staged and resumable import, the streamed export and the documentation page.
Import the pieces from their modules: ``spec`` (TableSpec, register), ``columns`` (column types),
``engine`` (stage_file, validate, confirm, commit), ``export`` (start_export).
"""
