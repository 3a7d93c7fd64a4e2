"""The authorization matrix: every route of the portal, as every role, on
objects of every owner.

The demo is loaded once (Carvin and Saint-André-des-Eaux), completed so that
two households of Carvin and one of Saint-André each own household members,
requests (sent, draft, with an amount to pay), documents, invoices and
payments. Then every URL pattern of the resolver (the portal's, Wagtail's
admin and Wagtail's page serving) is requested by each role on its own
commune's host name, once per owner of the objects its URL names, and the
answer must be the one the rule table (``RULES``) gives: 200, a redirect to
the right login page, a refusal, or a 404 for another's object. A 200 to
anyone logged in says ``Cache-Control: private, no-store``, and never
contains a marker (name, e-mail, request or invoice number, title) of
someone the role may not see. A refused GET naming an object is also sent as
POST: it must be refused too, and the object unchanged afterwards (nor may
an invoice end up in another household's cart).

A new URL pattern without a rule fails ``test_every_route_has_a_rule``: add
its rule to ``RULES`` (the first rule that matches a route applies; match by
URL name, namespace or route with shell wildcards). An admin URL taking an
id whose rule does not name each commune's objects fails
``test_every_admin_id_is_tried_with_each_communes_objects``; a bulk action
(Wagtail's, wagtail-localize's or the apps', on any model) whose model has no
objects to name fails ``test_every_bulk_action_is_tried_with_each_communes_objects``.
"""

from __future__ import annotations

import html
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fnmatch import fnmatchcase
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db.models import F as models_F
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    Locale,
    Page,
    Site,
    Task,
    Workflow,
    WorkflowTask,
)
from wagtail_localize.models import StringSegment, Translation, TranslationSource

from accounts.models import AccountStatus, HouseholdMember, StaffInvitation, User
from accounts.services import MemberData, member_add
from demo.communes import DEMO_DIR
from demo.payments import add_demo_payments
from demo.translation import translate_page
from fees.models import DemarcheFee, PaymentTime, RequestPayment, RequestPaymentKind
from home.models import ContentPage
from payments.models import CartItem, Invoice, Regie, Transaction
from payments.services import invoice_issue
from services.library import MODELS
from services.messaging import Sender, message_send
from services.models import (
    Attachment,
    DemarcheCopy,
    InternalNote,
    IssuedDocument,
    MessageAttachment,
    MessageTemplate,
    MunicipalService,
    SavedFilter,
    ServiceIndexPage,
    ServicePage,
    Submission,
)
from services.services import access_key, submission_start
from services.workflows import standard_workflow
from tests.conftest import MATRIX_FIGURES
from tests.identity_provider import offer_franceconnect, offer_proconnect

CARVIN = "carvin.localhost"
SAINT_ANDRE = "saint-andre-des-eaux.localhost"

# --- Roles -------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    name: str
    kind: str  # anonymous, citizen, agent, supervisor, communication, admin
    commune: str  # "carvin" or "sa": the host it browses
    username: str = ""
    household: str = ""  # for citizens: "a", "b" or "sa"
    in_service: bool = False  # an agent who belongs to a municipal service

    @property
    def host(self) -> str:
        return CARVIN if self.commune == "carvin" else SAINT_ANDRE

    @property
    def is_staff(self) -> bool:
        return self.kind in ("agent", "supervisor", "communication")


ROLES = [
    Role("anonymous", "anonymous", "carvin"),
    Role("citizen A (Carvin)", "citizen", "carvin", "amélie.lire", "a"),
    Role("citizen B (Carvin)", "citizen", "carvin", "jean-noël.darc", "b"),
    Role("citizen of Saint-André", "citizen", "sa", "élodie.martin", "sa"),
    Role("agent of Carvin", "agent", "carvin", "agent.carvin"),
    Role("agent of Carvin's État civil", "agent", "carvin", "etat-civil.carvin", in_service=True),
    Role("supervisor of Carvin", "supervisor", "carvin", "regie.carvin"),
    Role("communication of Carvin", "communication", "carvin", "com.carvin"),
    Role("agent of Saint-André", "agent", "sa", "agent.saint-andre"),
    Role("supervisor of Saint-André", "supervisor", "sa", "regie.saint-andre"),
    Role("communication of Saint-André", "communication", "sa", "com.saint-andre"),
    Role("platform admin", "admin", "carvin", "admin"),
]

#: Owners of objects: the households of citizens A and B of Carvin and of
#: the citizen of Saint-André, or a commune.
HOUSEHOLDS = ("a", "b", "sa")
COMMUNES = ("carvin", "sa")
AGENT_OF = {"carvin": "agent.carvin", "sa": "agent.saint-andre"}
NOBODY = (None,)


def commune_of(owner: str | None) -> str | None:
    return {"a": "carvin", "b": "carvin"}.get(owner, owner)


# --- Expected answers ----------------------------------------------------------

OK = "200"
OK_OR_REDIRECT = "200 or redirect within the portal"
TO_THE_BANK = "redirect to the bank (the test bank, on the portal) or back within the portal"
TO_THE_IDENTITY_PROVIDER = "redirect to the identity provider (FranceConnect, ProConnect)"
CITIZEN_LOGIN = "redirect to /compte/connexion/"
ADMIN_LOGIN = "redirect to /admin/login/"
NOT_FOUND = "404"
REFUSED = "refused (403, 404, 405 or back to the admin home)"
ANSWERED = "any answer but an error, nothing of another owner"
SERVER_ERROR = "500 on purpose"
REFUSALS = (CITIZEN_LOGIN, ADMIN_LOGIN, NOT_FOUND, REFUSED)


def _location(response) -> tuple[str, dict]:
    parts = urlsplit(response["Location"])
    if parts.netloc:
        return "//" + parts.netloc + parts.path, parse_qs(parts.query)
    return parts.path, parse_qs(parts.query)


def answer_matches(expected: str, response, url: str) -> bool:
    status = response.status_code
    if expected == OK:
        return status == 200
    if expected == NOT_FOUND:
        return status == 404
    if expected == SERVER_ERROR:
        return status == 500
    if expected in (CITIZEN_LOGIN, ADMIN_LOGIN):
        if status != 302:
            return False
        path, query = _location(response)
        login = "/compte/connexion/" if expected == CITIZEN_LOGIN else "/admin/login/"
        return path == login and query.get("next") == [url]
    if expected == REFUSED:
        return status in (403, 404, 405) or (status == 302 and _location(response)[0] == "/admin/")
    if expected == OK_OR_REDIRECT:
        if status == 200:
            return True
        return status == 302 and response["Location"].startswith("/")
    if expected == TO_THE_BANK:
        netloc = urlsplit(response.get("Location", "")).netloc
        return status == 302 and netloc in ("", response.wsgi_request.get_host())
    if expected == TO_THE_IDENTITY_PROVIDER:
        netloc = urlsplit(response.get("Location", "")).netloc
        return status == 302 and netloc not in ("", response.wsgi_request.get_host())
    if expected == ANSWERED:
        return status < 500
    raise AssertionError(expected)


Expect = Callable[[Role, "str | None"], str]


def public(role, owner) -> str:
    return OK


def public_form(role, owner) -> str:
    return OK_OR_REDIRECT


def answered(role, owner) -> str:
    return ANSWERED


def to_the_identity_provider(role, owner) -> str:
    return TO_THE_IDENTITY_PROVIDER


def not_found(role, owner) -> str:
    return NOT_FOUND


def refused(role, owner) -> str:
    return REFUSED


def citizen_own(role, owner) -> str:
    """A citizen's own things: the login page for anyone else than a citizen
    of the commune, a 404 for another household's."""
    if role.kind != "citizen":
        return CITIZEN_LOGIN
    if owner is None or owner == role.household:
        return OK
    return NOT_FOUND


def citizen_own_or_redirect(role, owner) -> str:
    expected = citizen_own(role, owner)
    return OK_OR_REDIRECT if expected == OK else expected


def paying(expect: Expect) -> Expect:
    """``expect``, but where it gives the page, a payment starts instead: a
    redirect to the bank (or back to the request when the bank refuses)."""

    def pay(role, owner) -> str:
        expected = expect(role, owner)
        return TO_THE_BANK if expected == OK else expected

    return pay


