"""Démarches installed from the catalogue of démarche models; the
communication staff and the supervisors of every existing commune install
and update them, as ``commune_create`` lets those of a new commune
(``services.wagtail_hooks``)."""


import django.db.models.deletion
from django.db import migrations, models


#: Who installs and updates démarche models in a commune: the holders of
#: these permissions there (its communication staff, its supervisors).
INSTALLERS = ("change_servicesettings", "export_submission")
ACTIONS = ("view", "add", "change")


def installers_install_models(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupSitePermission = apps.get_model("wagtailcore", "GroupSitePermission")
    Permission = apps.get_model("auth", "Permission")
    installers = GroupSitePermission.objects.filter(
        permission__content_type__app_label="services", permission__codename__in=INSTALLERS
    )
    if not installers.exists():
        return
    content_type, _created = ContentType.objects.get_or_create(
        app_label="services", model="demarchecopy"
    )
    permissions = [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_demarchecopy",
            defaults={"name": f"Can {action} démarche installed from a model"},
        )[0]
        for action in ACTIONS
    ]
    for group_id, site_id in set(installers.values_list("group_id", "site_id")):
        for permission in permissions:
            GroupSitePermission.objects.get_or_create(
                group_id=group_id, site_id=site_id, permission=permission
            )


def nobody_installs_models(apps, schema_editor):
    GroupSitePermission = apps.get_model("wagtailcore", "GroupSitePermission")
    GroupSitePermission.objects.filter(
        permission__content_type__app_label="services",
        permission__content_type__model="demarchecopy",
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('services', '0022_placeholders_in_texts'),
        ('wagtailcore', '0098_apitoken'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='DemarcheCopy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('model', models.CharField(max_length=100, verbose_name='model')),
                ('version', models.PositiveIntegerField(verbose_name='version of the model')),
                ('document', models.JSONField(verbose_name='document of the model')),
                ('revision_id', models.PositiveIntegerField(null=True, verbose_name='revision written from the model')),
                ('installed_at', models.DateTimeField(auto_now_add=True, verbose_name='installed on')),
                ('page', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='catalogue_copy', to='services.servicepage', verbose_name='démarche')),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='wagtailcore.site', verbose_name='commune')),
            ],
            options={
                'verbose_name': 'démarche installed from a model',
                'verbose_name_plural': 'démarches installed from a model',
                'indexes': [models.Index(fields=['site', 'model'], name='services_de_site_id_64984d_idx')],
            },
        ),
        migrations.RunPython(installers_install_models, nobody_installs_models),
    ]
