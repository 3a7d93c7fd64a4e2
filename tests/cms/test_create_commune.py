import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from wagtail.models import GroupPagePermission, GroupSitePermission, Page, Revision, Site

from accounts.models import User
from cms.models import CommuneSettings
from cms.services import commune_create
from faq.models import FAQPage
from home.models import HomePage
from services.models import ServiceIndexPage


def snapshot():
    return {
        "sites": Site.objects.count(),
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "groups": Group.objects.count(),
        "page permissions": GroupPagePermission.objects.count(),
        "users": User.objects.count(),
        "settings": list(CommuneSettings.objects.values_list("official_name", "phrase", "logo_id")),
    }


def test_create_commune_makes_site_pages_and_groups(db, capsys):
    call_command("create_commune", "--name", "Carvin", "--hostname", "carvin.localhost")

    site = Site.objects.get(hostname="carvin.localhost")
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    # The shared FAQ waits as a draft (the default): the page is not live.
    faq = FAQPage.objects.child_of(home).get()
    assert not faq.live and faq.get_latest_revision_as_object().body
    assert ServiceIndexPage.objects.child_of(home).live().count() == 1
    settings = CommuneSettings.for_site(site)
    assert (settings.official_name, settings.phrase) == ("Carvin", "la mairie de Carvin")
    for role in ("Communication", "Agents"):
        group = Group.objects.get(name=f"Carvin — {role}")
        assert set(
            GroupPagePermission.objects.filter(group=group).values_list("page", flat=True)
        ) == {home.pk}
    # Supervisors set the démarches' processing: they publish the services
    # page and the démarches under it, and no other page.
    services = ServiceIndexPage.objects.child_of(home).get()
    supervisors = GroupPagePermission.objects.filter(group__name="Carvin — Supervisors")
    assert set(supervisors.values_list("page", flat=True)) == {services.pk}
    assert set(supervisors.values_list("permission__codename", flat=True)) == {
        "add_page",
        "change_page",
        "publish_page",
    }
    assert "created" in capsys.readouterr().out


def test_existing_communes_supervisors_publish_their_demarches_only(carvin, saint_andre):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("services.migrations.0017_supervisors_publish_demarches")
    GroupPagePermission.objects.filter(group__name__endswith="Supervisors").delete()

    migration.supervisors_publish_demarches(apps, None)

    for site in (carvin, saint_andre):
        services = ServiceIndexPage.objects.child_of(site.root_page).get()
        pages = GroupPagePermission.objects.filter(
            group__name=f"{site.site_name} — Supervisors"
        ).values_list("page", flat=True)
        assert services.pk in set(pages)
        assert set(pages) <= set(
            Page.objects.filter(translation_key=services.translation_key).values_list(
                "pk", flat=True
            )
        )


def test_create_commune_twice_changes_nothing(db, capsys):
    call_command("create_commune", "--name", "Carvin", "--hostname", "carvin.localhost")
    before = snapshot()

    call_command("create_commune", "--name", "Carvin", "--hostname", "carvin.localhost")

    assert snapshot() == before
    assert "nothing changed" in capsys.readouterr().out


def test_create_commune_does_not_overwrite_what_staff_edited(carvin):
    settings = CommuneSettings.for_site(carvin)
    settings.phrase = "l'hôtel de ville de Carvin"
    settings.save()

    call_command("create_commune", "--name", "Carvin", "--hostname", "carvin.localhost")

    assert CommuneSettings.for_site(carvin).phrase == "l'hôtel de ville de Carvin"


def test_load_demo_twice_changes_nothing(demo):
    before = snapshot()

    call_command("load_demo", stdout=io.StringIO())

    assert snapshot() == before


def test_load_demo_prints_every_login(db, capsys):
    call_command("load_demo")

    out = capsys.readouterr().out
    for username in ("admin", "com.carvin", "agent.carvin", "com.saint-andre", "agent.saint-andre"):
        assert username in out
    for user in User.objects.all():
        password = next(
            line.split()[-2] for line in out.splitlines() if f" {user.username} " in line
        )
        assert user.check_password(password), user.username


def test_light_colours_are_refused_for_readability(carvin):
    settings = CommuneSettings.for_site(carvin)
    settings.primary_colour = "#ffd700"

    with pytest.raises(ValidationError) as error:
        settings.full_clean()

    assert "primary_colour" in error.value.message_dict


def test_no_commune_group_may_manage_users_or_groups(carvin):
    """Managing users or groups would let a commune grant itself anything."""
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupSitePermission

    groups = Group.objects.filter(name__startswith="Carvin — ")
    user_admin = Permission.objects.filter(
        content_type__app_label__in=["auth", "accounts", "wagtailusers"],
        codename__regex=r"^(add|change|delete)_(user|group)",
    )

    assert groups.count() == 3
    assert not user_admin.filter(group__in=groups).exists()
    assert not GroupSitePermission.objects.filter(group__in=groups, permission__in=user_admin)