def citizen_own_if_any(role, owner) -> str:
    expected = citizen_own(role, owner)
    return ANSWERED if expected == OK else expected


def payer_only(role, owner) -> str:
    """A payment made from an account: its payer only, a 404 for anyone else
    (its address alone opens nothing)."""
    if role.kind == "citizen" and owner == role.household:
        return OK
    return NOT_FOUND


def same_commune(role, owner) -> str:
    """Reachable by whoever holds the link, on its own commune's portal only."""
    return OK if owner is None or commune_of(owner) == role.commune else NOT_FOUND


def own_saved_filter(role, owner) -> str:
    """A saved filter of the queue: its agent's only, never another staff
    member's of the same commune, nor the platform admin's."""
    if role.kind in ("anonymous", "citizen"):
        return ADMIN_LOGIN
    if owner is not None and role.username == AGENT_OF[owner]:
        return OK
    return REFUSED


def admin(
    *kinds: str,
    everyone: bool = False,
    own: str = OK,
    citizens: str = ADMIN_LOGIN,
    listings: str = REFUSED,
) -> Expect:
    """An admin screen: the admin login for visitors and (unless ``citizens``
    says otherwise) citizens; ``own`` for the staff ``kinds`` of the object's
    commune (or every staff member with ``everyone``) and for platform
    admins; a refusal for other staff, or ``listings`` on the routes that
    name no object (listings, choosers: empty for staff without rights)."""

    def expect(role, owner) -> str:
        if owner is None and role.is_staff and not (everyone or role.kind in kinds):
            return listings
        if role.kind == "anonymous":
            return ADMIN_LOGIN
        if role.kind == "citizen":
            return citizens
        if role.kind == "admin":
            return own
        if not (everyone or role.kind in kinds):
            return REFUSED
        if owner is None or commune_of(owner) == role.commune:
            return own
        return REFUSED

    return expect


STAFF = admin(everyone=True)
PLATFORM = admin()  # platform admins only
EDITORS = ("communication", "agent")  # who may edit pages
AGENTS = ("agent", "supervisor")
#: Pages, images and documents: for the editors of their commune; listings
#: and choosers show every staff member what they may see (maybe nothing).
PAGES = admin(*EDITORS, own=ANSWERED, listings=ANSWERED)
PAGE_IN_URL = admin(*EDITORS, own=ANSWERED, listings=ANSWERED, citizens=NOT_FOUND)


def supervisors_find_their_demarches(expect: Expect) -> Expect:
    """``expect``, but the supervisors of the commune, who edit its démarches
    (the page "Services" and below), are answered on its tree."""

    def answer(role, owner) -> str:
        if role.kind == "supervisor" and owner is not None and commune_of(owner) == role.commune:
            return ANSWERED
        return expect(role, owner)

    return answer


PAGE_ARGUMENTS = {
    "app_label": "wagtailcore",
    "model_name": "page",
    "content_type_app_name": "home",
    "content_type_model_name": "contentpage",
    "action_name": "approve",
    "task_state_id": 999999,
    "task_id": 999999,
    "workflow_state_id": 999999,
    "workflow_pk": 999999,
    "session_id": 999999,
}


def within_service(expect: Expect, outside: str = NOT_FOUND) -> Expect:
    """A request of the commune handled by another municipal service than
    the role's: ``outside`` (a 404, or a refusal for the views that only
    take a POST) for an agent of a service, as for another commune's."""

    def bounded(role, owner) -> str:
        if role.in_service and owner == role.commune:
            return outside
        return expect(role, owner)

    return bounded


def foreign_not_found(expect: Expect) -> Expect:
    """Another commune's object is a 404 to staff, never a refusal that
    confirms it exists."""

    def strict(role, owner) -> str:
        if role.is_staff and owner is not None and commune_of(owner) != role.commune:
            return NOT_FOUND
        return expect(role, owner)

    return strict


def demarche_fee(site) -> DemarcheFee:
    """A price (10 € at the town hall's asking, collected by the régie
    "Ville") on the first of the commune's démarches that had none."""
    page = (
        ServicePage.objects.descendant_of(site.root_page)
        .filter(fee__isnull=True)
        .order_by("path")
        .first()
    )
    return DemarcheFee.objects.create(
        site=site,
        page=page,
        regie=Regie.objects.get(site=site, name="Ville"),
        label=f"Frais de dossier ({site.site_name})",
        when=PaymentTime.REQUEST,
        lines=[("line", {"label": "Forfait", "amount": Decimal("10")})],
    )


def request_payment(submission) -> RequestPayment:
    """10 € the town hall asks ``submission``'s requester to pay, invoiced by
    the commune's régie "Ville" (as the workflow's "Ask for a payment" does)."""
    invoice = invoice_issue(
        regie=Regie.objects.get(site_id=submission.site_id, name="Ville"),
        account=submission.account,
        payer_name=submission.requester_name,
        number=f"{submission.reference}-P{submission.payments.count() + 1}",
        label=f"Frais de dossier – {submission.reference}",
        amount=Decimal("10"),
    )
    return RequestPayment.objects.create(
        submission=submission,
        invoice=invoice,
        kind=RequestPaymentKind.REQUEST,
        lines=[{"label": "Forfait", "quantity": "1", "unit": "10", "amount": "10"}],
        reason="Frais de dossier",
    )


def issued_document(submission) -> IssuedDocument:
    """A document the town hall issued for ``submission``."""
    return IssuedDocument.objects.create(
        submission=submission,
        status_change=submission.history.first(),
        title=f"Attestation {submission.reference}",
        reference=f"{submission.reference}-D1",
        file=ContentFile(b"%PDF-1.4 demo", name="attestation.pdf"),
        size=13,
    )


#: The objects each model's bulk actions are tried on (the kinds of ``Objects``).
BULK_OBJECTS = {
    "wagtailcore.page": ("page",),
    "wagtailimages.image": ("image",),
    "wagtaildocs.document": ("document",),
    "accounts.user": ("citizen", "staff user"),
    "accounts.citizenaccount": ("citizen",),
    "services.submission": ("submission",),
    "services.messagetemplate": ("message template",),
    "services.workflow": ("workflow",),
    "services.municipalservice": ("municipal service",),
    "payments.regie": ("régie",),
    "payments.invoice": ("invoice",),
    "payments.transaction": ("transaction",),
    "fees.demarchefee": ("demarche fee",),
}


def registered_bulk_actions() -> list[tuple[str, str, str]]:
    """(app label, model name, action) of every bulk action Wagtail and the apps register."""
    bulk_action_registry.get_bulk_actions_for_model("", "")  # scans the hooks once
    return sorted(
        (app_label, model_name, action)
        for app_label, models in bulk_action_registry.actions.items()
        for model_name, actions in models.items()
        for action in actions
    )


def bulk_action_urls(objects, owner) -> list[tuple[str, list]]:
    """Every bulk action with the ids of the owner's objects of its model, or
    with "all" (the whole listing) when nobody's objects are named."""
    urls = []
    for app_label, model_name, action in registered_bulk_actions():
        url = f"/admin/bulk/{app_label}/{model_name}/{action}/"
        if owner is None:
            urls.append((url + "?id=all", []))
            continue
        named = [objects.get(kind, owner) for kind in BULK_OBJECTS[f"{app_label}.{model_name}"]]
        urls.append((url + "?" + "&".join(f"id={obj.pk}" for obj in named), named))
    return urls


# --- Rules -------------------------------------------------------------------


@dataclass
class Rule:
    """What the routes matching ``match`` (URL names such as ``accounts:*``, or
    routes such as ``/admin/snippets/*``) take and answer.

    ``model`` is the kind of object an ``pk`` argument names; ``fixed`` gives
    other arguments; ``path`` builds the URL itself (for regular-expression
    routes). ``owners`` lists whose objects are named; ``expect`` gives the
    answer per role and owner. ``method`` is the method of every request;
    a GET that must be refused is also sent as POST, which must be refused
    too and change nothing.
    """

    match: tuple[str, ...]
    expect: Expect
    owners: tuple = NOBODY
    model: str = ""
    fixed: dict = field(default_factory=dict)
    path: Callable | None = None
    method: str = "GET"
    fresh_client: bool = False
    shows_commune_names: str = ""  # why the page may name the other commune
    why: str = ""


