"""The démarches' part of a commune file (``cms.commune_file``): the
municipal services, the workflows, the message templates, the index of the
démarches and each démarche, as a démarche file (``services.exchange``).

Requests, their answers, documents and messages never travel; nor do the
agents of the services. Replacing a commune's configuration updates a
démarche of the same address as a new revision (its requests keep the one
they were sent with), and a workflow of the same name, unless requests are
in a status the file's workflow lacks.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.commune_file import UNKNOWN_PART, WRONG_TYPE, Exporter, Importer

from .exchange import DemarcheFileError, demarche_export, demarche_import, demarche_update
from .models import (
    MessageTemplate,
    MunicipalService,
    ServiceIndexPage,
    ServicePage,
    ServiceSettings,
    Submission,
    Workflow,
    WorkflowStatus,
    WorkflowTransition,
)
from .workflows import problems, standard_workflow

PART_KEYS = (
    "settings",
    "municipal_services",
    "workflows",
    "message_templates",
    "index",
    "demarches",
)
WORKFLOW_KEYS = ("name", "description", "standard", "statuses", "transitions")
STATUS_FIELDS = ("key", "name", "citizen_name", "group", "colour", "needs_message")
TRANSITION_FIELDS = ("source", "target", "label", "who")
DEMARCHE_KEYS = ("live", "workflow", "file")
UNKNOWN_WORKFLOW = gettext_lazy("The file has no workflow named “%(name)s”.")
STATUS_IN_USE = gettext_lazy(
    "Requests of the commune are in the status “%(key)s” of the workflow “%(name)s”, "
    "which the file's workflow lacks."
)
NO_INDEX = gettext_lazy("The commune has no index of démarches.")


def _index_of(site) -> ServiceIndexPage | None:
    return ServiceIndexPage.objects.descendant_of(site.root_page).first()


def services_export(exporter: Exporter) -> dict:
    site = exporter.site
    settings = ServiceSettings.for_site(site)
    index = _index_of(site)
    pages = ServicePage.objects.child_of(index).order_by("path") if index else []
    demarches = []
    for page in pages:
        current = page if page.live else page.get_latest_revision_as_object()
        workflow = current.workflow if current.workflow_id else None
        demarches.append(
            {
                "live": page.live,
                "workflow": workflow.name if workflow and not workflow.is_standard else "",
                "file": demarche_export(page=current),
            }
        )
    return {
        "settings": {"retention_months": settings.retention_months},
        "municipal_services": [
            {"name": service.name, "email": service.email}
            for service in MunicipalService.objects.filter(site=site).order_by("name")
        ],
        "workflows": [
            _workflow_export(exporter, workflow)
            for workflow in Workflow.objects.filter(site=site).order_by("-is_standard", "name")
        ],
        "message_templates": [
            {"status": template.status, "title": template.title, "body": template.body}
            for template in MessageTemplate.objects.filter(site=site).order_by("status", "title")
        ],
        "index": {"title": index.title, "intro": exporter.rich_text(index.intro)} if index else {},
        "demarches": demarches,
    }


def _workflow_export(exporter: Exporter, workflow: Workflow) -> dict:
    return {
        "name": workflow.name,
        "description": workflow.description,
        "standard": workflow.is_standard,
        "statuses": [
            {
                **{name: getattr(status, name) for name in STATUS_FIELDS},
                "actions": exporter.stream(status.actions),
            }
            for status in workflow.statuses.order_by("sort_order", "pk")
        ],
        "transitions": [
            {name: getattr(transition, name) for name in TRANSITION_FIELDS}
            for transition in workflow.transitions.order_by("sort_order", "pk")
        ],
    }


def _list(importer: Importer, value, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        importer.error(path, WRONG_TYPE)
    return value


def _dict(importer: Importer, value, keys, path: str) -> dict:
    if not isinstance(value, dict):
        importer.error(path, WRONG_TYPE)
    for name in value:
        if name not in keys:
            importer.error(f"{path}.{name}", UNKNOWN_PART)
    return value


def services_import(importer: Importer, part) -> None:
    path = "parts.services"
    part = _dict(importer, part, PART_KEYS, path)
    site = importer.site

    settings = ServiceSettings.for_site(site)
    values = importer.fields(
        ServiceSettings, part.get("settings") or {}, ("retention_months",), f"{path}.settings"
    )
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()

    for number, entry in enumerate(_list(importer, part.get("municipal_services"), path)):
        here = f"{path}.municipal_services[{number}]"
        values = importer.fields(MunicipalService, entry, ("name", "email"), here)
        if not values.get("name"):
            importer.error(f"{here}.name", WRONG_TYPE)
        service, created = MunicipalService.objects.get_or_create(
            site=site, name=values["name"], defaults={"email": values.get("email", "")}
        )
        if created:
            importer.created(_("municipal service"), service.name)
        else:
            service.email = values.get("email", "")
            service.save(update_fields=["email"])
            importer.replaced(_("municipal service"), service.name)

    workflows = {}
    for number, entry in enumerate(_list(importer, part.get("workflows"), f"{path}.workflows")):
        workflow = _workflow_import(importer, entry, f"{path}.workflows[{number}]")
        workflows[workflow.name] = workflow

    templates = part.get("message_templates")
    for number, entry in enumerate(_list(importer, templates, f"{path}.message_templates")):
        here = f"{path}.message_templates[{number}]"
        values = importer.fields(MessageTemplate, entry, ("status", "title", "body"), here)
        template = MessageTemplate.objects.filter(
            site=site, status=values.get("status"), title=values.get("title")
        ).first() or MessageTemplate(site=site)
        was_there = template.pk is not None
        for name, value in values.items():
            setattr(template, name, value)
        try:
            template.full_clean(exclude=["site"])
        except Exception as error:
            importer.error(here, " ".join(getattr(error, "messages", [str(error)])))
        template.save()
        (importer.replaced if was_there else importer.created)(_("message template"), template)

    index = _index_of(site)
    if index is None:
        importer.error(path, NO_INDEX)
    entries = _list(importer, part.get("demarches"), f"{path}.demarches")
    for number, entry in enumerate(entries):
        _demarche_import(importer, index, workflows, entry, f"{path}.demarches[{number}]")

    if part.get("index"):
        values = _dict(importer, part["index"], ("title", "intro"), f"{path}.index")
        checked = importer.fields(ServiceIndexPage, values, ("title", "intro"), f"{path}.index")
        if "intro" in checked:
            checked["intro"] = importer.rich_text(checked["intro"], f"{path}.index.intro")
        index = index.get_latest_revision_as_object()
        for name, value in checked.items():
            setattr(index, name, value)
        index.save_revision().publish()
        if importer.replace:
            importer.replaced(_("page"), index.title)


def _workflow_import(importer: Importer, entry, here: str) -> Workflow:
    entry = _dict(importer, entry, WORKFLOW_KEYS, here)
    values = importer.fields(
        Workflow,
        {name: entry[name] for name in ("name", "description") if name in entry},
        ("name", "description"),
        here,
    )
    if not values.get("name"):
        importer.error(f"{here}.name", WRONG_TYPE)
    statuses = []
    status_entries = _list(importer, entry.get("statuses"), f"{here}.statuses")
    for number, raw in enumerate(status_entries):
        where = f"{here}.statuses[{number}]"
        raw = _dict(importer, raw, (*STATUS_FIELDS, "actions"), where)
        fields = importer.fields(
            WorkflowStatus,
            {name: raw[name] for name in STATUS_FIELDS if name in raw},
            STATUS_FIELDS,
            where,
        )
        actions = importer.stream(
            WorkflowStatus._meta.get_field("actions").stream_block,
            raw.get("actions") or [],
            f"{where}.actions",
        )
        statuses.append(WorkflowStatus(sort_order=number, actions=actions, **fields))
    transitions = []
    for number, raw in enumerate(_list(importer, entry.get("transitions"), f"{here}.transitions")):
        where = f"{here}.transitions[{number}]"
        fields = importer.fields(WorkflowTransition, raw, TRANSITION_FIELDS, where)
        transitions.append(WorkflowTransition(sort_order=number, **fields))
    found = problems(
        [{"key": s.key, "name": s.name, "group": s.group} for s in statuses],
        [{"source": t.source, "target": t.target} for t in transitions],
    )
    if found:
        importer.error(here, found[0])

    site = importer.site
    if entry.get("standard"):
        workflow = standard_workflow(site)
        workflow.name = values["name"]
    else:
        workflow = Workflow.objects.filter(
            site=site, name=values["name"], is_standard=False
        ).first() or Workflow(site=site, name=values["name"])
    was_there = workflow.pk is not None and importer.replace
    if workflow.pk:
        kept = {status.key for status in statuses}
        used = (
            Submission.objects.filter(workflow=workflow)
            .exclude(status__in=kept)
            .values_list("status", flat=True)
            .first()
        )
        if used is not None:
            importer.error(here, STATUS_IN_USE % {"key": used, "name": workflow.name})
    workflow.description = values.get("description", "")
    workflow.statuses = statuses
    workflow.transitions = transitions
    workflow.save()
    (importer.replaced if was_there else importer.created)(_("workflow"), workflow.name)
    return workflow


def _demarche_import(importer: Importer, index, workflows: dict, entry, here: str) -> None:
    entry = _dict(importer, entry, DEMARCHE_KEYS, here)
    document = entry.get("file")
    if not isinstance(document, dict):
        importer.error(f"{here}.file", WRONG_TYPE)
    name = entry.get("workflow") or ""
    workflow = None
    if name:
        workflow = (
            workflows.get(name) or Workflow.objects.filter(site=importer.site, name=name).first()
        )
        if workflow is None:
            importer.error(f"{here}.workflow", UNKNOWN_WORKFLOW % {"name": name})
        if workflow.is_standard:
            workflow = None
    live = entry.get("live", True) is True
    slug = (
        (document.get("page") or {}).get("slug") if isinstance(document.get("page"), dict) else None
    )
    existing = (
        ServicePage.objects.child_of(index).filter(slug=slug).first()
        if isinstance(slug, str)
        else None
    )
    try:
        if existing is not None and importer.replace:
            page = demarche_update(
                page=existing.specific.get_latest_revision_as_object(),
                document=document,
                publish=live,
                workflow=workflow,
            )
            importer.replaced(_("démarche"), page.title)
        else:
            page = demarche_import(index=index, document=document, publish=live, workflow=workflow)
            importer.created(_("démarche"), page.title)
    except DemarcheFileError as error:
        importer.error(f"{here}.file", str(error))
