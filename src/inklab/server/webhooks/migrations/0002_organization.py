"""Organization webhooks: the reserved ``organization_id`` number becomes a foreign key.

No webhook could have an organization before (the API refused them), so the column is replaced;
project webhooks take their project's organization.
"""

import django.db.models.deletion
from django.db import migrations, models


def project_organizations(apps, schema_editor):
    Webhook = apps.get_model("webhooks", "Webhook")
    for webhook in Webhook.objects.filter(project__isnull=False).select_related("project"):
        if webhook.project.organization_id is not None:
            webhook.organization_id = webhook.project.organization_id
            webhook.save(update_fields=["organization"])


class Migration(migrations.Migration):

    dependencies = [
        ("iam", "0002_organizations"),
        ("projects", "0005_organization"),
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="webhook", name="organization_id"),
        migrations.AddField(
            model_name="webhook",
            name="organization",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="webhooks", to="iam.organization"),
        ),
        migrations.RunPython(project_organizations, migrations.RunPython.noop),
    ]