def rule(*match, expect, **options) -> Rule:
    return Rule(match=match, expect=expect, **options)


def snippet_rules(
    app_model: str, model: str, expect: Expect, shown: Expect, *, inspect: bool = True
) -> list[Rule]:
    """A snippet viewset: its listings and inspect view (``shown``), and every
    other view naming one of its objects (``expect``)."""
    prefix = f"/admin/snippets/{app_model}/"
    rules = [
        rule(prefix, prefix + "results/", expect=shown),
        rule(prefix + "add/", expect=expect),
    ]
    if inspect:
        rules.append(rule(prefix + "inspect/*", expect=shown, owners=COMMUNES, model=model))
    return [*rules, rule(prefix + "*", expect=expect, owners=COMMUNES, model=model)]


#: Pages every commune has: served on each commune's own host name.
COMMON_PAGES = [
    "/",
    "/faq/",
    "/services/",
    "/services/inscription-scolaire/",
    "/services/inscription-scolaire/etape/1/",
    "/services/acte-de-naissance/etape/1/",
    "/mentions-legales/",
]


def page_paths(objects, owner):
    if owner is None:
        return COMMON_PAGES
    return "/" + objects.get("page", owner).url_path.split("/", 2)[2]


def served(role, owner) -> str:
    return OK_OR_REDIRECT if owner is None else same_commune(role, owner)


