"""Commune files (``cms.commune_file``): Carvin exported, then imported as a
new commune that has its pages, settings without secrets, démarches,
workflows, templates and services; a file that is broken anywhere creates
nothing; the screens are the platform admin's."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from accounts.models import AccountSettings, Captcha, User
from cms.commune_file import (
    HOSTNAME_TAKEN,
    UNKNOWN_VERSION,
    CommuneFileError,
    commune_export,
    commune_import,
)
from cms.models import CommuneSettings, SmsSettings
from faq.models import FAQPage
from home.models import ContentPage
from payments.models import Regie
from services.models import (
    MessageTemplate,
    MunicipalService,
    ServicePage,
    Submission,
    Workflow,
)

CARVIN = "carvin.localhost"
YEU = "lile-dyeu.localhost"


def manifest_of(data: bytes) -> dict:
    return json.loads(zipfile.ZipFile(io.BytesIO(data)).read("commune.json"))


def rewritten(data: bytes, change=None, drop=(), add=()) -> io.BytesIO:
    """The archive ``data`` with its manifest changed by ``change``, members
    ``drop`` left out and members ``add`` (name, content) added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(source.read("commune.json"))
    if change:
        change(manifest)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("commune.json", json.dumps(manifest))
        for name in source.namelist():
            if name != "commune.json" and name not in drop:
                archive.writestr(name, source.read(name))
        for name, content in add:
            archive.writestr(name, content)
    out.seek(0)
    return out


def comparable(manifest: dict) -> dict:
    """A manifest without what names its commune or its storage: the
    commune's name, what to enter again, the suffix storage adds to a file
    name already taken; FranceConnect and reCAPTCHA only once their keys
    are entered again."""
    text = json.dumps(manifest["parts"], ensure_ascii=False, sort_keys=True)
    text = re.sub(r'_[A-Za-z0-9]{7}(\.\w+)"', r'\1"', text)
    parts = json.loads(text)
    parts["accounts"]["settings"].update(franceconnect_enabled=False, captcha="altcha")
    return {"parts": parts, "media": manifest["media"]}


def questions(page: FAQPage) -> list[str]:
    return [q["question"] for category in page.body for q in category.value["questions"]]


