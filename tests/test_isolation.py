"""Staff of one commune never see anything of another commune in the admin.

With both demo communes loaded (pages, citizens, requests, notes, message
templates, invoices, transactions, the agents' log), every admin URL is
opened as the agent, the supervisor and the communication officer of
Carvin: those without parameters as they are, those with an id with the ids
of Saint-André-des-Eaux's objects. No page may show a request number, a
citizen, an invoice, a template, a note or a page title of Saint-André.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Site

from cms.audit import audit
from payments.models import Invoice
from services.library import MODELS
from services.models import Attachment, InternalNote, MessageTemplate, SavedFilter, Submission
from services.services import note_add

CARVIN_STAFF = ("agent.carvin", "regie.carvin", "com.carvin")
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
#: URLs that end a session or act on the platform rather than show data.
SKIPPED = re.compile(r"^/admin/(logout/|login/|password_reset/|jsi18n/|api/|sprite|failwhale/)")


def admin_routes() -> list[str]:
    """Every admin route, as a template such as ``/admin/snippets/x/edit/<int:pk>/``."""
    routes = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = str(pattern.pattern)
            if route.startswith("^") or "(?P" in route:
                route = re.sub(r"^\^|\$$", "", route)
                if "(" in route or "[" in route or "\\" in route:
                    continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                routes.append(prefix + route)

    walk(get_resolver().url_patterns, "/")
    return sorted({r for r in routes if r.startswith("/admin/") and not SKIPPED.match(r)})


@pytest.fixture
def demo(demo):
    """The demo portal (``tests/conftest.py``), with a note, a message
    template, an entry of the agents' log and a document of Saint-André."""
    saint_andre = Site.objects.get(hostname="saint-andre-des-eaux.localhost")
    agent = get_user_model().objects.get(username="agent.saint-andre")
    requests = list(Submission.objects.filter(site=saint_andre).exclude(reference=""))
    note_add(submission=requests[0], author=agent, text="Note privée de Saint-André")
    MessageTemplate.objects.create(
        site=saint_andre, status="accepted", title="Modèle de Saint-André", body="Validé."
    )
    audit(requests[0], "services.view", user=agent)
    get_document_model().objects.create(
        title="Règlement intérieur de la salle de Saint-André",
        collection=Collection.objects.get(name=saint_andre.site_name),
        file=ContentFile(b"%PDF-1.4 demo", name="reglement.pdf"),
    )
    return saint_andre


def images_of(site):
    return get_image_model().objects.filter(collection__name=site.site_name)


def documents_of(site):
    return get_document_model().objects.filter(collection__name=site.site_name)


def markers_of(site) -> set[str]:
    """Texts that belong to this commune only."""
    markers = {site.site_name, site.hostname}
    requests = Submission.objects.filter(site=site).exclude(reference="")
    markers |= set(requests.values_list("reference", flat=True))
    citizens = get_user_model().objects.filter(site=site)
    markers |= set(citizens.values_list("username", flat=True))
    markers |= {e for e in citizens.values_list("email", flat=True) if e}
    markers |= set(Invoice.objects.filter(regie__site=site).values_list("number", flat=True))
    markers |= set(MessageTemplate.objects.filter(site=site).values_list("title", flat=True))
    markers |= set(
        InternalNote.objects.filter(submission__site=site).values_list("text", flat=True)
    )
    markers |= set(Attachment.objects.filter(site=site).values_list("name", flat=True))
    markers |= set(images_of(site).values_list("title", flat=True))
    markers |= set(documents_of(site).values_list("title", flat=True))
    own_titles = set(Page.objects.descendant_of(site.root_page).values_list("title", flat=True))
    others = Page.objects.exclude(pk__in=Page.objects.descendant_of(site.root_page, inclusive=True))
    markers |= own_titles - set(others.values_list("title", flat=True))
    # The démarche models' titles are the catalogue's, which every commune's
    # staff browse, whichever commune installed them.
    markers -= {model.title for model in MODELS}
    return {m for m in markers if len(m) >= 4}


def ids_of(site) -> set[int]:
    """Primary keys of the commune's objects, one of each kind, to put in URLs."""
    querysets = [
        Page.objects.descendant_of(site.root_page, inclusive=True).order_by("-depth"),
        Submission.objects.filter(site=site).exclude(reference=""),
        get_user_model().objects.filter(site=site),
        Invoice.objects.filter(regie__site=site),
        MessageTemplate.objects.filter(site=site),
        Attachment.objects.filter(site=site),
        InternalNote.objects.filter(submission__site=site),
        SavedFilter.objects.filter(site=site),
        images_of(site),
        documents_of(site),
    ]
    ids = {site.pk, site.root_page_id}
    for queryset in querysets:
        ids |= set(queryset.values_list("pk", flat=True)[:1])
    return ids


def urls_to_try(routes, ids) -> list[str]:
    urls = []
    for route in routes:
        parameters = PARAMETER.findall(route)
        if not parameters:
            urls.append(route)
        elif all(converter == "int" for converter, _name in parameters):
            for pk in sorted(ids):
                urls.append(PARAMETER.sub(str(pk), route))
    return urls


def leaks(html: str, markers: set[str]) -> set[str]:
    return {marker for marker in markers if marker in html}


def test_carvin_staff_never_see_anything_of_saint_andre(demo):
    carvin = Site.objects.get(hostname="carvin.localhost")
    markers = markers_of(demo) - markers_of(carvin)
    root = Page.get_first_root_node().pk
    urls = urls_to_try(admin_routes(), ids_of(demo) | {root})

    found = {}
    errors = []
    for username in CARVIN_STAFF:
        client = Client(HTTP_HOST="carvin.localhost", raise_request_exception=False)
        client.force_login(get_user_model().objects.get(username=username))
        opened = 0
        for url in urls:
            response = client.get(url)
            if response.status_code >= 500:
                errors.append(f"{username} {url}")
            if response.status_code != 200 or response.streaming:
                continue
            opened += 1
            leaked = leaks(response.content.decode(errors="replace"), markers)
            if leaked:
                found[f"{username} {url}"] = sorted(leaked)[:5]
        assert opened > 40, f"the admin URLs were not opened as {username}"

    assert found == {}, "\n".join(f"{url}: {leaked}" for url, leaked in sorted(found.items()))
    assert errors == []


def test_the_markers_would_be_seen_if_they_leaked(demo):
    """The same check, as Saint-André's own agent, finds its own data."""
    markers = markers_of(demo)
    client = Client(HTTP_HOST="saint-andre-des-eaux.localhost")
    client.force_login(get_user_model().objects.get(username="agent.saint-andre"))

    html = client.get("/admin/snippets/services/submission/?status=all").content.decode()

    assert leaks(html, markers)