RULES: list[Rule] = [
    # --- Public by design ---------------------------------------------------
    rule("healthz", expect=public, why="the load balancer's probe"),
    rule("robots_txt", expect=public, why="what robots may read: nothing of a commune not open"),
    rule("altcha_challenge", expect=public, why="the captcha's challenge"),
    rule(
        "services:postcodes",
        expect=public,
        fixed={"postcode": "51300"},
        why="the communes of a postcode, public data the forms offer as it is typed",
    ),
    rule("home:search", expect=public, why="the site search, over the commune's public pages"),
    rule(
        "accounts:login",
        "accounts:register",
        "accounts:registered",
        "accounts:password_reset",
        "accounts:password_reset_sent",
        "accounts:password_reset_complete",
        "payments:pay_without_account",
        "payments:pay_invoice",
        "wagtailcore_login",
        expect=public_form,
    ),
    rule(
        "accounts:franceconnect_start",
        expect=to_the_identity_provider,
        method="POST",
        why="the FranceConnect button (a form): anyone may sign in, or link the account logged in",
    ),
    rule(
        "accounts:franceconnect_callback",
        expect=answered,
        why="FranceConnect's answer: read only with the state this session started",
    ),
    rule(
        "accounts:franceconnect_welcome",
        "accounts:franceconnect_link",
        "accounts:franceconnect_logged_out",
        expect=public_form,
        why="what follows a FranceConnect sign-in, for the identity this session holds",
    ),
    rule(
        "accounts:franceconnect_link_confirm",
        expect=public,
        fixed={"token": "not-a-token"},
        why="the link e-mailed to link an account to FranceConnect: it works for whoever holds it",
    ),
    rule(
        "accounts:password_reset_confirm",
        expect=answered,
        owners=HOUSEHOLDS,
        why="the link e-mailed to reset a password: it works for whoever holds it",
    ),
    rule(
        "accounts:email_change_confirm",
        expect=public,
        fixed={"token": "not-a-token"},
        why="the link e-mailed to confirm a new address: it works for whoever holds it",
    ),
    rule(
        "services:tracking_cover_sheet",
        expect=lambda role, owner: ANSWERED if same_commune(role, owner) == OK else NOT_FOUND,
        owners=COMMUNES,
        why="a cover sheet exists only when a document is promised by post",
    ),
    rule(
        "services:tracking_issued",
        expect=same_commune,
        owners=("carvin", "sa"),
        model="anonymous issued document",
        why="a document issued for a request made without an account, by its private link",
    ),
    rule(
        "services:tracking_message",
        expect=same_commune,
        owners=("carvin", "sa"),
        method="POST",
        why="the requester without an account writes to the town hall through the private link",
    ),
    rule(
        "services:tracking_message_file",
        expect=same_commune,
        owners=("carvin", "sa"),
        model="anonymous message file",
        why="a file of a message about a request made without an account, by its private link",
    ),
    rule(
        "services:tracking*",
        expect=same_commune,
        owners=("carvin", "sa"),
        model="anonymous attachment",
        why="the private link of a request made without an account",
    ),
    rule(
        "fees:tracking_pay",
        expect=paying(same_commune),
        owners=COMMUNES,
        model="anonymous request payment",
        method="POST",
        why="an amount of a request made without an account, paid by whoever holds its link",
    ),
    rule(
        "payments_bank:return",
        expect=answered,
        owners=HOUSEHOLDS,
        model="transaction",
        why="the bank sends the payer back here; what it says is checked with the bank",
    ),
    rule(
        "payments_bank:*",
        expect=answered,
        owners=COMMUNES,
        model="régie",
        why="the bank's notification and the billing software's push, authenticated "
        "by the bank's signature or the régie's token",
    ),
    rule("payments:testbank", expect=answered, owners=HOUSEHOLDS, why="the demo bank"),
    rule(
        "wagtaildocs_serve",
        expect=public,
        owners=COMMUNES,
        path=lambda objects, owner: objects.get("document", owner).url,
        why="documents published on the communes' pages",
    ),
    rule(
        "wagtaildocs_authenticate_with_password",
        "wagtailcore_authenticate_with_password",
        expect=not_found,
        fixed={"restriction_id": 999999, "page_view_restriction_id": 999999},
        owners=COMMUNES,
        why="no password-protected pages or collections",
    ),
    # --- Pages served ------------------------------------------------------
    rule(
        "wagtail_serve",
        expect=served,
        owners=(None, *COMMUNES),
        path=page_paths,
        why="a commune's own page is a 404 on the other's host name",
    ),
    # --- The citizen's account ----------------------------------------------
    rule("accounts:logout", expect=public_form, method="POST", fresh_client=True),
    rule(
        "accounts:home",
        "accounts:profile",
        "accounts:profile_edit",
        "accounts:notifications",
        "accounts:member_add",
        "accounts:password_change",
        "accounts:personal_data",
        "accounts:personal_data_download",
        "accounts:erase",
        "services:submissions",
        "payments:invoices",
        "payments:statement",
        "payments:cart",
        expect=citizen_own,
    ),
    rule(
        "accounts:member_edit",
        "accounts:member_delete",
        expect=citizen_own,
        owners=HOUSEHOLDS,
        model="member",
    ),
    rule(
        "accounts:phone_verify",
        expect=citizen_own_if_any,
        method="POST",
        why="the citizen's own number; a POST without one is refused with the form (400)",
    ),
    rule(
        "accounts:franceconnect_unlink",
        expect=citizen_own_or_redirect,
        why="the citizen's own link to FranceConnect (none: back to the account)",
    ),
    rule(
        "services:submission",
        "services:submission_receipt",
        "services:submission_document",
        expect=citizen_own,
        owners=HOUSEHOLDS,
        model="attachment",
    ),
    rule(
        "services:submission_message",
        expect=citizen_own,
        owners=HOUSEHOLDS,
        method="POST",
        why="the citizen writes to the town hall about their own request",
    ),
    rule(
        "services:submission_message_file",
        expect=citizen_own,
        owners=HOUSEHOLDS,
        model="message file",
        why="a file of a message about the citizen's own request",
    ),
    rule(
        "services:submission_issued",
        expect=citizen_own,
        owners=HOUSEHOLDS,
        model="issued document",
    ),
    rule(
        "services:submission_cover_sheet",
        expect=citizen_own_if_any,
        owners=HOUSEHOLDS,
        why="a cover sheet exists only when a document is promised by post",
    ),
    rule("payments:invoice_pdf", expect=citizen_own, owners=HOUSEHOLDS, model="invoice"),
    rule(
        "payments:cart_add",
        "payments:cart_remove",
        expect=citizen_own_or_redirect,
        owners=HOUSEHOLDS,
        model="invoice",
        method="POST",
    ),
    rule("payments:cart_pay", expect=citizen_own_or_redirect, method="POST"),
    rule(
        "fees:submission_pay",
        expect=paying(citizen_own),
        owners=HOUSEHOLDS,
        model="request payment",
        method="POST",
        why="an amount of the citizen's own request, paid from its page",
    ),
    rule(
        "payments:transaction",
        "payments:receipt*",
        expect=payer_only,
        owners=HOUSEHOLDS,
        model="transaction",
    ),
    # --- The admin: sign-in ------------------------------------------------
    rule(
        "wagtailadmin_password_reset_confirm",
        expect=not_found,
        fixed={"uidb64": "MQ", "token": "not-a-token"},
        why="the link e-mailed to reset a password",
    ),
    rule(
        "wagtailadmin_password_reset*",
        expect=not_found,
        why="staff passwords are reset by a platform admin (WAGTAIL_PASSWORD_RESET_ENABLED)",
    ),
    rule(
        "wagtailadmin_login",
        "wagtailadmin_javascript_catalog",
        "wagtail_localize:javascript_catalog",
        "wagtailadmin_sprite",
        expect=public_form,
    ),
    rule("wagtailadmin_logout", expect=answered, method="POST", fresh_client=True),
    rule(
        "proconnect_start",
        expect=to_the_identity_provider,
        why="the ProConnect button of the admin's login page: anyone may go and sign in",
    ),
    rule(
        "proconnect_callback",
        expect=answered,
        why="ProConnect's answer: read only with the state this session started",
    ),
    rule(
        "proconnect_logged_out",
        expect=public_form,
        why="back from ProConnect's logout: a message for the session that started it",
    ),
    rule("wagtailadmin_error_test", expect=admin(everyone=True, own=SERVER_ERROR)),
    # --- Wagtail admin: pages ----------------------------------------------
    rule(
        "/admin/reports/page-types-usage/*",
        "/admin/localize/reports/translations/*",
        "/admin/localize/api/snippets/*",
        expect=lambda role, owner: OK if role.kind == "admin" else NOT_FOUND,
        fixed={"app_label": "services", "model_name": "submission"},
        owners=COMMUNES,
        model="submission",
        why="sums up or lists every commune's: platform admins only (404 to others)",
    ),
    rule(
        "wagtailadmin_pages:add",
        "wagtailadmin_pages:preview_on_add",
        expect=PAGE_IN_URL,
        owners=COMMUNES,
        fixed={"content_type_app_name": "home", "content_type_model_name": "contentpage"},
    ),
    rule(
        "wagtailadmin_pages:type_use*",
        "wagtailadmin_pages:choose_parent",
        expect=PAGES,
        fixed={
            "content_type_app_name": "home",
            "content_type_model_name": "contentpage",
            "app_label": "home",
            "model_name": "contentpage",
        },
    ),
    rule(
        "wagtailadmin_explore",
        "wagtailadmin_explore_results",
        expect=supervisors_find_their_demarches(admin(*EDITORS, citizens=NOT_FOUND)),
        owners=COMMUNES,
        model="page",
        why="supervisors go through their commune's tree to its démarches, which they edit",
    ),
    rule(
        "wagtailadmin_choose_page_child",
        expect=supervisors_find_their_demarches(PAGE_IN_URL),
        owners=COMMUNES,
        model="page",
        fixed=PAGE_ARGUMENTS,
        why="supervisors choose pages among their commune's démarches",
    ),
    rule(
        "wagtailadmin_pages:edit",
        "wagtailadmin_pages:preview_on_edit",
        "wagtailadmin_pages:history",
        "wagtailadmin_pages:revisions_view",
        "wagtailadmin_pages:usage",
        expect=admin(*EDITORS, citizens=NOT_FOUND),
        owners=COMMUNES,
        model="page",
    ),
    rule(
        "wagtailadmin_pages:set_privacy",
        expect=PAGE_IN_URL,
        owners=COMMUNES,
        model="page",
        shows_commune_names="Wagtail's privacy form offers every group of the platform",
    ),
    rule(
        "demarche_export",
        expect=admin("communication", "agent", "supervisor", citizens=NOT_FOUND),
        owners=COMMUNES,
        model="service page",
        fixed={"page_id": None},
        why="whoever edits the démarche downloads its file",
    ),
    rule(
        "demarche_import",
        expect=admin("communication", "agent", "supervisor", citizens=NOT_FOUND),
        owners=COMMUNES,
        model="services index",
        fixed={"page_id": None},
        why="whoever adds pages under the commune's services index imports a démarche there",
    ),
    rule(
        "/admin/*<int:page_id>*",
        "/admin/*<int:parent_page_id>*",
        "/admin/*<int:page_to_move_id>*",
        "wagtailadmin_editing_sessions:ping",
        expect=PAGE_IN_URL,
        owners=COMMUNES,
        model="page",
        fixed=PAGE_ARGUMENTS,
        why="AdminPageScopeMiddleware: a page outside the user's communes is a 404",
    ),
    rule(
        "/admin/pages/^(?P<pk>*",
        expect=PAGES,
        owners=COMMUNES,
        path=lambda objects, owner: (
            f"/admin/pages/{objects.get('page', owner).pk}/revisions/compare/earliest...live/"
        ),
    ),
    rule(
        "wagtailadmin_explore*",
        "wagtailadmin_pages:*",
        "wagtailadmin_workflows:remove",
        "wagtailadmin_api:pages:*",
        expect=PAGES,
        owners=COMMUNES,
        model="page",
        fixed=PAGE_ARGUMENTS,
    ),
    # --- Wagtail admin: images and documents -------------------------------
    rule(
        "wagtailimages:edit",
        "wagtailimages:image_usage",
        "wagtailimages_chooser:chosen",
        expect=admin(*EDITORS),
        owners=COMMUNES,
        model="image",
    ),
    rule(
        "wagtaildocs:edit",
        "wagtaildocs:document_usage",
        "wagtaildocs_chooser:chosen",
        expect=admin(*EDITORS),
        owners=COMMUNES,
        model="document",
    ),
    rule(
        "wagtailimages:*",
        "wagtailimages_chooser:*",
        "wagtailadmin_api:images:*",
        expect=PAGES,
        owners=COMMUNES,
        model="image",
        fixed={"filter_spec": "original", "uploaded_file_id": 999999},
    ),
    rule(
        "wagtaildocs:*",
        "wagtaildocs_chooser:*",
        "wagtailadmin_api:documents:*",
        expect=PAGES,
        owners=COMMUNES,
        model="document",
        fixed={"uploaded_file_id": 999999},
    ),
    # --- Requests, accounts, payments (our viewsets) -----------------------
    rule(
        "wagtailsnippets_services_submission:save_filter",
        expect=admin(*AGENTS, own=OK_OR_REDIRECT),
        method="POST",
        why="saves the poster's own filter in their own commune, whatever they post",
    ),
    rule(
        "wagtailsnippets_services_submission:delete_filter",
        expect=own_saved_filter,
        owners=COMMUNES,
        model="saved filter",
    ),
    rule(
        "/admin/snippets/services/submission/reopen/*",
        expect=admin("supervisor", own=ANSWERED),
        owners=COMMUNES,
        model="submission",
        why="a decision is reopened by a supervisor, agents are refused",
    ),
    rule(
        "/admin/snippets/services/submission/inspect/*",
        "/admin/snippets/services/submission/status/*",
        "/admin/snippets/services/submission/download/*",
        "/admin/snippets/services/submission/issued/*",
        "/admin/snippets/services/submission/preview/*",
        "/admin/snippets/services/submission/message/*",
        "/admin/snippets/services/submission/message-file/*",
        expect=within_service(admin(*AGENTS, own=ANSWERED)),
        owners=COMMUNES,
        model="submission",
        why="a request of another municipal service is a 404 to the agents of a service",
    ),
    rule(
        "/admin/snippets/services/submission/note/*",
        "/admin/snippets/services/submission/assign/*",
        "/admin/snippets/services/submission/by-post/*",
        "/admin/snippets/services/submission/transfer/*",
        expect=within_service(admin(*AGENTS, own=ANSWERED), outside=REFUSED),
        owners=COMMUNES,
        model="submission",
        why="POST only: a request of another municipal service is a 404 when posted to",
    ),
    rule(
        "fees_admin:cancel",
        expect=within_service(foreign_not_found(admin(*AGENTS, own=OK_OR_REDIRECT))),
        owners=COMMUNES,
        model="request payment",
        method="POST",
        why="the staff who may change a request cancel its amount (without a reason: back "
        "to the request); another commune's or municipal service's is a 404",
    ),
    *snippet_rules(
        "services/submission",
        "submission",
        admin(*AGENTS, own=ANSWERED),
        admin(*AGENTS),
    ),
    *snippet_rules(
        "services/municipalservice",
        "municipal service",
        admin("supervisor", own=ANSWERED),
        admin("supervisor"),
        inspect=False,
    ),
    *snippet_rules(
        "services/messagetemplate",
        "message template",
        admin(*AGENTS, own=ANSWERED),
        admin(*AGENTS),
        inspect=False,
    ),
    *snippet_rules(
        "services/workflow",
        "workflow",
        admin("supervisor", own=ANSWERED),
        admin("supervisor"),
        inspect=False,
    ),
    *snippet_rules(
        "fees/demarchefee",
        "demarche fee",
        admin("supervisor", own=ANSWERED),
        admin("supervisor"),
        inspect=False,
    ),
    *snippet_rules(
        "accounts/citizenaccount",
        "citizen",
        admin(*AGENTS, own=ANSWERED),
        admin(*AGENTS),
    ),
    *snippet_rules(
        "payments/invoice",
        "invoice",
        admin(*AGENTS, own=ANSWERED),
        admin(*AGENTS),
    ),
    *snippet_rules(
        "payments/transaction",
        "transaction",
        admin(*AGENTS, own=ANSWERED),
        admin(*AGENTS),
    ),
    rule(
        "/admin/snippets/payments/regie/token/*",
        expect=admin("supervisor"),
        owners=COMMUNES,
        model="régie",
        why="money: the billing software's push token is the supervisors', agents are refused",
    ),
    *snippet_rules(
        "payments/regie",
        "régie",
        admin(*AGENTS, own=ANSWERED),
        admin(*AGENTS),
        inspect=False,
    ),
    rule(
        "services_export_procedure",
        expect=admin("supervisor"),
        owners=COMMUNES,
        model="service page",
    ),
    rule(
        "services_request_pdf",
        expect=within_service(admin(*AGENTS)),
        owners=COMMUNES,
        model="submission",
    ),
    rule(
        "payments_accounting_export",
        "cms_audit*",
        expect=admin(*AGENTS, own=ANSWERED),
    ),
    rule(
        "payments_invoice_import",
        expect=admin("supervisor"),
        why="money: supervisors import invoices, agents are refused",
    ),
    rule(
        "services_demarche_models",
        "services_demarche_model",
        expect=admin("communication", "supervisor"),
        fixed={"model_slug": "pret-de-materiel"},
        why="the démarche models: the communication staff and supervisors of a commune",
    ),
    rule(
        "services_demarche_model_install",
        expect=admin("communication", "supervisor", own=OK_OR_REDIRECT),
        owners=COMMUNES,
        model="site",
        fixed={"model_slug": "pret-de-materiel"},
        method="POST",
        why="installs a model into the commune named (again: back to the model, refused)",
    ),
    rule(
        "services_demarche_copy_update",
        expect=admin("communication", "supervisor"),
        owners=COMMUNES,
        model="demarche copy",
        why="what a model's new version changes in the commune's copy, applied by a POST",
    ),
    rule(
        "services_register*",
        expect=admin("supervisor", own=ANSWERED),
        why="the register of processing activities: supervisors, for their communes",
    ),
    # --- Second factor, the session's time left ----------------------------
    rule(
        "second_factor_verify",
        "second_factor_setup",
        "second_factor_recovery_codes",
        "second_factor_manage",
        expect=admin(everyone=True, own=ANSWERED),
        why="one's own second factor; a signed-in staff member is sent on",
    ),
    rule(
        "second_factor_reset",
        expect=admin(own=OK),
        owners=COMMUNES,
        model="staff user",
        why="a platform admin resets a staff member's second factor (GET: the confirmation)",
    ),
    # --- Staff invitations --------------------------------------------------
    rule(
        "staff_invitation",
        expect=not_found,
        fixed={"token": "not-a-token"},
        why="the link e-mailed to an invited person: it works for whoever holds it "
        "(an unknown one is a 404 that says whom to ask)",
    ),
    rule(
        "staff_index",
        "staff_invite",
        expect=admin("supervisor"),
        why="a commune's supervisors invite its staff; platform admins any commune's",
    ),
    rule(
        "staff_remove",
        expect=admin("supervisor"),
        owners=COMMUNES,
        model="staff user",
        why="a person of another commune is a 404 to a supervisor (GET: the confirmation)",
    ),
    rule(
        "staff_invitation_revoke",
        expect=admin("supervisor"),
        owners=COMMUNES,
        model="invitation",
        why="another commune's invitation is a 404 to a supervisor (GET: the confirmation)",
    ),
    rule(
        "staff_invitation_resend",
        expect=admin("supervisor", own=OK_OR_REDIRECT),
        owners=COMMUNES,
        model="invitation",
        method="POST",
        why="another commune's invitation is a 404; a new link for its own",
    ),
    rule(
        "session_status",
        expect=lambda role, owner: ANSWERED if role.kind == "anonymous" else OK,
        why="the idle warning's clock: 401 for a visitor, the time left for anyone signed in",
    ),
    # --- Settings, users, platform -----------------------------------------
    rule(
        "wagtailsettings:*",
        expect=admin("communication", own=ANSWERED),
        owners=COMMUNES,
        model="site",
        fixed={"app_name": "cms", "model_name": "communesettings"},
        shows_commune_names="a help text's example: « la mairie de Carvin »",
    ),
    rule(
        "wagtailusers_users:*",
        expect=admin(own=ANSWERED),
        owners=COMMUNES,
        model="staff user",
    ),
    rule("wagtailusers_groups:*", expect=admin(own=ANSWERED), owners=COMMUNES, model="group"),
    rule("wagtailsites:*", expect=admin(own=ANSWERED), owners=COMMUNES, model="site"),
    rule(
        "commune_files",
        "commune_file_import",
        expect=PLATFORM,
        why="commune files list and import every commune's configuration: platform admins",
    ),
    rule(
        "commune_file_export",
        expect=PLATFORM,
        owners=COMMUNES,
        model="site",
        why="a commune's configuration, to download: platform admins only",
    ),
    rule(
        "cms_commune_open",
        "cms_commune_close",
        expect=admin(own=OK),
        owners=COMMUNES,
        model="site",
        why="a platform admin opens a commune to the public or closes it (GET: the confirmation)",
    ),
    rule(
        "cms_commune_create",
        expect=PLATFORM,
        why="creating a commune: platform admins only",
    ),
    rule(
        "wagtailadmin_collections:*",
        expect=admin(own=ANSWERED),
        owners=COMMUNES,
        model="collection",
        fixed={"collection_id": None},
    ),
    rule(
        "wagtailredirects:*",
        expect=admin(own=ANSWERED),
        owners=COMMUNES,
        model="redirect",
        fixed={"redirect_id": None},
    ),
    rule("wagtaillocales:*", expect=admin(own=ANSWERED), model="locale"),
    rule(
        "wagtailadmin_workflows:task_chooser*",
        "wagtailadmin_workflows:task_chosen",
        expect=admin(own=ANSWERED, listings=ANSWERED),
        fixed={"task_id": None},
        model="task",
        why="the platform's moderation task, offered to page editors",
    ),
    rule(
        "wagtailadmin_workflows:*task*",
        expect=admin(own=ANSWERED),
        model="task",
        fixed={"app_label": "wagtailcore", "model_name": "groupapprovaltask", "task_id": None},
    ),
    rule("wagtailadmin_workflows:*", expect=admin(own=ANSWERED), model="workflow"),
    rule(
        "wagtail_localize:update_translations",
        expect=foreign_not_found(admin("communication", own=ANSWERED, citizens=NOT_FOUND)),
        owners=COMMUNES,
        model="translation source",
        why="sync and publish a page's translations: its commune's translators (404 to others)",
    ),
    rule(
        "wagtail_localize:submit_snippet_translation",
        expect=foreign_not_found(admin("communication", own=ANSWERED, citizens=NOT_FOUND)),
        owners=COMMUNES,
        model="message template",
        fixed={"app_label": "services", "model_name": "messagetemplate"},
        why="no snippet is translatable; another commune's is a 404 all the same",
    ),
    rule(
        "wagtail_localize:*",
        expect=foreign_not_found(admin(*EDITORS, own=ANSWERED, citizens=NOT_FOUND)),
        owners=COMMUNES,
        model="translation",
        fixed={"overridable_segment_id": 999999, "mode": "default"},
        why="the translation editor's views: the translated page's editors (404 to others)",
    ),
    rule(
        "wagtailadmin_reports:*",
        "wagtailforms:index*",
        expect=admin(own=ANSWERED, listings=ANSWERED),
        why="reports of what the user may see; the platform's moderation task",
    ),
    rule(
        "wagtail_bulk_action",
        expect=foreign_not_found(admin(everyone=True, own=ANSWERED)),
        owners=(None, *COMMUNES),
        path=bulk_action_urls,
        why="every registered bulk action of every model, with the ids of each commune's "
        "objects (404 if one is another commune's), or all of the listing's",
    ),
    rule(
        "wagtailadmin_tag_model_autocomplete",
        expect=admin(everyone=True, own=ANSWERED),
        fixed={"app_name": "wagtailimages", "model_name": "image"},
    ),
    rule(
        "wagtailadmin_editing_sessions:release",
        expect=admin(everyone=True, own=ANSWERED),
        fixed={"session_id": 999999},
    ),
    rule(
        "wagtailadmin_home",
        "wagtailadmin_account",
        "wagtailadmin_dismissibles",
        "wagtailadmin_block_preview",
        "wagtailadmin_tag_autocomplete",
        "wagtailadmin_choose_*",
        "wagtailsnippets:index",
        expect=admin(everyone=True, own=ANSWERED),
    ),
    rule(
        "/admin/test404/",
        "/admin/^.*/$",
        expect=admin(everyone=True, own=NOT_FOUND),
        path=lambda objects, owner: "/admin/no-such-screen/",
    ),
]


