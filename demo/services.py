"""Demo online procedures and requests, added by ``load_demo`` to each demo commune.

The démarches are models of the catalogue (``services.library``), installed
under the commune's services index and published, as staff would from
"Modèles de démarches". Their texts keep the portal's placeholders
(``{commune}``, ``{Mairie}``, ``{adresse_mairie}``...: ``cms.placeholders``),
which the pages fill when they render. The demo adapts what a commune would:
its schools and rooms as choices, its streets in an example. The report of a problem on the street
is installed from the model's first version, so that the admin shows what
its second one changes. Their English translations are catalogues in
``demarches/``.

The demo requests go through the same forms and services as a citizen's and
an agent's, so they look exactly like real ones. Nothing that already exists
is touched: pages are found by their slug, requests by their démarche,
requester and the person they concern.
"""

import io
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from accounts.models import User
from demo.fees import add_demo_fees
from demo.translation import translate_page
from demo.workflows import add_demo_workflows
from services.fields.answers import clean_answers
from services.fields.builder import StepFormBuilder
from services.fields.context import FillContext
from services.fields.documents import Upload
from services.fields.schema import SUBFIELD
from services.library import MODELS_DIR, demarche_model_install
from services.messages import message_templates_install
from services.models import (
    AgentAlertSettings,
    Attachment,
    MunicipalService,
    NewRequestAlerts,
    RoutingRule,
    SavedFilter,
    ServiceIndexPage,
    ServicePage,
    StatusChange,
    Submission,
    SubmissionStatus,
)
from services.selectors import current_attachments
from services.services import (
    Contact,
    note_add,
    saved_filter_create,
    submission_assign,
    submission_change_status,
    submission_save_step,
    submission_start,
    submission_submit,
)

from .communes import CITIZENS, DEMO_DIR, MUNICIPAL_SERVICES
from .submissions import BY_POST, Attached, Child, requests_of

#: The démarche files of the demo's démarches: models of the catalogue.
DEMARCHES_DIR = MODELS_DIR
#: Their translations (``<slug>.<language>.po``).
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "demarches"
#: The démarche files, in the order they are added to the index.
DEMARCHES = (
    "acte-de-naissance",
    "acte-de-mariage",
    "acte-de-deces",
    "inscription-scolaire",
    "restauration-et-periscolaire",
    "reservation-de-salle",
    "signalement-voirie",
    "subvention-association",
)
#: The version of a model the demo installs, when not its latest.
DEMO_VERSIONS = {"signalement-voirie": 1}
#: Fields the demo turns into a choice among the commune's own names.
DEMO_CHOICES = {
    ("inscription-scolaire", "ecole"): "schools",
    ("restauration-et-periscolaire", "ecole"): "schools",
    ("reservation-de-salle", "salle"): "rooms",
}
STREET_EXAMPLE = (
    "Par exemple : devant le 14 {street_1}, ou à l'angle de la {street_1} et de la {street_2}."
)
INDEX_DESCRIPTION = "Les démarches en ligne proposées par la mairie."
INDEX_INTRO = (
    "<p>Faites vos démarches auprès de la mairie sans vous déplacer, à toute heure. Les "
    "demandes d'actes d'état civil sont ouvertes à tous ; les autres démarches se font "
    "depuis votre compte, pour vous ou un membre de votre foyer.</p>"
)
AGENT_USERNAME = "agent.{slug}"
SERVICE_AGENT_USERNAME = "{login}.{slug}"


def translate_demo_services(*, site, commune: dict, language: str) -> list[str]:
    """Translate the services index and each démarche that has a catalogue
    (``demarches/<slug>.<language>.po``), with the commune's own names
    (``<slug of the commune>.<language>.po``); the titles of the pages
    (re)published."""
    index = ServiceIndexPage.objects.child_of(site.root_page).get()
    names = DEMO_DIR / f"{commune['slug']}.{language}.po"
    shared = [names] if names.exists() else []
    published = []
    if translate_page(
        index, language=language, catalogue=[DEMO_DIR / f"services-index.{language}.po"]
    ):
        published.append(index.title)
    for page in ServicePage.objects.child_of(index).order_by("path"):
        catalogue = TRANSLATIONS_DIR / f"{page.slug}.{language}.po"
        if not catalogue.exists():
            continue
        if translate_page(page, language=language, catalogue=[catalogue, *shared]):
            published.append(page.title)
    return published


class DemoRequestInvalid(Exception):
    """A demo request whose answers its démarche's form refuses."""


