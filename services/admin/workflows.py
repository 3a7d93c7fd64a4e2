"""The commune's workflows in the admin: supervisors build them, each
démarche follows one. The form refuses a workflow that cannot be followed to
its end, or that would strand requests; the edit page draws it."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin.panels import FieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column

from cms.formdata import repaired, stream_repairs
from cms.scoped_admin import (
    CommuneModelForm,
    CommuneViewSet,
    ScopedDeleteView,
    ScopedHistoryView,
    ScopedIndexView,
    ScopedUsageView,
)

from ..actions import registry as action_registry
from ..models import (
    MOST_STATUSES,
    MOST_TRANSITIONS,
    ServicePage,
    Submission,
    Workflow,
    WorkflowStatus,
)
from ..workflows import problems
from .diagram import workflow_diagram

#: Whoever may do anything with a commune's workflows sees them.
SEE = ("view", "add", "change", "delete")
#: The most actions a status has.
MOST_ACTIONS = 20


def _rows(formset) -> list[dict]:
    """The rows of an inline formset as typed, without those being deleted."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and not form.instance.pk:
            continue
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("DELETE") or not data:
            continue
        rows.append({**data, "order": data.get("ORDER") or 0})
    return sorted(rows, key=lambda row: row["order"]) if formset.can_order else rows


def _count(data, name: str) -> int:
    try:
        return max(0, min(int(data.get(name, 0)), 2000))
    except (TypeError, ValueError):
        return 0


def _sanitised(data):
    """What a hand-made request may leave out or garble, made harmless: a
    status without its actions' count has no actions, and a row said to be
    saved without a valid id is a new one (the inline formsets and the
    StreamField would otherwise fail on them)."""
    changes = {}
    for prefix, most in (("statuses", MOST_STATUSES), ("transitions", MOST_TRANSITIONS)):
        # One more than allowed: the formset refuses it, saying how many it takes.
        for name in ("TOTAL_FORMS", "INITIAL_FORMS"):
            if _count(data, f"{prefix}-{name}") > most:
                changes[f"{prefix}-{name}"] = str(most + 1)
    for index in range(min(_count(data, "statuses-TOTAL_FORMS"), MOST_STATUSES + 1)):
        changes.update(
            stream_repairs(
                data,
                f"statuses-{index}-actions",
                types={action.name for action in action_registry},
                most=MOST_ACTIONS,
            )
        )
    for prefix, most in (("statuses", MOST_STATUSES), ("transitions", MOST_TRANSITIONS)):
        for index in range(min(_count(data, f"{prefix}-INITIAL_FORMS"), most + 1)):
            pk = data.get(f"{prefix}-{index}-id")
            if not (isinstance(pk, str) and pk.isascii() and pk.isdigit() and len(pk) < 10):
                changes[f"{prefix}-{index}-id"] = ""
    return repaired(data, changes)


