"""Explanations store the warning's words as they were written about (`figures`). Outlier warnings
used to name a metric by its internal code ("m3"); reword the stored ones as the warning now reads,
so they stay current and no page shows the code."""

from django.db import migrations

from metrics.receivers import reworded_outlier


def reword(apps, schema_editor):
    WarningExplanation = apps.get_model("submissions", "WarningExplanation")
    for explanation in WarningExplanation.objects.filter(warning_key__startswith="metric_outlier:"):
        words = reworded_outlier(explanation.figures)
        if words is not None:
            explanation.figures = words
            explanation.save(update_fields=["figures"])


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0009_release_files"),
        ("submissions", "0008_extract_mapping"),
    ]

    operations = [migrations.RunPython(reword, migrations.RunPython.noop)]