def add_demo_services(*, site, commune: dict, stdout) -> None:
    """The démarches, requests and message templates of the demo commune
    ``commune`` (a spec of ``demo.communes.COMMUNES``)."""
    index = ServiceIndexPage.objects.child_of(site.root_page).get()
    if not index.search_description or not index.intro:
        index.search_description = index.search_description or INDEX_DESCRIPTION
        index.intro = index.intro or INDEX_INTRO
        index.save_revision().publish()

    pages = demo_pages(
        site=site,
        index=index,
        commune=commune,
        slugs=(*DEMARCHES, *commune.get("demarches", ())),
    )
    add_demo_workflows(site=site, index=index, commune=commune)
    add_demo_fees(site=site, index=index, commune=commune)
    demo_municipal_services(site=site, index=index, commune=commune)
    requests = demo_requests(site=site, index=index, commune=commune)
    demo_messages(site=site, commune=commune)
    demo_templates(site=site)
    demo_agent_settings(site=site, index=index, commune=commune)
    if pages or requests:
        stdout.write(f"{site.site_name}: {pages} démarches and {requests} demo requests created")


def _filled(text: str, values: dict[str, str]) -> str:
    for token, value in values.items():
        text = text.replace(token, value)
    return text


def adapted_to(commune: dict):
    """What the demo commune changes in a model before installing it: its
    schools and rooms to choose from, its streets."""
    streets = dict(zip(("{street_1}", "{street_2}"), commune["streets"], strict=True))

    def adapt(document: dict) -> dict:
        slug = document["page"]["slug"]
        for step in document["form"]:
            for field in step["value"]["fields"]:
                key = field["value"].get("key")
                if (slug, key) in DEMO_CHOICES:
                    field["type"] = "choice"
                    field["value"] = {
                        **{
                            name: field["value"][name]
                            for name in ("label", "help_text", "required", "key")
                        },
                        "help_text": "",
                        "condition": field["value"]["condition"],
                        "required_when": field["value"]["required_when"],
                        "choices": "\n".join(commune[DEMO_CHOICES[slug, key]]),
                        "widget": "select",
                    }
                elif (slug, key) == ("signalement-voirie", "lieu"):
                    field["value"]["help_text"] = _filled(STREET_EXAMPLE, streets)
        return document

    return adapt


def demo_pages(*, site, index, commune: dict, slugs=DEMARCHES) -> int:
    """Install and publish the models (``slugs``) the index lacks, adapted
    to the commune; the number published."""
    existing = set(ServicePage.objects.child_of(index).values_list("slug", flat=True))
    adapt = adapted_to(commune)
    created = 0
    for slug in slugs:
        if slug not in existing:
            demarche_model_install(
                site=site,
                slug=slug,
                publish=True,
                version=DEMO_VERSIONS.get(slug),
                adapt=adapt,
            )
            created += 1
    return created


def demo_municipal_services(*, site, index, commune: dict) -> None:
    """The commune's services with their agent (``load_demo`` made the
    logins), and the démarches they handle: each démarche that names no
    service and has no routing rule yet is given those of the demo."""
    services = {}
    for spec in MUNICIPAL_SERVICES:
        service, _created = MunicipalService.objects.get_or_create(
            site=site,
            name=spec.name,
            defaults={"email": f"{spec.login}@{site.hostname}"},
        )
        agent = User.objects.filter(
            site__isnull=True,
            username=SERVICE_AGENT_USERNAME.format(login=spec.login, slug=commune["slug"]),
        ).first()
        if agent is not None:
            service.agents.add(agent)
        services[spec.name] = service
    for page in ServicePage.objects.child_of(index):
        if page.municipal_service_id or page.routing_rules.exists():
            continue
        handled = [s for s in MUNICIPAL_SERVICES if page.slug in s.demarches]
        routes = [
            RoutingRule(field=field, value=answer, service=services[s.name])
            for s in MUNICIPAL_SERVICES
            for slug, field, answer in s.routes
            if slug == page.slug
        ]
        if not handled and not routes:
            continue
        page.municipal_service = services[handled[0].name] if handled else None
        page.routing_rules = routes
        page.save_revision().publish()