def test_existing_communes_agents_no_longer_import_invoices(carvin):
    """Communes created before the duties were separated: their agents lose
    the invoice import, their supervisors keep it."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupSitePermission

    migration = importlib.import_module("cms.migrations.0007_agents_do_not_import_invoices")
    add_invoice = Permission.objects.get(content_type__app_label="payments", codename="add_invoice")
    agents = Group.objects.get(name="Carvin — Agents")
    GroupSitePermission.objects.create(group=agents, site=carvin, permission=add_invoice)

    migration.agents_do_not_import_invoices(apps, None)

    holders = GroupSitePermission.objects.filter(permission=add_invoice, site=carvin)
    assert list(holders.values_list("group__name", flat=True)) == ["Carvin — Supervisors"]
    assert GroupSitePermission.objects.filter(group=agents).exists()


def site_permissions(site, role):
    return {
        f"{app_label}.{codename}"
        for app_label, codename in GroupSitePermission.objects.filter(
            group__name=f"{site.site_name} — {role}", site=site
        ).values_list("permission__content_type__app_label", "permission__codename")
    }


def test_each_group_holds_in_its_commune_what_the_apps_grant_it(carvin):
    """cms makes the groups; accounts, services and payments declare what
    each may do with their models (``register_commune_permissions``)."""
    citizen_accounts = {"accounts.view_citizenaccount", "accounts.change_citizenaccount"}
    demarche_models = {
        "services.view_demarchecopy",
        "services.add_demarchecopy",
        "services.change_demarchecopy",
    }

    assert site_permissions(carvin, "Communication") == demarche_models | {
        "cms.change_communesettings",
        "accounts.change_accountsettings",
        "services.change_servicesettings",
    }
    assert site_permissions(carvin, "Agents") == citizen_accounts | {
        "services.view_submission",
        "services.change_submission",
        "services.view_messagetemplate",
        "payments.view_regie",
        "payments.view_invoice",
        "payments.view_transaction",
    }
    assert site_permissions(carvin, "Supervisors") == citizen_accounts | demarche_models | {
        "accounts.view_staffinvitation",
        "accounts.add_staffinvitation",
        "accounts.change_staffinvitation",
        "services.view_submission",
        "services.change_submission",
        "services.export_submission",
        "services.supervise_submission",
        "services.view_workflow",
        "services.add_workflow",
        "services.change_workflow",
        "services.delete_workflow",
        "services.view_messagetemplate",
        "services.add_messagetemplate",
        "services.change_messagetemplate",
        "services.delete_messagetemplate",
        "services.view_municipalservice",
        "services.add_municipalservice",
        "services.change_municipalservice",
        "services.delete_municipalservice",
        "fees.view_demarchefee",
        "fees.add_demarchefee",
        "fees.change_demarchefee",
        "fees.delete_demarchefee",
        "cms.view_auditlogentry",
        "cms.change_smssettings",
        "payments.view_regie",
        "payments.add_regie",
        "payments.change_regie",
        "payments.view_invoice",
        "payments.add_invoice",
        "payments.view_transaction",
    }


def test_an_app_adds_its_pages_and_rights_to_every_new_commune(db):
    """What an app registers is created with the commune, in hook order."""
    from wagtail import hooks

    from cms.extensions import CommunePage, CommunePermissions
    from home.models import ContentPage

    def legal_notice():
        return CommunePage(
            ContentPage,
            title="Mentions légales",
            slug="mentions-legales",
            fields={"body": "<p>Éditeur : la mairie.</p>", "in_footer": True},
        )

    def read_regies():
        return CommunePermissions(communication=("payments.view_regie",))

    with (
        hooks.register_temporarily("register_commune_page", legal_notice, order=30),
        hooks.register_temporarily("register_commune_permissions", read_regies),
    ):
        site = commune_create(name="Carvin", hostname="carvin.localhost").site

    menu = [page.specific_class for page in site.root_page.get_children()]
    assert menu == [FAQPage, ServiceIndexPage, ContentPage]
    assert "payments.view_regie" in site_permissions(site, "Communication")


@pytest.mark.parametrize(
    "migration_name, permission",
    [
        ("accounts.migrations.0007_accountsettings", "accounts.change_accountsettings"),
        ("services.migrations.0006_servicesettings", "services.change_servicesettings"),
    ],
)
def test_existing_communes_staff_edit_the_settings_that_left_the_communes(
    carvin, saint_andre, migration_name, permission
):
    """Communes created before the settings moved to their apps: the staff
    who edited them in the commune's settings edit them in the app's, in
    their commune only."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(migration_name)
    GroupSitePermission.objects.filter(
        permission__content_type__app_label=permission.split(".")[0],
        permission__codename=permission.split(".")[1],
    ).delete()

    (move,) = [op for op in migration.Migration.operations if hasattr(op, "grant")]
    move.grant(apps)

    assert permission in site_permissions(carvin, "Communication")
    assert permission in site_permissions(saint_andre, "Communication")
    assert not GroupSitePermission.objects.filter(
        group__name="Carvin — Communication", site=saint_andre
    ).exists()
    assert permission not in site_permissions(carvin, "Supervisors")