class WorkflowForm(CommuneModelForm):
    """The statuses, then the transitions between them, chosen among the
    statuses (those already saved and those being typed)."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = _sanitised(data)
        super().__init__(data, *args, **kwargs)
        choices = [("", "---------")]
        keys = {}
        if self.instance.pk:
            for status in self.instance.statuses.all():
                keys[status.key] = status.name
        prefix = self.formsets["statuses"].prefix
        if self.is_bound:
            for name, value in self.data.items():
                if name.startswith(f"{prefix}-") and name.endswith("-key") and value:
                    label = self.data.get(name[: -len("key")] + "name", value)
                    keys.setdefault(value, label)
        choices += [(key, f"{name} ({key})") for key, name in keys.items()]
        transitions = self.formsets["transitions"]
        base = transitions.form

        class TransitionForm(base):
            pass

        TransitionForm.base_fields = dict(base.base_fields)
        for name in ("source", "target"):
            field = base.base_fields[name]
            TransitionForm.base_fields[name] = forms.ChoiceField(
                label=field.label, choices=choices, help_text=field.help_text
            )
        transitions.form = TransitionForm

    def clean(self):
        cleaned = super().clean()
        statuses = self.formsets["statuses"]
        transitions = self.formsets["transitions"]
        if not statuses.is_valid() or not transitions.is_valid():
            return cleaned
        status_rows = _rows(statuses)
        transition_rows = _rows(transitions)
        errors = problems(status_rows, transition_rows)
        by_key = {row["key"]: row for row in status_rows}
        for row in status_rows:
            actions = row.get("actions")
            for raw in actions.get_prep_value() if actions else []:
                if raw["type"] in action_registry:
                    errors += [
                        f"{row['name']}: {problem}"
                        for problem in action_registry[raw["type"]].problems(raw["value"], by_key)
                    ]
        if self.instance.pk:
            errors += self._stranded(statuses)
        for error in errors:
            self.add_error(None, error)
        return cleaned

    def _stranded(self, statuses) -> list[str]:
        """A status that requests are in may not be deleted, nor its key changed."""
        found = []
        saved = dict(WorkflowStatus.objects.filter(workflow=self.instance).values_list("pk", "key"))
        for form in statuses.forms:
            status = form.instance
            if status.pk not in saved:
                continue
            key = saved[status.pk]
            data = getattr(form, "cleaned_data", None) or {}
            if not data.get("DELETE") and data.get("key") == key:
                continue
            count = Submission.objects.filter(workflow=self.instance, status=key).count()
            if count:
                found.append(
                    ngettext(
                        "%(count)d request is “%(name)s”: move it to another status "
                        "before deleting this status or changing its key.",
                        "%(count)d requests are “%(name)s”: move them to another status "
                        "before deleting this status or changing its key.",
                        count,
                    )
                    % {"count": count, "name": status.name}
                )
        return found


class DiagramPanel(Panel):
    """The workflow drawn, with the same content as a list for screen readers."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "services/admin/workflow_diagram_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["diagram"] = workflow_diagram(self.instance) if self.instance.pk else None
            return context


class WorkflowIndexView(ScopedIndexView):
    scope_actions = SEE

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("site")


class WorkflowDeleteView(ScopedDeleteView):
    """A workflow followed by a démarche or by requests stays: deleting it
    would leave them without statuses."""

    def post(self, request, *args, **kwargs):
        workflow = self.object
        refusal = None
        if workflow.is_standard:
            refusal = _("The standard workflow is followed by every démarche that names none.")
        elif ServicePage.objects.filter(workflow=workflow).exists():
            refusal = _("Démarches follow this workflow: give them another one first.")
        elif Submission.objects.filter(workflow=workflow).exists():
            refusal = _("Requests went through this workflow: it is kept with them.")
        if refusal:
            messages.error(
                request, format_html("{} {}", _("This workflow cannot be deleted."), refusal)
            )
            return redirect(self.index_url_name)
        return super().post(request, *args, **kwargs)


class WorkflowHistoryView(ScopedHistoryView):
    scope_actions = SEE


class WorkflowUsageView(ScopedUsageView):
    scope_actions = SEE


class WorkflowViewSet(CommuneViewSet):
    model = Workflow
    icon = "tasks"
    menu_label = gettext_lazy("Workflows")
    menu_name = "workflows"
    menu_order = 192
    add_to_admin_menu = True
    inspect_view_enabled = False
    index_view_class = WorkflowIndexView
    delete_view_class = WorkflowDeleteView
    history_view_class = WorkflowHistoryView
    usage_view_class = WorkflowUsageView
    list_display = ["name", Column("description", label=gettext_lazy("Description"))]
    ordering = ["-is_standard", "name"]
    panels = [
        FieldPanel("site"),
        FieldPanel("name"),
        FieldPanel("description"),
        DiagramPanel(heading=gettext_lazy("Diagram")),
        *Workflow.panels[2:],
    ]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=WorkflowForm).bind_to_model(self.model)