def stored_files() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def test_carvin_copied_into_a_new_commune_keeps_its_configuration_but_no_secret(demo, tmp_path):
    carvin = Site.objects.get(hostname=CARVIN)
    accounts = AccountSettings.for_site(carvin)
    accounts.captcha = Captcha.RECAPTCHA_V2
    accounts.recaptcha_public_key, accounts.recaptcha_private_key = "site-key", "secret-key"
    accounts.save()
    sms = SmsSettings.for_site(carvin)
    sms.provider, sms.sender, sms.monthly_cap = "brevo", "Carvin", 400
    sms.options = {"api_key": "brevo-secret-key", "base_url": "https://sms.example.org"}
    sms.save()
    path = tmp_path / "carvin.zip"
    call_command("export_commune", CARVIN, "-o", str(path), stdout=io.StringIO())
    data = path.read_bytes()
    manifest = manifest_of(data)
    text = json.dumps(manifest, ensure_ascii=False)
    assert "secret-key" not in text and "site-key" not in text
    assert any("reCAPTCHA" in line for line in manifest["to_reenter"])
    assert any("Brevo" in line for line in manifest["to_reenter"])
    assert not re.search(r'"(reference|email)": "[^"]*@', json.dumps(manifest["parts"]["cms"]))

    out = io.StringIO()
    call_command(
        "import_commune", str(path), "--name", "L'Île-d'Yeu", "--hostname", YEU, stdout=out
    )
    yeu = Site.objects.get(hostname=YEU)
    assert "Demande d'acte de naissance" in out.getvalue()

    # Settings, without secrets.
    source, copy = CommuneSettings.for_site(carvin), CommuneSettings.for_site(yeu)
    assert (copy.official_name, copy.phrase) == ("L'Île-d'Yeu", "la mairie de L'Île-d'Yeu")
    assert (copy.primary_colour, copy.address_lines) == (
        source.primary_colour,
        source.address_lines,
    )
    assert copy.logo_id and copy.logo_id != source.logo_id
    assert copy.logo.collection.name == "L'Île-d'Yeu"
    assert not copy.is_open
    copied_accounts = AccountSettings.for_site(yeu)
    assert copied_accounts.captcha == Captcha.ALTCHA
    assert copied_accounts.recaptcha_private_key == ""
    assert not copied_accounts.franceconnect_enabled
    assert copied_accounts.franceconnect_client_secret == ""
    copied_sms = SmsSettings.for_site(yeu)
    assert (copied_sms.provider, copied_sms.sender, copied_sms.monthly_cap) == (
        "brevo",
        "Carvin",
        400,
    )
    assert copied_sms.options == {"base_url": "https://sms.example.org"}
    assert not copied_sms.offered, "no text message leaves before its key is entered again"
    regies = Regie.objects.filter(site=yeu)
    assert [r.name for r in regies] == [r.name for r in Regie.objects.filter(site=carvin)]
    assert not any(regie.is_active for regie in regies)

    # Pages, démarches, processing.
    def titles(model, site):
        return sorted(model.objects.descendant_of(site.root_page).values_list("title", flat=True))

    assert titles(ServicePage, yeu) == titles(ServicePage, carvin)
    assert titles(ContentPage, yeu) == titles(ContentPage, carvin)
    faq = FAQPage.objects.descendant_of(yeu.root_page).get()
    assert questions(faq) == questions(FAQPage.objects.descendant_of(carvin.root_page).get())
    birth = ServicePage.objects.descendant_of(yeu.root_page).get(slug="acte-de-naissance")
    assert [s.value["title"] for s in birth.form] == [
        s.value["title"]
        for s in ServicePage.objects.descendant_of(carvin.root_page)
        .get(slug="acte-de-naissance")
        .form
    ]
    for model in (Workflow, MessageTemplate, MunicipalService):
        assert sorted(map(str, model.objects.filter(site=yeu))) == sorted(
            map(str, model.objects.filter(site=carvin))
        )
    booking = ServicePage.objects.descendant_of(yeu.root_page).get(slug="reservation-de-salle")
    assert booking.workflow.site == yeu and booking.workflow.name == "Réservation de salle"
    assert booking.fee.regie.site == yeu
    assert not Submission.objects.filter(site=yeu).exists()
    assert not User.objects.filter(site=yeu).exists()

    # Its public pages, once opened.
    CommuneSettings.objects.filter(site=yeu).update(is_open=True)
    client = Client(HTTP_HOST=YEU)
    for address in ("/", "/faq/", "/services/", "/services/acte-de-naissance/", "/accessibilite/"):
        response = client.get(address)
        assert response.status_code == 200, address
        assert "L'Île-d'Yeu" in response.content.decode() or "L&#x27;Île-d&#x27;Yeu" in (
            response.content.decode()
        )

    # Export, import, export: the same file but for the commune's name.
    again = comparable(manifest_of(commune_export(site=yeu)))
    assert again == comparable(manifest), [
        name for name in again["parts"] if again["parts"][name] != manifest["parts"][name]
    ]

    # Again at the same address: refused, unless replacing.
    with pytest.raises(CommuneFileError) as refused:
        commune_import(file=io.BytesIO(data), hostname=YEU, name="Autre")
    assert refused.value.message == HOSTNAME_TAKEN % {"hostname": YEU}
    request = Submission.objects.create(site=yeu, page=birth, title=birth.title, status="closed")
    report = commune_import(file=io.BytesIO(data), hostname=YEU, replace=True)
    assert any("Demande d'acte de naissance" in line for line in report.replaced)
    assert report.created == []
    assert Submission.objects.filter(pk=request.pk).exists()
    birth.refresh_from_db()
    assert birth.revisions.count() == 2
    assert ServicePage.objects.descendant_of(yeu.root_page).count() == len(
        manifest["parts"]["services"]["demarches"]
    )