def demo_requests(*, site, index, commune: dict) -> int:
    """Send the demo requests not sent yet, and give them the agent's decisions."""
    agent = User.objects.get(
        site__isnull=True, username=AGENT_USERNAME.format(slug=commune["slug"])
    )
    pages = {page.slug: page for page in ServicePage.objects.child_of(index).live()}
    created = 0
    now = timezone.now()
    seen = Counter()
    for request in requests_of(commune=commune, today=timezone.localdate(now)):
        page = pages.get(request.slug)
        if page is None:
            continue
        account = User.objects.get(site=site, email=request.account) if request.account else None
        concerns = _concerns(request, account)
        seen[page.pk, request.account, concerns] += 1
        ordinal = seen[page.pk, request.account, concerns]
        if _already_sent(
            page=page, account=account, request=request, concerns=concerns, ordinal=ordinal
        ):
            continue
        submission = _send(site=site, page=page, account=account, request=request)
        for status, message in request.history:
            submission_change_status(
                submission=submission, status=status, author=agent, message=message
            )
        _backdate(submission, sent_at=now - timedelta(days=request.days_ago), now=now)
        submission.refresh_from_db()
        if created % 2 == 0 and submission.is_open:
            submission_assign(submission=submission, agent=agent, author=agent)
            note_add(
                submission=submission,
                author=agent,
                text="Dossier suivi par l'accueil de la mairie ; rappeler la famille si besoin.",
            )
        created += 1
    return created


#: The demo thread of the first citizen of each commune: on their oldest
#: open request, a question still waiting for an answer; on the next one, a
#: question answered; on the next, a message of the town hall not read yet.
DEMO_QUESTION = (
    "Bonjour, mon justificatif de domicile est au nom de mon conjoint : est-ce que cela convient ?"
)
DEMO_EXCHANGE = (
    "Bonjour, à quelle heure puis-je passer déposer l'original ?",
    "Bonjour, l'accueil vous reçoit du lundi au vendredi, de 8 h 30 à 12 h.",
)
DEMO_NEWS = (
    "Bonjour, la mairie sera exceptionnellement fermée le 14 : votre dossier sera traité "
    "dès le lendemain."
)


def demo_messages(*, site, commune: dict) -> None:
    """Messages on the first citizen's requests, once: one waiting for the
    town hall, one answered, one the citizen has not read yet."""
    from services.messaging import Sender, signature_for
    from services.models import RequestMessage

    email = next(c["email"] for c in CITIZENS[site.hostname] if c["validated"])
    account = User.objects.filter(site=site, email=email).first()
    if account is None:
        return
    requests = list(
        Submission.objects.filter(site=site, account=account)
        .exclude(status=SubmissionStatus.DRAFT)
        .exclude(stage="final")
        .select_related("municipal_service", "site")
        .order_by("submitted_at", "pk")[:3]
    )
    if RequestMessage.objects.filter(submission__in=requests).exists():
        return
    agent = User.objects.get(
        site__isnull=True, username=AGENT_USERNAME.format(slug=commune["slug"])
    )
    now = timezone.now()
    threads = [
        [(Sender.CITIZEN, DEMO_QUESTION, 2, False)],
        [
            (Sender.CITIZEN, DEMO_EXCHANGE[0], 4, True),
            (Sender.TOWN_HALL, DEMO_EXCHANGE[1], 3, True),
        ],
        [(Sender.TOWN_HALL, DEMO_NEWS, 1, False)],
    ]
    for submission, thread in zip(requests, threads, strict=False):
        for sender, text, days_ago, read in thread:
            author = account if sender == Sender.CITIZEN else agent
            message = RequestMessage.objects.create(
                site=site,
                submission=submission,
                sender=sender,
                author=author,
                signature=signature_for(submission, sender=sender, author=author),
                text=text,
            )
            when = now - timedelta(days=days_ago)
            RequestMessage.objects.filter(pk=message.pk).update(
                created_at=when, read_at=when + timedelta(hours=2) if read else None
            )


def demo_templates(*, site) -> None:
    """The commune's message templates, for the agents' status form: the
    defaults every new commune may start with."""
    message_templates_install(site, True)


def demo_agent_settings(*, site, index, commune: dict) -> None:
    """The agent's saved filters of the queue, and their choice of an e-mail
    for each new request (the commune's supervisor keeps the daily summary).
    Chosen after the demo requests are sent, which therefore e-mail nobody."""
    agent = User.objects.get(
        site__isnull=True, username=AGENT_USERNAME.format(slug=commune["slug"])
    )
    AgentAlertSettings.objects.get_or_create(
        user=agent, defaults={"new_requests": NewRequestAlerts.IMMEDIATELY}
    )
    filters = [("Mes demandes à traiter", "assigned=me&status=to_process")]
    school = ServicePage.objects.child_of(index).filter(slug="inscription-scolaire").first()
    if school is not None:
        filters.append(("Inscriptions scolaires", f"status=all&page={school.pk}"))
    for name, query in filters:
        if not SavedFilter.objects.filter(owner=agent, site=site, name=name).exists():
            saved_filter_create(owner=agent, site=site, name=name, query=query)