# --- The resolver ------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "" for unnamed patterns
    route: str  # "/compte/foyer/<int:pk>/modifier/"
    parameters: tuple[str, ...]

    def __str__(self):
        return f"{self.route} ({self.name or 'unnamed'})"


PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _clean(pattern) -> str:
    text = str(pattern)
    if text.startswith("^") or text.endswith("$"):
        bare = text.removeprefix("^").removesuffix("$")
        if not re.search(r"[()\[\]\\*+?|]", bare):
            return bare
    return text


def all_routes() -> list[Route]:
    routes = []

    def walk(patterns, prefix, namespaces):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                spaces = namespaces + ([pattern.namespace] if pattern.namespace else [])
                walk(pattern.url_patterns, prefix + _clean(pattern.pattern), spaces)
            elif isinstance(pattern, URLPattern):
                route = "/" + prefix + _clean(pattern.pattern)
                name = ":".join([*namespaces, pattern.name]) if pattern.name else ""
                names = tuple(n for _c, n in PARAMETER.findall(route))
                routes.append(Route(name, route, names))

    walk(get_resolver().url_patterns, "", [])
    # A pattern behind an identical one (the project's replacing Wagtail's) is never reached.
    return list(dict.fromkeys(routes))


def matching(route: Route) -> tuple[Rule, str] | None:
    """The first rule matching the route, and the pattern that matched."""
    for candidate in RULES:
        for match in candidate.match:
            target = route.route if match.startswith("/") else route.name
            if target and fnmatchcase(target, match):
                return candidate, match
    return None


