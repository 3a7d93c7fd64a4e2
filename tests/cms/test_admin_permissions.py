"""Staff of one commune never see nor touch another commune's pages."""

import re

import pytest
from django.urls import reverse


@pytest.fixture
def carvin_staff(client, carvin, saint_andre, staff_of):
    client.force_login(staff_of(carvin))
    return client


def test_explorer_shows_own_commune_only(carvin_staff, carvin, saint_andre):
    root = carvin.root_page.get_parent()

    response = carvin_staff.get(reverse("wagtailadmin_explore", args=[root.pk]), follow=True)

    html = response.content.decode()
    assert "Foire aux questions" in html
    assert "Saint-André-des-Eaux" not in html


def test_explorer_of_another_commune_is_refused(carvin_staff, saint_andre):
    response = carvin_staff.get(reverse("wagtailadmin_explore", args=[saint_andre.root_page.pk]))

    assert response.status_code in (302, 403, 404)
    assert "Saint-André-des-Eaux" not in response.content.decode()


def test_editing_another_communes_page_is_refused(carvin_staff, saint_andre, faq_of):
    response = carvin_staff.get(reverse("wagtailadmin_pages:edit", args=[faq_of(saint_andre).pk]))

    assert response.status_code in (302, 403, 404)
    assert "Saint-André-des-Eaux" not in response.content.decode()


def test_own_communes_faq_can_be_edited(carvin_staff, carvin, faq_of):
    response = carvin_staff.get(reverse("wagtailadmin_pages:edit", args=[faq_of(carvin).pk]))

    assert response.status_code == 200


def test_admin_search_finds_own_commune_pages_only(carvin_staff, carvin, saint_andre, faq_of):
    response = carvin_staff.get(reverse("wagtailadmin_pages:search"), {"q": "Foire aux questions"})

    html = response.content.decode()
    assert reverse("wagtailadmin_pages:edit", args=[faq_of(carvin).pk]) in html
    assert reverse("wagtailadmin_pages:edit", args=[faq_of(saint_andre).pk]) not in html


def test_page_chooser_offers_own_commune_only(carvin_staff, carvin, saint_andre):
    root = carvin.root_page.get_parent()

    html = carvin_staff.get(
        reverse("wagtailadmin_choose_page_child", args=[root.pk])
    ).content.decode()
    search = carvin_staff.get(reverse("wagtailadmin_choose_page_search"), {"q": "Services"})

    assert "Carvin" in html
    assert "Saint-André-des-Eaux" not in html
    assert "Saint-André-des-Eaux" not in search.content.decode()


SETTINGS = [
    ("cms", "communesettings"),
    ("accounts", "accountsettings"),
    ("services", "servicesettings"),
]


def test_commune_settings_of_another_commune_are_refused(carvin_staff, carvin, saint_andre):
    own = carvin_staff.get(
        reverse("wagtailsettings:edit", args=["cms", "communesettings", carvin.pk])
    )
    other = carvin_staff.get(
        reverse("wagtailsettings:edit", args=["cms", "communesettings", saint_andre.pk])
    )

    assert own.status_code == 200
    assert other.status_code in (302, 403, 404)
    assert "Saint-André-des-Eaux" not in own.content.decode()


@pytest.mark.parametrize(
    "app_name, model_name", [("accounts", "accountsettings"), ("services", "servicesettings")]
)
def test_the_apps_settings_of_another_commune_are_refused(
    carvin_staff, carvin, saint_andre, app_name, model_name
):
    own = carvin_staff.get(reverse("wagtailsettings:edit", args=[app_name, model_name, carvin.pk]))
    other = carvin_staff.get(
        reverse("wagtailsettings:edit", args=[app_name, model_name, saint_andre.pk])
    )

    assert own.status_code == 200
    assert other.status_code in (302, 403, 404)
    assert "Saint-André-des-Eaux" not in own.content.decode()


@pytest.mark.parametrize("role", ["Agents", "Supervisors"])
def test_only_the_communication_staff_edit_the_communes_settings(client, carvin, staff_of, role):
    client.force_login(staff_of(carvin, role))

    for app_name, model_name in SETTINGS:
        response = client.get(
            reverse("wagtailsettings:edit", args=[app_name, model_name, carvin.pk])
        )
        assert response.status_code in (302, 403), (app_name, model_name)


