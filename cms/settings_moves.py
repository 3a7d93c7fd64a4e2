"""Moving commune settings out of ``CommuneSettings`` into an app's own site
settings, in a migration: each commune keeps its values, and the groups that
edited them in the commune's settings edit them in the new model, in the same
commune.

Only historical models (``apps.get_model``) are used, so the operation stays
right whatever the models become later.
"""

from django.db import migrations


class SettingsMove(migrations.RunPython):
    """Copies ``fields`` of every commune's settings into
    ``app_label.model_name`` and grants its change permission (named
    ``name``) where ``cms.change_communesettings`` is held; reversed, copies
    the values back."""

    def __init__(self, *, app_label: str, model_name: str, fields: tuple[str, ...], name: str):
        self.target = (app_label, model_name)
        self.fields, self.name = fields, name
        super().__init__(self.forwards, self.backwards)

    def copy(self, apps, source, target, *, create: bool):
        Source, Target = apps.get_model(*source), apps.get_model(*target)
        for row in Source.objects.values("site_id", *self.fields):
            site_id = row.pop("site_id")
            if create:
                Target.objects.update_or_create(site_id=site_id, defaults=row)
            else:
                Target.objects.filter(site_id=site_id).update(**row)

    def grant(self, apps):
        """The permission is made here when the migrations run on a database
        that has groups already (Django makes the others after them)."""
        ContentType = apps.get_model("contenttypes", "ContentType")
        GroupSitePermission = apps.get_model("wagtailcore", "GroupSitePermission")
        Permission = apps.get_model("auth", "Permission")
        editors = GroupSitePermission.objects.filter(
            permission__content_type__app_label="cms",
            permission__codename="change_communesettings",
        )
        if not editors.exists():
            return
        app_label, model_name = self.target
        content_type, _created = ContentType.objects.get_or_create(
            app_label=app_label, model=model_name
        )
        change, _created = Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"change_{model_name}",
            defaults={"name": self.name},
        )
        for group_id, site_id in editors.values_list("group_id", "site_id"):
            GroupSitePermission.objects.get_or_create(
                group_id=group_id, site_id=site_id, permission=change
            )

    def forwards(self, apps, schema_editor):
        self.copy(apps, ("cms", "CommuneSettings"), self.target, create=True)
        self.grant(apps)

    def backwards(self, apps, schema_editor):
        self.copy(apps, self.target, ("cms", "CommuneSettings"), create=False)