def _bad_version(manifest):
    manifest["version"] = 2


def _broken_demarche(manifest):
    form = manifest["parts"]["services"]["demarches"][3]["file"]["form"]
    form[0]["value"]["fields"][0]["type"] = "hologram"


def _unknown_page(manifest):
    manifest["parts"]["home"]["pages"][0]["address"] = "/nowhere/at-all/"


def _unknown_sms_provider(manifest):
    manifest["parts"]["cms"]["sms"]["provider"] = "pigeon"


BROKEN_FILES = {
    # case: (change of the manifest, members dropped, members added, path at fault)
    "version": (_bad_version, (), (), "version"),
    "missing image": (None, ("media/images/1.png",), (), "parts.cms.logo"),
    "démarche": (_broken_demarche, (), (), "parts.services.demarches[3].file"),
    "page": (_unknown_page, (), (), "parts.home.pages[0].address"),
    "SMS provider": (_unknown_sms_provider, (), (), "parts.cms.sms.provider"),
    "member path": (None, (), (("../../escape.txt", b"x"),), ""),
}


def test_a_broken_commune_file_is_refused_where_it_is_broken_and_leaves_nothing(demo):
    data = commune_export(site=Site.objects.get(hostname=CARVIN))
    counts = (Page.objects.count(), get_image_model().objects.count())
    documents, files = get_document_model().objects.count(), stored_files()

    for case, (change, drop, add, path) in BROKEN_FILES.items():
        with pytest.raises(CommuneFileError) as refused:
            commune_import(
                file=rewritten(data, change, drop, add), hostname=YEU, name="L'Île-d'Yeu"
            )

        assert refused.value.path == path, case
        if path == "version":
            assert refused.value.message == UNKNOWN_VERSION % {"version": 2, "known": 1}
        assert not Site.objects.filter(hostname=YEU).exists(), case
        assert (Page.objects.count(), get_image_model().objects.count()) == counts, case
        assert get_document_model().objects.count() == documents, case
        assert stored_files() == files, case


def test_commune_files_are_for_platform_admins_only(carvin, staff_of):
    supervisor = staff_of(carvin, "Supervisors")
    admin = User.objects.create_superuser("platform", password="a-long-password-1")
    client = Client(HTTP_HOST=CARVIN)
    client.force_login(supervisor)
    for url in (
        "/admin/communes/files/",
        "/admin/communes/files/import/",
        f"/admin/communes/{carvin.pk}/export/",
    ):
        assert client.get(url).status_code in (302, 403), url

    client.force_login(admin)
    listing = client.get("/admin/communes/files/").content.decode()
    assert f'href="/admin/communes/{carvin.pk}/export/"' in listing
    response = client.get(f"/admin/communes/{carvin.pk}/export/")
    assert response.status_code == 200
    assert "commune-carvin.localhost.zip" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert manifest_of(data)["format"] == "portail-commune"

    typed = {"name": "L'Île-d'Yeu", "hostname": YEU, "phrase": "la mairie de l'Île"}
    response = client.post(
        "/admin/communes/files/import/",
        {**typed, "file": SimpleUploadedFile("yeu.zip", b"not a zip at all")},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "ZIP" in " ".join(form.errors["file"])
    assert {name: form[name].value() for name in typed} == typed
    assert not Site.objects.filter(hostname=YEU).exists()

    response = client.post(
        "/admin/communes/files/import/",
        {**typed, "hostname": CARVIN, "file": SimpleUploadedFile("c.zip", data)},
    )
    assert CARVIN in " ".join(response.context["form"].errors["hostname"])

    response = client.post(
        "/admin/communes/files/import/",
        {**typed, "file": SimpleUploadedFile("yeu.zip", data)},
    )
    assert response.status_code == 200
    assert YEU in response.content.decode()
    assert CommuneSettings.for_site(Site.objects.get(hostname=YEU)).phrase == "la mairie de l'Île"