ADMIN_SCREENS = [
    "wagtailadmin_home",
    "wagtailadmin_explore_root",
    "wagtailadmin_reports:locked_pages",
    "wagtailadmin_reports:aging_pages",
    "wagtailadmin_reports:site_history",
    "wagtailadmin_reports:workflow",
    "wagtailimages:index",
    "wagtaildocs:index",
    "wagtailimages_chooser:choose",
    "wagtaildocs_chooser:choose",
    "wagtailadmin_choose_page",
]


@pytest.mark.parametrize("name", ADMIN_SCREENS)
def test_no_admin_screen_shows_another_commune(client, demo, name):
    from accounts.models import User

    client.force_login(User.objects.get(username="com.carvin"))

    response = client.get(reverse(name), follow=True)

    assert response.status_code in (200, 403)
    assert "Saint-André" not in response.content.decode()


def test_the_platform_wide_page_types_report_is_for_platform_admins_only(client, demo):
    from accounts.models import User

    client.force_login(User.objects.get(username="com.carvin"))
    staff = client.get(reverse("wagtailadmin_reports:page_types_usage"))
    client.force_login(User.objects.get(username="admin"))
    admin = client.get(reverse("wagtailadmin_reports:page_types_usage"))

    assert staff.status_code == 404
    assert admin.status_code == 200


def test_communication_staff_edit_their_communes_translation(client, demo):
    from wagtail.models import Page

    from accounts.models import User

    english_faq = Page.objects.get(locale__language_code="en", slug="faq")
    client.force_login(User.objects.get(username="com.carvin"))
    own = client.get(reverse("wagtailadmin_pages:edit", args=[english_faq.pk]))
    client.force_login(User.objects.get(username="com.saint-andre"))
    other = client.get(reverse("wagtailadmin_pages:edit", args=[english_faq.pk]))

    assert own.status_code == 200
    assert "Frequently asked questions" in own.content.decode()
    assert other.status_code != 200


@pytest.fixture
def documents(carvin, saint_andre):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.models import Collection

    return {
        site: get_document_model().objects.create(
            title=f"Règlement ({site.site_name})",
            collection=Collection.objects.get(name=site.site_name),
            file=ContentFile(b"%PDF-1.4", name="reglement.pdf"),
        )
        for site in (carvin, saint_andre)
    }


def test_the_admin_api_lists_the_documents_of_the_users_commune_only(
    carvin_staff, carvin, saint_andre, documents
):
    listing = carvin_staff.get("/admin/api/main/documents/").json()
    own = carvin_staff.get(f"/admin/api/main/documents/{documents[carvin].pk}/")
    other = carvin_staff.get(f"/admin/api/main/documents/{documents[saint_andre].pk}/")

    assert [item["title"] for item in listing["items"]] == ["Règlement (Carvin)"]
    assert own.status_code == 200
    assert other.status_code == 404


def test_the_admin_api_lists_the_images_of_the_users_commune_only(carvin_staff, carvin):
    from wagtail.images import get_image_model

    listing = carvin_staff.get("/admin/api/main/images/").json()

    titles = {item["title"] for item in listing["items"]}
    carvins = get_image_model().objects.filter(collection__name=carvin.site_name)
    assert titles == set(carvins.values_list("title", flat=True))


@pytest.mark.parametrize(
    "url",
    [
        "/admin/localize/reports/translations/",
        "/admin/localize/reports/translations/results/",
        "/admin/localize/api/snippets/services/messagetemplate/",
    ],
)
def test_the_translations_report_and_snippets_api_are_the_platforms(
    carvin_staff, admin_client, url
):
    assert carvin_staff.get(url).status_code == 404
    assert admin_client.get(url).status_code == 200


# --- Privacy dialog ------------------------------------------------------------------

GROUP_CHOICE = re.compile(r'name=\\?"groups\\?" value=\\?"(\d+)')


def offered_groups(response) -> set[int]:
    assert response.status_code == 200
    return {int(pk) for pk in GROUP_CHOICE.findall(response.content.decode())}