def rule_for(route: Route) -> Rule | None:
    found = matching(route)
    return found[0] if found else None


def test_every_route_has_a_rule():
    missing = [str(route) for route in all_routes() if rule_for(route) is None]

    assert missing == [], "Routes without a rule in RULES:\n" + "\n".join(missing)


def test_every_rule_matches_a_route():
    used = {found[1] for route in all_routes() if (found := matching(route))}
    unused = [match for candidate in RULES for match in candidate.match if match not in used]

    assert unused == [], f"Patterns of RULES that decide no route (remove or fix them): {unused}"


#: URL arguments that name no object: a model, an action, a display mode...
NOT_IDS = {
    "app_label",
    "model_name",
    "app_name",
    "content_type_app_name",
    "content_type_model_name",
    "action",
    "action_name",
    "mode",
    "filter_spec",
    "uidb64",
    "token",
    "model_slug",  # a démarche model of the catalogue, shipped with the portal
}
#: Ids of objects of no commune, that the matrix may leave fixed, and why.
NO_COMMUNES_IDS = {
    "task_id": "the platform's moderation tasks",
    "task_state_id": "no moderation runs on the communes' pages",
    "workflow_state_id": "no moderation runs on the communes' pages",
    "workflow_pk": "the platform's workflows",
    "session_id": "one's own editing session",
    "uploaded_file_id": "one's own upload, before it becomes an image or a document",
    "overridable_segment_id": "checked by wagtail-localize against the translation's own",
}
#: Kinds of ``Objects`` that belong to the platform, not to a commune.
PLATFORM_KINDS = {"locale", "task", "workflow"}


def test_every_admin_id_is_tried_with_each_communes_objects():
    """An admin URL naming an object is requested, by every role, with the ids
    of the objects of each commune (another commune's must be a 404 or a
    refusal), not with an id that names nothing."""
    problems = []
    for route in all_routes():
        rule_ = rule_for(route)
        ids = [name for name in route.parameters if name not in NOT_IDS]
        if not route.route.startswith("/admin/") or rule_ is None:
            continue
        if set(ids) <= set(NO_COMMUNES_IDS) or rule_.model in PLATFORM_KINDS:
            continue
        if not set(COMMUNES) <= set(rule_.owners):
            problems.append(f"{route}: not tried with each commune's objects (owners)")
        fixed = [
            name
            for name in ids
            if rule_.fixed.get(name) is not None and name not in NO_COMMUNES_IDS
        ]
        if fixed and not rule_.path:
            problems.append(f"{route}: {fixed} fixed instead of each commune's objects")

    assert problems == [], "\n".join(problems)


def test_every_bulk_action_is_tried_with_each_communes_objects():
    """Every bulk action registered (Wagtail's, wagtail-localize's, the
    apps'), on every model, is requested with the ids of each commune's
    objects of that model."""
    actions = registered_bulk_actions()
    missing = sorted({f"{app}.{model}" for app, model, _action in actions} - set(BULK_OBJECTS))

    assert missing == [], f"Models with bulk actions but no objects in BULK_OBJECTS: {missing}"
    routes = [route for route in all_routes() if route.name == "wagtail_bulk_action"]
    assert routes
    assert all(rule_for(route).path is bulk_action_urls for route in routes)


# --- The objects of each owner ---------------------------------------------------


def message_file(request, owner) -> MessageAttachment:
    """A town-hall message about ``request``, with a file."""
    message = message_send(
        submission=request, sender=Sender.TOWN_HALL, author=None, text="Pièce à compléter."
    )
    return MessageAttachment.objects.create(
        site_id=request.site_id,
        message=message,
        file=ContentFile(b"%PDF-1.4 demo", name="message.pdf"),
        name=f"message-{owner}.pdf",
        size=13,
        content_type="application/pdf",
    )


