from django.db import migrations, models
from django.utils import timezone


def first_version(apps, schema_editor):
    # The one row every worker reads. The triggers on the content tables (installed after every
    # migrate, courses.apps) raise it; see courses.content_version.
    apps.get_model("courses", "ContentVersion").objects.get_or_create(id=1, defaults={"changed_at": timezone.now()})


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0001_create_module'),
    ]

    operations = [
        migrations.CreateModel(
            name='ContentVersion',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('number', models.BigIntegerField(default=1, verbose_name='versie')),
                ('changed_at', models.DateTimeField(auto_now_add=True, verbose_name='gewijzigd op')),
            ],
            options={
                'verbose_name': 'inhoudsversie',
                'verbose_name_plural': 'inhoudsversies',
            },
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
    ]
