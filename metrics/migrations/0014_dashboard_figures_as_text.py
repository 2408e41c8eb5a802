"""The dashboard document's rendered figures as an uncompressed text column, not JSON (issue 18).

Read as JSON, a 50 kB page of figures cost 0.33 ms a request (PostgreSQL decompressing and printing
the JSON, the process parsing it), as text 0.12 ms (the 20,000-authority bench data, 500 prepared reads
each). Derived data, rebuilt by the page on a miss and by the workers after each recompute: the stored
documents are dropped, not converted.
"""

from django.db import migrations, models


def drop_documents(apps, schema_editor):
    apps.get_model("metrics", "DashboardDocument").objects.all().delete()


def uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE metrics_dashboarddocument ALTER COLUMN figures_html SET STORAGE EXTERNAL"
        )


class Migration(migrations.Migration):
    dependencies = [("metrics", "0013_results_page_cards_by_service")]

    operations = [
        migrations.RunPython(drop_documents, migrations.RunPython.noop),
        migrations.RemoveField(model_name="dashboarddocument", name="document"),
        migrations.AddField(
            model_name="dashboarddocument",
            name="figures_html",
            field=models.TextField(default="", help_text="The figures, rendered."),
            preserve_default=False,
        ),
        migrations.RunPython(uncompressed, migrations.RunPython.noop),
    ]