class Objects:
    """The demo, completed so that every owner has one object of each kind."""

    def __init__(self):
        call_command("load_demo", stdout=io.StringIO())
        self.site = {
            "carvin": Site.objects.get(hostname=CARVIN),
            "sa": Site.objects.get(hostname=SAINT_ANDRE),
        }
        self.commune_names = [site.site_name for site in self.site.values()]
        self.users = {role.name: User.objects.get(username=role.username) for role in ROLES[1:]}
        self.holder = {
            role.household: self.users[role.name] for role in ROLES if role.kind == "citizen"
        }
        self._household_b()
        self.by_kind: dict[tuple[str, str], object] = {}
        for commune, site in self.site.items():
            self._commune(commune, site)
        for household, user in self.holder.items():
            self._household(household, user)
        self.by_kind["locale", None] = Locale.get_default()
        self.by_kind["workflow", None], self.by_kind["task", None] = self._workflow()
        assert None not in self.by_kind.values()

    def _workflow(self) -> tuple[Workflow, Task]:
        """No workflow comes installed: one a platform admin made, on no page."""
        task = GroupApprovalTask.objects.create(name="Relecture")
        workflow = Workflow.objects.create(name="Relecture")
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        return workflow, task

    def _household_b(self):
        """Citizen B of Carvin, validated, with a child, invoices and a payment."""
        user = self.holder["b"]
        User.objects.filter(pk=user.pk).update(status=AccountStatus.VALIDATED)
        user.refresh_from_db()
        member_add(
            user=user,
            data=MemberData(
                first_name="Jeanne",
                last_name="d'Arc",
                birth_date=date(2016, 4, 2),
                relationship="child",
            ),
        )
        add_demo_payments(site=self.site["carvin"], stdout=io.StringIO())

    def _commune(self, commune, site):
        home = site.root_page.specific
        page = ContentPage(
            title=f"Conseil municipal ({site.site_name})",
            slug=f"conseil-{site.hostname.split('.')[0]}",
            body="<p>Ordre du jour.</p>",
        )
        home.add_child(instance=page)
        page.save_revision().publish()
        collection = Collection.objects.get(name=site.site_name)
        document = get_document_model().objects.create(
            title=f"Règlement de la salle ({site.site_name})",
            collection=collection,
            file=ContentFile(b"%PDF-1.4 demo", name="reglement.pdf"),
        )
        image = get_image_model().objects.filter(collection=collection).first()
        anonymous = Submission.objects.filter(site=site, account=None).exclude(reference="").get()
        submission = Submission.objects.filter(site=site, account__isnull=False).exclude(
            reference=""
        )
        agent = User.objects.get(username=AGENT_OF[commune])
        note = InternalNote.objects.create(
            submission=submission.first(), author=agent, text=f"Note privée ({site.site_name})"
        )
        template = MessageTemplate.objects.create(
            site=site, status="accepted", title=f"Modèle ({site.site_name})", body="Validé."
        )
        saved_filter = SavedFilter.objects.create(
            site=site, owner=agent, name=f"Filtre ({site.site_name})", query="status=all"
        )
        # The request named in the admin's URLs is the technical services':
        # not one the État civil's agent sees.
        Submission.objects.filter(pk=submission.first().pk).update(
            municipal_service=MunicipalService.objects.get(site=site, name="Services techniques")
        )
        kinds = {
            "home": home,
            "page": page,
            "collection": collection,
            "document": document,
            "image": image,
            "anonymous request": anonymous,
            "submission": submission.first(),
            "service page": submission.first().page,
            "services index": ServiceIndexPage.objects.descendant_of(site.root_page).get(),
            "note": note,
            "message template": template,
            "workflow": standard_workflow(site),
            "issued document": issued_document(submission.first()),
            "anonymous issued document": issued_document(anonymous),
            "saved filter": saved_filter,
            "demarche fee": demarche_fee(site),
            "request payment": request_payment(submission.first()),
            "anonymous request payment": request_payment(anonymous),
            "municipal service": MunicipalService.objects.filter(site=site).first(),
            "demarche copy": DemarcheCopy.objects.get(site=site, model="signalement-voirie"),
            "régie": Regie.objects.filter(site=site).first(),
            "site": site,
            "group": agent.groups.get(),
            "staff user": agent,
            "invitation": StaffInvitation.objects.get(site=site),
            "redirect": Redirect.objects.create(
                old_path=f"/ancien-{commune}", site=site, redirect_link="/"
            ),
        }
        if TranslationSource.objects.get_for_instance_or_none(home) is None:
            translate_page(home, language="en", catalogue=DEMO_DIR / "home-carvin.en.po")
        source = TranslationSource.objects.get_for_instance(home)
        kinds["translation source"] = source
        kinds["translation"] = Translation.objects.get(source=source)
        kinds["string segment"] = StringSegment.objects.filter(source=source).first()
        kinds["anonymous attachment"] = anonymous.attachments.first() or Attachment.objects.create(
            site=site,
            submission=anonymous,
            key="identite",
            file=ContentFile(b"%PDF-1.4 demo", name="identite.pdf"),
            name=f"identite-{commune}.pdf",
            size=13,
            content_type="application/pdf",
        )
        kinds["anonymous message file"] = message_file(anonymous, commune)
        for kind, obj in kinds.items():
            assert obj is not None, (commune, kind)
            self.by_kind[kind, commune] = obj

    def _household(self, household, user):
        site = user.site
        sent = Submission.objects.filter(account=user).exclude(reference="")
        request = sent.filter(attachments__isnull=False).first()
        if request is None:  # B's only request has no document: give it one
            request = sent.first()
            source = Attachment.objects.filter(site=site).first()
            Attachment.objects.create(
                site=site,
                submission=request,
                key=source.key,
                file=source.file.name,
                name=f"justificatif-{household}.pdf",
                size=source.size,
                content_type=source.content_type,
            )
        page = request.page
        draft = submission_start(site=site, page=page, account=user)
        draft.contact_first_name = f"Brouillon-{household}"
        draft.save()
        kinds = {
            "citizen": user,
            "member": user.household_members.first(),
            "request": request,
            "attachment": request.attachments.first(),
            "issued document": issued_document(request),
            "draft": draft,
            "invoice": Invoice.objects.filter(account=user).order_by("pk").first(),
            "transaction": Transaction.objects.filter(account=user).order_by("pk").first(),
            "request payment": request_payment(request),
            "message file": message_file(request, household),
        }
        for kind, obj in kinds.items():
            assert obj is not None, (household, kind)
            self.by_kind[kind, household] = obj

    REPRESENTATIVE = {"carvin": "a", "sa": "sa"}

    def get(self, kind, owner):
        if (kind, owner) in self.by_kind:
            return self.by_kind[kind, owner]
        return self.by_kind[kind, self.REPRESENTATIVE.get(owner, owner)]

    # URL arguments by name, for the object of an owner.
    def argument(self, name, rule_, owner, used: list) -> object:
        fixed = rule_.fixed.get(name, "model")
        if fixed != "model" and fixed is not None:
            return fixed
        by_name = {
            "page_id": "page",
            "page_to_move_id": "page",
            "page_pk": "page",
            "object_id": "page",
            "parent_page_id": "home",
            "destination_id": "home",
            "image_id": "image",
            "document_id": "document",
            "doc_id": "document",
            "attachment_pk": "attachment",
            "file_pk": "message file",
            "document_pk": "issued document",
            "reference": "request",
            "translation_source_id": "translation source",
            "translation_id": "translation",
            "string_segment_id": "string segment",
        }
        if name in by_name and fixed != None:  # noqa: E711
            obj = self.get(by_name[name], owner)
            used.append(obj)
            return obj.reference if name == "reference" else obj.pk
        if name == "revision_id":
            return self.get("page", owner).latest_revision_id
        if name == "key":
            obj = self.get("anonymous request", owner)
            used.append(obj)
            return access_key(obj)
        if name == "bank_order_id":
            return self.get("transaction", owner).bank_order_id
        if name in ("uidb64", "token"):
            user = self.get("citizen", owner)
            if name == "uidb64":
                return urlsafe_base64_encode(force_bytes(user.pk))
            return default_token_generator.make_token(user)
        assert rule_.model, f"{rule_.match}: what does the argument {name} name?"
        obj = self.get(rule_.model, owner)
        used.append(obj)
        return obj.public_id if name == "public_id" else obj.pk

    def markers_of_household(self, household) -> set[str]:
        user = self.holder[household]
        markers = {user.email, user.get_full_name()}
        markers |= {
            f"{m.first_name} {m.last_name}" for m in HouseholdMember.objects.filter(account=user)
        }
        markers |= set(
            Submission.objects.filter(account=user)
            .exclude(reference="")
            .values_list("reference", flat=True)
        )
        markers |= set(Invoice.objects.filter(account=user).values_list("number", flat=True))
        markers |= set(Transaction.objects.filter(account=user).values_list("order_id", flat=True))
        markers.add(f"Brouillon-{household}")
        return markers

    def markers_of_other_services(self, role) -> set[str]:
        """The numbers of the requests of the role's commune that belong to
        municipal services the role's agent is not part of."""
        requests = (
            Submission.objects.filter(site=self.site[role.commune], municipal_service__isnull=False)
            .exclude(reference="")
            .exclude(municipal_service__agents=self.users[role.name])
        )
        return set(requests.values_list("reference", flat=True))

    def markers_of_commune(self, commune) -> set[str]:
        """What belongs to this commune only (and not its anonymous requests,
        which their link opens to anyone)."""
        site = self.site[commune]
        other = self.site["sa" if commune == "carvin" else "carvin"]
        # The démarche models' titles are the catalogue's, which every commune's
        # staff browse, whichever commune installed them.
        models = {model.title for model in MODELS}
        return _commune_markers(site) - _commune_markers(other) - models