def test_the_privacy_dialog_of_every_commune_offers_its_own_groups_only(client, demo):
    from django.contrib.auth.models import Group
    from wagtail.models import Site

    from accounts.models import User
    from cms.tenancy import commune_homes, groups_of_communes

    checked = 0
    for site in Site.objects.all():
        own = set(groups_of_communes([site]).values_list("pk", flat=True))
        others = set(Group.objects.exclude(pk__in=own).values_list("pk", flat=True))
        for user in User.objects.filter(groups__in=own).distinct():
            client.force_login(user)
            for home in commune_homes(site):
                if not home.permissions_for_user(user).can_set_view_restrictions():
                    continue
                url = reverse("wagtailadmin_pages:set_privacy", args=[home.pk])
                offered = offered_groups(client.get(url))
                assert offered, (user, home)
                assert offered <= own, (user, home)
                assert not offered & others, (user, home)
                checked += 1
    assert checked >= 2  # each commune's communication staff, at least


def test_the_privacy_dialog_refuses_a_group_of_another_commune(carvin_staff, carvin, saint_andre):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    other = Group.objects.get(name="Saint-André-des-Eaux — Communication")
    url = reverse("wagtailadmin_pages:set_privacy", args=[carvin.root_page.pk])

    response = carvin_staff.post(url, {"restriction_type": "groups", "groups": [other.pk]})

    assert response.status_code == 200
    assert response.json()["step"] == "set_privacy"
    assert not PageViewRestriction.objects.exists()


def test_the_privacy_dialog_restricts_a_page_to_a_group_of_the_commune(carvin_staff, carvin):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    own = Group.objects.get(name="Carvin — Agents")
    url = reverse("wagtailadmin_pages:set_privacy", args=[carvin.root_page.pk])

    response = carvin_staff.post(url, {"restriction_type": "groups", "groups": [own.pk]})

    assert response.json()["step"] == "set_privacy_done"
    assert list(PageViewRestriction.objects.get().groups.all()) == [own]


def test_the_collection_privacy_dialog_offers_the_communes_groups_only(
    client, carvin, saint_andre, staff_of
):
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Collection, CollectionViewRestriction, GroupCollectionPermission

    collection = Collection.objects.get(name="Carvin", depth=2)
    communication = Group.objects.get(name="Carvin — Communication")
    GroupCollectionPermission.objects.create(
        group=communication,
        collection=collection,
        permission=Permission.objects.get(codename="change_collection"),
    )
    client.force_login(staff_of(carvin))
    url = reverse("wagtailadmin_collections:set_privacy", args=[collection.pk])
    other = Group.objects.get(name="Saint-André-des-Eaux — Agents")

    offered = offered_groups(client.get(url))
    refused = client.post(url, {"restriction_type": "groups", "groups": [other.pk]})

    assert offered == set(
        Group.objects.filter(name__startswith="Carvin — ").values_list("pk", flat=True)
    )
    assert refused.json()["step"] == "set_privacy"
    assert not CollectionViewRestriction.objects.exists()


# --- Admin home ----------------------------------------------------------------------

SUMMARY = re.compile(r'<a href="/admin/(pages|images|documents)/[^"]*">\s*(\d+)')
STAFF_COMMUNE = {
    "com.carvin": "carvin.localhost",
    "agent.carvin": "carvin.localhost",
    "regie.carvin": "carvin.localhost",
    "com.saint-andre": "saint-andre-des-eaux.localhost",
    "agent.saint-andre": "saint-andre-des-eaux.localhost",
    "regie.saint-andre": "saint-andre-des-eaux.localhost",
}


def communes_objects(site) -> dict[str, int]:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Collection, Page

    from cms.tenancy import commune_homes

    pages = Page.objects.none()
    for home in commune_homes(site):
        pages |= Page.objects.filter(path__startswith=home.path)
    collection = Collection.objects.get(name=site.site_name, depth=2)
    in_collection = {"collection__path__startswith": collection.path}
    return {
        "pages": pages.count(),
        "images": get_image_model().objects.filter(**in_collection).count(),
        "documents": get_document_model().objects.filter(**in_collection).count(),
    }


