"""On PostgreSQL the database itself refuses UPDATE and DELETE on the review decision log."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_decision_insert_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_decision is insert-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_decision_insert_only ON core_decision;
CREATE TRIGGER core_decision_insert_only BEFORE UPDATE OR DELETE ON core_decision
    FOR EACH ROW EXECUTE FUNCTION core_decision_insert_only();
"""

DROP = """
DROP TRIGGER IF EXISTS core_decision_insert_only ON core_decision;
DROP FUNCTION IF EXISTS core_decision_insert_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no placeholders: the SQL has a literal %


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_workflow")]
    operations = [migrations.RunPython(forwards, backwards)]