def _commune_markers(site) -> set[str]:
    markers = {site.site_name, site.hostname}
    requests = Submission.objects.filter(site=site, account__isnull=False).exclude(reference="")
    markers |= set(requests.values_list("reference", flat=True))
    citizens = User.objects.filter(site=site)
    markers |= set(citizens.values_list("email", flat=True))
    markers |= set(Invoice.objects.filter(site=site).values_list("number", flat=True))
    markers |= set(MessageTemplate.objects.filter(site=site).values_list("title", flat=True))
    markers |= set(DemarcheFee.objects.filter(site=site).values_list("label", flat=True))
    markers |= set(
        InternalNote.objects.filter(submission__site=site).values_list("text", flat=True)
    )
    markers |= set(Attachment.objects.filter(site=site).values_list("name", flat=True))
    for model in (get_image_model(), get_document_model()):
        titles = model.objects.filter(collection__name=site.site_name)
        markers |= set(titles.values_list("title", flat=True))
    markers |= set(
        Page.objects.descendant_of(site.root_page, inclusive=True).values_list("title", flat=True)
    )
    return {marker for marker in markers if len(marker) >= 4}


# --- The matrix ----------------------------------------------------------------


def forbidden_markers(objects: Objects, role: Role) -> set[str]:
    if role.kind == "admin":
        return set()
    other_commune = "sa" if role.commune == "carvin" else "carvin"
    markers = objects.markers_of_commune(other_commune)
    for household in HOUSEHOLDS:
        if household != role.household and (
            role.kind in ("anonymous", "citizen") or commune_of(household) == other_commune
        ):
            markers |= objects.markers_of_household(household)
    if role.in_service:
        markers |= objects.markers_of_other_services(role)
    return markers | {html.escape(marker) for marker in markers}


def snapshot(used: list) -> list:
    rows = []
    for obj in used:
        fresh = type(obj)._base_manager.filter(pk=obj.pk)
        rows.append(serializers.serialize("json", fresh) if fresh.exists() else None)
    return rows


def urls_of(route: Route, rule_: Rule, objects: Objects, owner) -> list[tuple[str, list]]:
    """The URLs to request for this owner, with the objects they name."""
    if rule_.path is not None:
        paths = rule_.path(objects, owner)
        paths = [paths] if isinstance(paths, str) else paths
        return [p if isinstance(p, tuple) else (p, []) for p in paths]
    assert "(" not in route.route, f"{route}: give its rule a path"
    used: list = []
    kwargs = {name: objects.argument(name, rule_, owner, used) for name in route.parameters}
    url = PARAMETER.sub(lambda m: str(kwargs[m.group(2)]), route.route)
    return [(url, used)]


@dataclass
class Tally:
    expected: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)
    cells: set = field(default_factory=set)
    routes: int = 0

    def lines(self) -> list[str]:
        total = sum(self.expected.values())
        lines = [
            f"{self.routes} routes x {len(ROLES)} roles x owners: {len(self.cells)} "
            f"(route, role, owner) cells, {total} requests checked"
        ]
        lines += [f"  {count:6d}  {answer}" for answer, count in self.expected.most_common()]
        return lines


def check(tally, client, method, url, role, expected, markers, label) -> None:
    response = getattr(client, method.lower())(url, HTTP_HOST=role.host)
    tally.expected[f"{method} {expected}"] += 1
    matched = answer_matches(expected, response, url) or (
        method == "POST" and expected != OK and response.status_code == 405
    )
    if not matched:
        where = response.get("Location", "")
        tally.failures.append(
            f"{label}: {method} {url} answered {response.status_code} {where}, expected {expected}"
        )
        return
    if response.status_code == 200 and role.kind != "anonymous":
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        if not {"private", "no-store"} <= directives:
            tally.failures.append(
                f"{label}: {method} {url} may be kept by a cache: "
                f"Cache-Control {response.get('Cache-Control')!r}"
            )
    if response.status_code == 200 and not response.streaming and markers:
        text = response.content.decode(errors="replace")
        leaked = sorted(marker for marker in markers if marker in text)
        if leaked:
            tally.failures.append(f"{label}: {method} {url} shows {leaked[:5]}")


@pytest.fixture
def objects(db, identity_provider, settings):
    objects = Objects()
    for site in objects.site.values():
        offer_franceconnect(site, identity_provider)
    offer_proconnect(settings, identity_provider)
    return objects


def test_authorization_matrix(objects, request):
    clients = {}
    for role in ROLES:
        clients[role.name] = Client(HTTP_HOST=role.host, raise_request_exception=False)
        if role.username:
            clients[role.name].force_login(objects.users[role.name])
    markers = {role.name: forbidden_markers(objects, role) for role in ROLES}

    tally = Tally()
    routes = all_routes()
    tally.routes = len(routes)
    for route in routes:
        rule_ = rule_for(route)
        if rule_ is None:
            continue  # test_every_route_has_a_rule says which
        named = [p for p in route.parameters if rule_.fixed.get(p, None) is None]
        owners = rule_.owners if named or rule_.path else NOBODY
        for owner in owners:
            try:
                urls = urls_of(route, rule_, objects, owner)
            except Exception as error:  # a wrong rule: say which, check the others
                tally.failures.append(f"{route} on {owner}'s: no URL ({error!r})")
                continue
            for url, used in urls:
                for role in ROLES:
                    tally.cells.add((route, role.name, owner))
                    expected = rule_.expect(role, owner)
                    label = f"{route} as {role.name} on {owner or 'nothing'}'s"
                    client = clients[role.name]
                    if rule_.fresh_client:
                        client = Client(HTTP_HOST=role.host, raise_request_exception=False)
                        if role.username:
                            client.force_login(objects.users[role.name])
                    seen = markers[role.name]
                    if rule_.shows_commune_names:
                        seen = seen - set(objects.commune_names)
                    check(tally, client, rule_.method, url, role, expected, seen, label)
                    if rule_.method == "GET" and used and expected in REFUSALS:
                        before = snapshot(used)
                        post_expected = REFUSED if expected == NOT_FOUND else expected
                        check(tally, client, "POST", url, role, post_expected, seen, label)
                        if snapshot(used) != before:
                            tally.failures.append(f"{label}: POST {url} changed {used}")
    foreign = CartItem.objects.exclude(invoice__account=models_F("cart__account"))
    if foreign.exists():
        tally.failures.append(f"invoices in another household's cart: {list(foreign)}")

    request.config.stash[MATRIX_FIGURES] = {"lines": tally.lines()}
    assert tally.failures == [], f"{len(tally.failures)} wrong answers:\n" + "\n".join(
        tally.failures
    )