@pytest.mark.parametrize("username", STAFF_COMMUNE)
def test_the_admin_home_counts_the_users_communes_objects_only(client, demo, username):
    from wagtail.models import Site

    from accounts.models import User

    user = User.objects.get(username=username)
    client.force_login(user)
    html = client.get(reverse("wagtailadmin_home")).content.decode()

    shown = {kind: int(count) for kind, count in SUMMARY.findall(html)}
    site = Site.objects.get(hostname=STAFF_COMMUNE[username])
    expected = communes_objects(site)
    if username.startswith("regie."):
        # Supervisors edit the démarches only: the page "Services" and below,
        # in each language.
        from wagtail.models import Page

        from services.models import ServiceIndexPage

        services = ServiceIndexPage.objects.descendant_of(site.root_page).get()
        expected["pages"] = sum(
            Page.objects.filter(path__startswith=index.path).count()
            for index in services.get_translations(inclusive=True)
        )
    assert shown == {kind: expected[kind] for kind in shown}
    if not username.startswith("regie."):
        assert set(shown) == {"pages", "images", "documents"}


def _login(client, username):
    from accounts.models import User

    client.force_login(User.objects.get(username=username))
    return client


def _english_faq_source():
    from wagtail.models import Page
    from wagtail_localize.models import TranslationSource

    english = Page.objects.get(locale__language_code="en", slug="faq")
    return TranslationSource.objects.get(object_id=english.translation_key)


def test_a_bulk_action_naming_another_communes_request_is_not_found(client, demo):
    from services.models import Submission

    carvin = Submission.objects.filter(site__hostname="carvin.localhost").exclude(reference="")
    other = Submission.objects.filter(site__hostname="saint-andre-des-eaux.localhost").exclude(
        reference=""
    )
    _login(client, "agent.carvin")
    url = "/admin/bulk/services/submission/delete/"

    own = client.get(url, {"id": [carvin[0].pk]})
    mixed = client.get(url, {"id": [carvin[0].pk, other[0].pk]})
    communication = _login(client, "com.carvin").get(url, {"id": [other[0].pk]})

    assert own.status_code == 200
    assert carvin[0].reference in own.content.decode()
    assert mixed.status_code == 404
    assert other[0].reference not in mixed.content.decode()
    assert communication.status_code == 404


def test_a_bulk_action_on_all_of_a_listing_keeps_to_the_users_communes(client, demo):
    from services.models import Submission

    requests = Submission.objects.exclude(reference="")
    _login(client, "agent.carvin")

    response = client.get("/admin/bulk/services/submission/delete/", {"id": "all"})

    html = response.content.decode()
    assert response.status_code == 200
    for request in requests.filter(site__hostname="carvin.localhost"):
        assert request.reference in html
    for request in requests.filter(site__hostname="saint-andre-des-eaux.localhost"):
        assert request.reference not in html


def test_another_communes_page_cannot_be_unpublished_in_bulk(client, demo, faq_of):
    from wagtail.models import Site

    carvin = Site.objects.get(hostname="carvin.localhost")
    other = Site.objects.get(hostname="saint-andre-des-eaux.localhost")
    _login(client, "com.carvin")
    url = "/admin/bulk/wagtailcore/page/unpublish/"

    own = client.get(url, {"id": [faq_of(carvin).pk]})
    response = client.post(url + f"?id={faq_of(other).pk}")

    assert own.status_code == 200
    assert response.status_code == 404
    assert faq_of(other).live


def test_another_communes_translations_are_neither_shown_nor_published(client, demo):
    from wagtail.models import Page

    source = _english_faq_source()
    english = Page.objects.get(locale__language_code="en", slug="faq").specific
    english.title = "Questions (draft)"
    english.save_revision()
    url = f"/admin/localize/update/{source.pk}/"
    _login(client, "com.saint-andre")

    shown = client.get(url)
    published = client.post(url, {"publish_translations": "on"})
    own = _login(client, "com.carvin").get(url)

    assert shown.status_code == 404
    assert "Frequently asked questions" not in shown.content.decode()
    assert published.status_code == 404
    english.refresh_from_db()
    assert english.has_unpublished_changes
    assert own.status_code == 200
    assert "Frequently asked questions" in own.content.decode()


def test_another_communes_translation_editor_views_are_not_found(client, demo):
    from wagtail_localize.models import Translation

    translation = Translation.objects.get(source=_english_faq_source())
    _login(client, "com.saint-andre")

    download = client.get(f"/admin/localize/translate/{translation.pk}/pofile/download/")
    stop = client.post(f"/admin/localize/translate/{translation.pk}/disable/")

    assert download.status_code == 404
    assert stop.status_code == 404
    translation.refresh_from_db()
    assert translation.enabled
