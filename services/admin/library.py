"""Démarche models ("Modèles de démarches"): the catalogue of démarches
shipped with the portal, which the communication staff and the supervisors
of a commune preview and install in one click, as drafts to adapt; and the
changes of a model's new version, applied to the commune's copy as a draft
revision they review before publishing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.tenancy import communes_for

from ..exchange import DemarcheFileError
from ..fields import registry
from ..library import (
    copies_for_site,
    copy_edited,
    demarche_copy_update,
    demarche_model,
    demarche_model_install,
    demarche_models,
    model_categories,
    newer_version,
)
from ..library.changes import demarche_changes
from ..models import DemarcheCopy
from ..policies import demarche_copy_policy

INSTALL = ("add",)
UPDATE = ("change",)
INSTALLED = gettext_lazy(
    "“%(title)s” is installed as a draft: adapt it to your commune, then publish it."
)
UPDATED = gettext_lazy(
    "The new version of “%(title)s” is saved as a draft: review it, then publish it."
)


def installing_communes(user):
    """The communes where the user installs démarche models."""
    return communes_for(user, demarche_copy_policy, INSTALL).order_by("site_name", "hostname")


class LibraryMixin(WagtailAdminTemplateMixin):
    header_icon = "form"

    @cached_property
    def communes(self):
        return list(installing_communes(self.request.user))

    @cached_property
    def site(self):
        """The commune chosen (``?commune=``), else the user's first one."""
        if not self.communes:
            raise PermissionDenied
        chosen = self.request.GET.get("commune", "")
        for site in self.communes:
            if str(site.pk) == chosen:
                return site
        return self.communes[0]

    @cached_property
    def copies(self) -> dict[str, DemarcheCopy]:
        return {copy.model: copy for copy in copies_for_site(self.site)}

    def dispatch(self, request, *args, **kwargs):
        self.site  # noqa: B018  refuses the user who installs in no commune
        return super().dispatch(request, *args, **kwargs)

    def index_url(self) -> str:
        return reverse("services_demarche_models") + f"?commune={self.site.pk}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            site=self.site,
            communes=self.communes if len(self.communes) > 1 else [],
            **kwargs,
        )


class DemarcheModelIndexView(LibraryMixin, TemplateView):
    page_title = gettext_lazy("Démarche models")
    template_name = "services/admin/library/index.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        categories = model_categories()
        category = self.request.GET.get("category", "")
        if category not in categories:
            category = ""
        rows = [
            {
                "model": model,
                "copy": self.copies.get(model.slug),
                "newer": self.copies.get(model.slug)
                and newer_version(self.copies[model.slug]) is not None,
            }
            for model in demarche_models(category=category)
        ]
        return super().get_context_data(
            rows=rows, categories=categories, category=category, **kwargs
        )


class ModelMixin(LibraryMixin):
    def setup(self, request, *args, model_slug, **kwargs):
        super().setup(request, *args, **kwargs)
        try:
            self.model = demarche_model(model_slug)
        except DemarcheFileError:
            raise Http404 from None


class DemarcheModelView(ModelMixin, TemplateView):
    template_name = "services/admin/library/model.html"

    def get_page_title(self):
        return self.model.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.index_url(), "label": _("Démarche models")},
            {"url": "", "label": self.model.title},
        ]

    def get_context_data(self, **kwargs):
        document = self.model.document
        copy = self.copies.get(self.model.slug)
        return super().get_context_data(
            model=self.model,
            page=document["page"],
            steps=[_step(step["value"]) for step in document["form"]],
            copy=copy,
            newer=copy is not None and newer_version(copy) is not None,
            install_url=reverse(
                "services_demarche_model_install", args=[self.model.slug, self.site.pk]
            ),
            **kwargs,
        )


def _step(step: dict) -> dict:
    fields = []
    for field in step["fields"]:
        value = field["value"]
        kind = registry[field["type"]].block_class().label if field["type"] in registry else ""
        condition = value.get("condition") or {}
        fields.append(
            {
                "type": field["type"],
                "kind": kind,
                "value": value,
                "choices": [c for c in (value.get("choices") or "").splitlines() if c.strip()],
                "condition": condition if condition.get("field") else None,
            }
        )
    return {"title": step["title"], "fields": fields}


class DemarcheModelInstallView(ModelMixin, View):
    """Install the model into the commune named in the address, as a draft;
    then open its editor."""

    http_method_names = ["post"]

    def post(self, request, *args, pk, **kwargs):
        site = next((s for s in self.communes if s.pk == pk), None)
        if site is None:
            raise Http404
        try:
            page = demarche_model_install(site=site, slug=self.model.slug, user=request.user)
        except DemarcheFileError as error:
            messages.error(request, str(error))
            return redirect(
                reverse("services_demarche_model", args=[self.model.slug]) + f"?commune={pk}"
            )
        messages.success(request, INSTALLED % {"title": page.title})
        return redirect("wagtailadmin_pages:edit", page.pk)


class DemarcheCopyUpdateView(WagtailAdminTemplateMixin, TemplateView):
    """What the model's new version changes in the commune's copy; posting
    applies it as a draft revision."""

    template_name = "services/admin/library/update.html"
    header_icon = "form"

    def setup(self, request, *args, pk, **kwargs):
        super().setup(request, *args, **kwargs)
        sites = communes_for(request.user, demarche_copy_policy, UPDATE)
        self.copy = get_object_or_404(
            DemarcheCopy.objects.select_related("page").filter(site__in=sites), pk=pk
        )

    def get_page_title(self):
        return _("Update of “%(title)s”") % {"title": self.copy.page.title}

    def get_breadcrumbs_items(self):
        index = reverse("services_demarche_models") + f"?commune={self.copy.site_id}"
        return [
            *self.breadcrumbs_items,
            {"url": index, "label": _("Démarche models")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        model = newer_version(self.copy)
        return super().get_context_data(
            copy=self.copy,
            model=model,
            changes=demarche_changes(self.copy.document, model.document) if model else [],
            edited=copy_edited(self.copy),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        try:
            demarche_copy_update(copy=self.copy, user=request.user)
        except DemarcheFileError as error:
            messages.error(request, str(error))
            return redirect("services_demarche_copy_update", self.copy.pk)
        messages.success(request, UPDATED % {"title": self.copy.page.title})
        return redirect("wagtailadmin_pages:edit", self.copy.page_id)


class LibraryMenuItem(MenuItem):
    def is_shown(self, request):
        return installing_communes(request.user).exists()


def library_menu_item():
    return LibraryMenuItem(
        gettext_lazy("Démarche models"),
        reverse("services_demarche_models"),
        name="demarche-models",
        icon_name="form",
        order=250,
    )


def library_urls():
    return [
        path(
            "demarche-models/",
            DemarcheModelIndexView.as_view(),
            name="services_demarche_models",
        ),
        path(
            "demarche-models/copies/<int:pk>/update/",
            DemarcheCopyUpdateView.as_view(),
            name="services_demarche_copy_update",
        ),
        path(
            "demarche-models/<slug:model_slug>/",
            DemarcheModelView.as_view(),
            name="services_demarche_model",
        ),
        path(
            "demarche-models/<slug:model_slug>/install/<int:pk>/",
            DemarcheModelInstallView.as_view(),
            name="services_demarche_model_install",
        ),
    ]