def _concerns(request, account) -> str:
    child = next((v for v in request.answers.values() if isinstance(v, Child)), None)
    if child is None or account is None:
        return ""
    member = account.household_members.get(first_name=child.first_name)
    return f"{member.first_name} {member.last_name}"


def _already_sent(*, page, account, request, concerns, ordinal: int = 1) -> bool:
    """Whether the ``ordinal``-th demo request of this citizen through this
    démarche for this person was sent by an earlier run."""
    sent = Submission.objects.filter(page=page, account=account, concerns=concerns).exclude(
        status=SubmissionStatus.DRAFT
    )
    if account is None:
        sent = sent.filter(contact_email=request.contact[2])
    return sent.count() >= ordinal


def _send(*, site, page, account, request) -> Submission:
    """Fill the démarche as the wizard does, step by step, and send it."""
    raw, uploads, by_post = _typed(request, account)
    draft = submission_start(site=site, page=page, account=account)
    draft = submission_save_step(
        submission=draft,
        raw=raw,
        uploads=uploads,
        by_post=by_post,
        reached=len(page.steps) + 1,
    )
    answers, member = _answers(page=page, account=account, raw=raw, submission=draft)
    contact = None
    if account is None:
        first_name, last_name, email, phone = request.contact
        contact = Contact(first_name=first_name, last_name=last_name, email=email, phone=phone)
    return submission_submit(
        submission=draft,
        data=answers,
        revision=page.live_revision,
        member=member,
        concerns=str(member) if member else "",
        contact=contact,
    )


def _typed(request, account):
    """What the citizen would type: the raw values, the files and the
    documents promised by post."""
    raw, uploads, by_post = {}, {}, set()
    for key, value in request.answers.items():
        if isinstance(value, Child):
            raw[key] = [str(account.household_members.get(first_name=value.first_name).pk)]
        elif isinstance(value, Attached):
            content = demo_pdf(value.title, [request.slug, value.name])
            uploads[key] = Upload(
                file=io.BytesIO(content),
                name=value.name,
                size=len(content),
                content_type="application/pdf",
            )
        elif value == BY_POST:
            by_post.add(key)
            raw[f"{key}{SUBFIELD}by_post"] = ["on"]
        elif isinstance(value, tuple):
            street, postcode, city = value
            raw[f"{key}{SUBFIELD}street"] = [street]
            raw[f"{key}{SUBFIELD}postcode"] = [postcode]
            raw[f"{key}{SUBFIELD}city"] = [city]
        elif isinstance(value, list):
            raw[key] = value
        else:
            raw[key] = [str(value)]
    return raw, uploads, by_post


def _answers(*, page, account, raw, submission):
    """The answers as the wizard stores them, checked by the démarche's own
    forms; and the household member chosen in its first member field."""
    steps = page.steps
    attachments = current_attachments(submission=submission)
    context = FillContext(
        account=account,
        raw=raw,
        attachments=attachments,
        blocks_by_key={b.key: b for s in steps for b in s.blocks if b.is_input},
    )
    data = MultiValueDict(raw)
    answers = {}
    for step in steps:
        form = StepFormBuilder(step, context).get_form(data=data)
        if not form.is_valid():
            raise DemoRequestInvalid(f"{page.slug}, step {step.number}: {form.errors.as_text()}")
        answers.update(clean_answers(form))
    member = None
    for step in steps:
        block = next(
            (b for b in step.blocks if b.field_type.chooses_member and b.key in answers), None
        )
        if block is not None:
            member_id = answers[block.key]["id"]
            member = account.household_members.get(pk=member_id) if member_id else None
            break
    return answers, member


def _backdate(submission, *, sent_at, now):
    """Spread the request's life over the days before ``now``, so that the
    demo lists show realistic dates."""
    changes = list(submission.history.order_by("pk"))
    span = (now - sent_at) / (len(changes) + 1)
    Submission.objects.filter(pk=submission.pk).update(
        created_at=sent_at - timedelta(minutes=12),
        submitted_at=sent_at,
        status_changed_at=sent_at + span * (len(changes) - 1),
    )
    Attachment.objects.filter(submission=submission).update(uploaded_at=sent_at)
    for number, change in enumerate(changes):
        StatusChange.objects.filter(pk=change.pk).update(created_at=sent_at + span * number)


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with a title and a few lines, standing for a scanned document."""

    def text(value: str) -> bytes:
        escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("cp1252", errors="replace") + b")"

    content = b"BT /F1 20 Tf 72 760 Td " + text(title) + b" Tj /F1 11 Tf"
    for line in ["Document de démonstration", *lines]:
        content += b" 0 -24 Td " + text(line) + b" Tj"
    content += b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    pdf = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return pdf
