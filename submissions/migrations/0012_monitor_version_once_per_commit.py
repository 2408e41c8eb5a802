"""The monitor version is bumped once per commit, not once per row (issue 18).

0011's trigger function updated the one MonitorVersion row for every row written: a transaction
writing 20,000 rows (a bulk load) updated it 20,000 times at commit, each update walking the row's
chain of versions written by the ones before: 13.2 s for 20,000 authorities. One bump per commit is
enough, since every row it covers commits with it: the function now remembers, for the rest of the
statement that fires it (at commit, the COMMIT itself), that it has bumped. Where the triggers fire
at the end of each statement instead (SET CONSTRAINTS ... IMMEDIATE, as the tests do), each
statement bumps once."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION wres_monitor_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    stamp text := txid_current()::text || '@' || statement_timestamp()::text;
BEGIN
    IF current_setting('wres.monitor_bumped', true) IS NOT DISTINCT FROM stamp THEN
        RETURN NULL;  -- bumped already for this commit (or statement)
    END IF;
    PERFORM set_config('wres.monitor_bumped', stamp, true);
    -- The row again if it was ever removed: from a number never used before (microseconds now).
    INSERT INTO submissions_monitorversion (id, n)
        VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
        ON CONFLICT (id) DO UPDATE SET n = submissions_monitorversion.n + 1;
    RETURN NULL;
END
$$;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION wres_monitor_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO submissions_monitorversion (id, n)
        VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
        ON CONFLICT (id) DO UPDATE SET n = submissions_monitorversion.n + 1;
    RETURN NULL;
END
$$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("submissions", "0011_monitor_documents")]

    operations = [migrations.RunPython(forward, backward)]
