import mimetypes
import re
import unicodedata
import uuid
from itertools import groupby

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Orderable, Page, Site
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from cms.cache import CachedSiteSetting
from cms.models import CommuneSettings, LegalBasis
from cms.pages import PortalPageMixin
from cms.placeholders import PLACEHOLDER_HELP, site_placeholder_values

from .actions import registry as action_registry
from .blocks import StepBlock
from .fields import registry
from .fields.schema import (
    KEY_PATTERN,
    filled_steps,
    make_key,
    normalise,
    steps_of,
    translated_steps,
)
from .statuses import (
    DRAFT,
    StatusColour,
    StatusGroup,
    StatusInfo,
    SubmissionStatus,
    Who,
)

TEXT_FEATURES = ["bold", "italic", "link", "ul", "ol", "document-link"]

KEY_INVALID = _(
    "The key “%(key)s” must start with a letter and hold only lower-case letters, digits and “_”."
)
KEY_DUPLICATE = _("The key “%(key)s” is used by two fields; each needs its own.")
KEY_CHANGED = _(
    "The key of the field “%(label)s” was “%(old)s” when the page was "
    "published; it cannot change, since the answers already received are stored under it."
)
CONDITION_UNKNOWN = _(
    "The field “%(label)s” depends on “%(key)s”, which is not a field placed before it."
)

REFERENCE_PREFIX = RegexValidator(
    re.compile(r"^[A-Z]{2,6}$"),
    _("Two to six capital letters without accents, for example CAR."),
)
#: The placeholders a text of a démarche may hold (``cms.placeholders``).
PLACEHOLDERS = format_lazy(_("Placeholders: {names}."), names=PLACEHOLDER_HELP)
#: The longest time to fill in a démarche may announce: ten hours.
MAX_DURATION_MINUTES = 600
#: Months a closed request is kept before it is anonymised, unless the
#: commune or the démarche says otherwise.
DEFAULT_RETENTION_MONTHS = 36


class MunicipalService(models.Model):
    """A service of the town hall ("État civil", "Services techniques"...):
    the agents who process the requests of the démarches it handles.

    An agent who belongs to one or more services of a commune sees only
    their requests (and those of no service); an agent of no service and
    the supervisors see the whole commune
    (``services.selectors.submissions_visible_to``)."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(
        _("e-mail address"),
        blank=True,
        help_text=_("The service's own address, if it has one."),
    )
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agents"),
        blank=True,
        related_name="municipal_services",
        help_text=_(
            "They see the requests of this service only (and those of no service); "
            "the supervisors see every request of the commune."
        ),
    )

    class Meta:
        verbose_name = _("municipal service")
        verbose_name_plural = _("municipal services")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("site", "name", name="services_one_service_name_per_commune")
        ]

    def __str__(self):
        return self.name


class ServiceIndexPage(PortalPageMixin, Page):
    """ "Services": the list of the commune's online procedures (démarches)."""

    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=["bold", "italic", "link", "ul", "ol"],
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["services.ServicePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("online procedures index")
        verbose_name_plural = _("online procedures index")

    def get_context(self, request, *args, **kwargs):
        """The démarches, searched and filtered as the query string asks
        (``services.catalogue``)."""
        from .catalogue import catalogue_entries, catalogue_query, catalogue_search

        context = super().get_context(request, *args, **kwargs)
        query, category = catalogue_query(request)
        context["catalogue"] = catalogue_search(
            catalogue_entries(index=self, request=request), query=query, category=category
        )
        return context

    def services_by_category(self) -> list[tuple[str, list["ServicePage"]]]:
        """The démarches of this index, live, grouped by category."""
        pages = (
            ServicePage.objects.child_of(self)
            .live()
            .public()
            .only(
                "title", "slug", "url_path", "category", "summary", "requires_account", "locale_id"
            )
        )
        pages = sorted(pages, key=lambda p: (normalise(p.category), normalise(p.title)))
        return [
            (category, list(group)) for category, group in groupby(pages, key=lambda p: p.category)
        ]


ROUTING_RULES = "routing_rules"


class ServicePageForm(WagtailAdminPageForm):
    """Offers only the workflows and the municipal services of the démarche's
    commune; a routing rule must name a field of the form and an answer that
    field offers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        site = (self.instance if self.instance.pk else self.parent_page).get_site()
        if "workflow" in self.fields:
            self.fields["workflow"].queryset = Workflow.objects.filter(site=site)
            self.fields["workflow"].empty_label = _("The commune's standard workflow")
        services = MunicipalService.objects.filter(site=site)
        if "municipal_service" in self.fields:
            self.fields["municipal_service"].queryset = services
        formset = self.formsets.get(ROUTING_RULES)
        if formset is not None:
            base = formset.form

            class RoutingRuleForm(base):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    self.fields["service"].queryset = services

            formset.form = RoutingRuleForm
            for form in formset.__dict__.get("forms", []):
                form.fields["service"].queryset = services

    def clean_slug(self):
        """The address in plain ASCII, whatever was typed (the slug field's
        script does the same as the title is typed): “déchèterie” is
        “decheterie”, never a percent-encoded accent."""
        slug = self.cleaned_data.get("slug") or ""
        return slug if slug.isascii() else slugify(slug)

    def _post_clean(self):
        """Once the page's own checks have given every field its key, each
        routing rule is checked against the form being saved."""
        super()._post_clean()
        from .routing import input_blocks, routing_rule_errors

        formset = self.formsets.get(ROUTING_RULES)
        if formset is None or not formset.is_valid() or "form" not in self.cleaned_data:
            return
        blocks = input_blocks(steps_of(self.instance.form.get_prep_value()))
        for form in formset.forms:
            if formset.can_delete and formset._should_delete_form(form):
                continue
            data = form.cleaned_data
            if not data.get("field"):
                continue
            errors = routing_rule_errors(
                blocks=blocks, field=data["field"], value=data.get("value", "")
            )
            for name, message in errors.items():
                form.add_error(name, message)


class ServicePage(RoutablePageMixin, PortalPageMixin, Page):
    """A démarche: what it is for, what to prepare, and its form in steps.

    The page stays thin: ``services.views`` serves its steps, and
    ``services.fields.builder.StepFormBuilder`` builds each step's form from the blocks.
    """

    category = models.CharField(
        _("category"),
        max_length=80,
        help_text=_("Démarches of the same category are listed together, e.g. “État civil”."),
    )
    summary = models.CharField(
        _("short description"),
        max_length=255,
        help_text=format_lazy(
            "{} {}", _("One sentence shown in the list of démarches."), PLACEHOLDERS
        ),
    )
    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=TEXT_FEATURES,
        help_text=format_lazy(
            "{} {}",
            PLACEHOLDERS,
            _(
                "They are filled for the commune in every text citizens read of the "
                "démarche, its form's included; the title takes none."
            ),
        ),
    )
    documents = RichTextField(
        _("what to have at hand"),
        blank=True,
        features=TEXT_FEATURES,
        help_text=format_lazy(
            "{} {}",
            _(
                "The documents and information to gather before starting, as a short "
                "bulleted list; shown on the list of démarches and on this page."
            ),
            PLACEHOLDERS,
        ),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("time to fill in (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)],
        help_text=_(
            "Roughly how long filling in the form takes, documents at hand, e.g. 5. "
            "Shown as “Time to fill in: about 5 minutes”; left empty, nothing is shown."
        ),
    )
    requires_account = models.BooleanField(
        _("account required"),
        default=True,
        help_text=_(
            "Untick for démarches open to anyone, such as civil status certificates: "
            "the citizen then gives contact details and receives a link by e-mail."
        ),
    )
    requires_franceconnect = models.BooleanField(
        _("identity certified by FranceConnect required"),
        default=False,
        help_text=_(
            "Only citizens whose account is linked to FranceConnect may fill it in; the "
            "others are offered to sign in with FranceConnect. Needs an account."
        ),
    )
    confirmation = RichTextField(
        _("confirmation text"),
        blank=True,
        features=TEXT_FEATURES,
        help_text=format_lazy(
            "{} {}",
            _("Shown and e-mailed once the request is sent: what happens next."),
            PLACEHOLDERS,
        ),
    )
    processing_purpose = models.TextField(
        _("purpose of the processing"),
        blank=True,
        help_text=format_lazy(
            "{} {}",
            _(
                "Why the town hall collects these data, in one or two sentences for the "
                "citizen and the register of processing activities, e.g. “Issue a copy "
                "of a civil status certificate”."
            ),
            PLACEHOLDERS,
        ),
    )
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=30,
        choices=LegalBasis.choices,
        default=LegalBasis.PUBLIC_TASK,
        help_text=_("What makes the processing lawful (GDPR article 6)."),
    )
    data_subjects = models.CharField(
        _("people concerned"),
        max_length=255,
        blank=True,
        help_text=_(
            "Categories of people whose data are processed. Left empty: the requester "
            "and the household members concerned."
        ),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("retention after closing (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1200)],
        help_text=_(
            "Months a request is kept once decided or closed; then it is anonymised. "
            "Left empty: the commune's default retention."
        ),
    )
    workflow = models.ForeignKey(
        "services.Workflow",
        verbose_name=_("workflow"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The statuses its requests go through and the buttons of the agents. "
            "Left empty: the commune's standard workflow."
        ),
    )
    form = StreamField(
        [("step", StepBlock())],
        verbose_name=_("form"),
        help_text=_("The steps of the form, each with its fields."),
        blank=True,
    )
    municipal_service = models.ForeignKey(
        MunicipalService,
        verbose_name=_("municipal service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The service that processes its requests, unless a routing rule below "
            "names another. None: every agent of the commune."
        ),
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("category"),
                FieldPanel("summary"),
                FieldPanel("requires_account"),
                FieldPanel("requires_franceconnect"),
                FieldPanel("duration_minutes"),
                FieldPanel("documents"),
            ],
            heading=_("In the list of démarches"),
        ),
        FieldPanel("intro"),
        FieldPanel("form"),
        FieldPanel("confirmation"),
        MultiFieldPanel(
            [
                FieldPanel("workflow"),
                FieldPanel("municipal_service"),
                InlinePanel("routing_rules", label=_("routing rule")),
            ],
            heading=_("Processing"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("processing_purpose"),
                FieldPanel("legal_basis"),
                FieldPanel("data_subjects"),
                FieldPanel("retention_months"),
            ],
            heading=_("Personal data"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("intro"),
        index.SearchField("category"),
        index.FilterField("category"),
    ]

    parent_page_types = ["services.ServiceIndexPage"]
    subpage_types = []
    base_form_class = ServicePageForm
    # Its texts are translated (wagtail-localize's own choice of fields);
    # how its requests are processed is the source's, never a translation's.
    override_translatable_fields = [
        SynchronizedField("workflow", overridable=False),
        SynchronizedField("municipal_service", overridable=False),
    ]

    preview_modes = [("", _("Introduction")), ("form", _("Whole form"))]

    class Meta:
        verbose_name = _("online procedure")
        verbose_name_plural = _("online procedures")

    @cached_property
    def source_page(self) -> "ServicePage":
        """The démarche in the portal's own language when this page is one of
        its translations, else the page itself. A request is always one of
        the source's: made in English, it is stored with the source's keys
        and answers, and agents read it in the source's language."""
        default = Locale.get_default()
        if self.locale_id == default.pk:
            return self
        source = (
            ServicePage.objects.filter(translation_key=self.translation_key, locale=default)
            .live()
            .first()
        )
        return source or self

    @cached_property
    def unfilled_steps(self):
        """The steps as written, placeholders and all (in a translation, its
        texts over the source's form)."""
        source = self.source_page
        if source is self:
            return steps_of(self.form)
        return translated_steps(source.unfilled_steps, steps_of(self.form))

    @cached_property
    def steps(self):
        """The steps as citizens read them: the placeholders of their texts
        filled for the commune the page belongs to."""
        parts = self.get_url_parts()
        if parts is None:
            return self.unfilled_steps
        return filled_steps(self.unfilled_steps, site_placeholder_values(parts[0]))

    DEFAULT_DATA_SUBJECTS = _("The requester and the members of their household concerned")

    def retention_for(self, settings: "ServiceSettings") -> int:
        """Months its requests are kept once closed: its own, else the commune's."""
        return self.retention_months or settings.retention_months

    @property
    def data_subjects_display(self) -> str:
        return self.data_subjects or str(self.DEFAULT_DATA_SUBJECTS)

    def full_clean(self, *args, **kwargs):
        self._assign_keys()
        super().full_clean(*args, **kwargs)

    def _assign_keys(self):
        """Give each field without a key one made from its label, unique in the
        form; a published field keeps the key it had."""
        published = self._published_keys()
        used = set()
        for step in self.form:
            for child in step.value["fields"]:
                if not registry[child.block_type].is_input:
                    continue
                if not child.value.get("key"):
                    key = published.get(child.id) or make_key(child.value.get("label", ""))
                    base, number = key, 2
                    while key in used:
                        key, number = f"{base}_{number}", number + 1
                    child.value["key"] = key
                used.add(child.value["key"])

    def _published_keys(self) -> dict[str, str]:
        if not self.pk or not self.live:
            return {}
        live = self.get_latest_revision()
        if self.live_revision_id:
            live = self.live_revision
        if live is None:
            return {}
        old = live.as_object()
        return {
            block.id: block.key for step in steps_of(old.form) for block in step.blocks if block.key
        }

    def clean(self):
        super().clean()
        errors = []
        published = self._published_keys()
        seen = set()
        for step in steps_of(self.form.get_prep_value()):
            for block in step.blocks:
                if not block.is_input:
                    continue
                key, label = block.key, block.label
                if not KEY_PATTERN.match(key):
                    errors.append(ValidationError(KEY_INVALID, params={"key": key}))
                elif key in seen:
                    errors.append(ValidationError(KEY_DUPLICATE, params={"key": key}))
                old = published.get(block.id)
                if old and old != key:
                    errors.append(ValidationError(KEY_CHANGED, params={"label": label, "old": old}))
                for name in ("condition", "required_when"):
                    condition = (block.value.get(name) or {}).get("field")
                    if condition and condition not in seen:
                        errors.append(
                            ValidationError(
                                CONDITION_UNKNOWN, params={"label": label, "key": condition}
                            )
                        )
                seen.add(key)
        if errors:
            raise ValidationError({"form": errors})

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.get_views_class().intro_context(request, self))
        if getattr(request, "is_preview", False):
            site = self.get_site()
            commune = site and CommuneSettings.for_site(site)
            service_settings = site and ServiceSettings.for_site(site)
        else:
            # Served at its address: the request's commune, and its settings
            # as the layout reads them.
            site = Site.find_for_request(request)
            commune = site and CommuneSettings.for_request(request)
            service_settings = site and ServiceSettings.for_request(request)
        if site is not None:
            context["privacy_commune"] = commune
            context["retention_months"] = self.retention_for(service_settings)
            context["draft_days"] = DRAFT_RETENTION_DAYS
        return context

    # The steps are served by the views class; the introduction, at the
    # page's own URL, is a plain (cacheable) page.

    #: The views that fill in the démarche, named by path as Wagtail's
    #: ``FormMixin`` reaches its views through ``get_*_class``: they import
    #: this module.
    views_class = "services.views.ServicePageViews"

    @classmethod
    def get_views_class(cls):
        return import_string(cls.views_class)

    def upload_limits(self, request, view=None, args=(), kwargs=None):
        """The limits of the document fields of the step posted to, in bytes,
        read before the request's body (see ``cms.uploads``)."""
        if getattr(view, "__name__", "") != "step_view":
            return {}
        return self.get_views_class().upload_limits(request, self, (kwargs or {}).get("number"))

    @path("etape/<int:number>/", name="step")
    def step_view(self, request, number):
        return self.get_views_class().step(request, self, number)

    @path("verification/", name="review")
    def review_view(self, request):
        return self.get_views_class().review(request, self)

    @path("envoyee/", name="sent")
    def sent_view(self, request):
        return self.get_views_class().sent(request, self)

    @path("abandonner/", name="discard")
    def discard_view(self, request):
        return self.get_views_class().discard(request, self)

    def serve_preview(self, request, mode_name):
        if mode_name == "form":
            return self.get_views_class().form_preview(request, self)
        return super().serve_preview(request, mode_name)


#: Days a draft nobody touches is kept before it is deleted with its files
#: (``services.retention``); the privacy notice says so.
DRAFT_RETENTION_DAYS = 30


class RoutingRule(Orderable):
    """ "When the field ``field`` is answered ``value``, the request goes to
    ``service``": the first rule that matches a request wins, else the
    démarche's own service (``services.routing``)."""

    page = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="routing_rules")
    field = models.CharField(
        _("field"),
        max_length=60,
        help_text=_("The key of a field of the form, e.g. “nature”."),
    )
    value = models.CharField(
        _("answer"),
        max_length=255,
        help_text=_("The answer that sends the request to the service, as the form offers it."),
    )
    service = models.ForeignKey(
        MunicipalService,
        verbose_name=_("municipal service"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("field"), FieldPanel("value"), FieldPanel("service")]

    class Meta(Orderable.Meta):
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self):
        return f"{self.field} = {self.value} → {self.service_id}"


class Submission(models.Model):
    """A request made through a démarche, from its draft to its decision."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    page = models.ForeignKey(
        ServicePage,
        verbose_name=_("online procedure"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    page_revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("version of the form"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("online procedure"), max_length=255)
    reference = models.CharField(_("number"), max_length=30, blank=True, db_index=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    member = models.ForeignKey(
        "accounts.HouseholdMember",
        verbose_name=_("household member concerned"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    concerns = models.CharField(_("concerns"), max_length=300, blank=True)
    contact_first_name = models.CharField(_("first name"), max_length=150, blank=True)
    contact_last_name = models.CharField(_("last name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("e-mail address"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    access_nonce = models.CharField(
        max_length=32,
        blank=True,
        help_text=_("Part of the signed link that opens a request made without an account."),
    )
    progress = models.JSONField(
        _("what was typed"),
        default=dict,
        blank=True,
        help_text=_("Raw values of the form's steps while it is being filled."),
    )
    data = models.JSONField(_("answers"), default=dict, blank=True)
    workflow = models.ForeignKey(
        "services.Workflow",
        verbose_name=_("workflow"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        help_text=_("The workflow whose statuses the request goes through, set when it is sent."),
    )
    status = models.CharField(
        _("status"), max_length=40, default=SubmissionStatus.DRAFT, db_index=True
    )
    #: Whom the request waits for, from its status (``StatusGroup``): what
    #: the queues, counts and retention rules read, whatever the workflow.
    stage = models.CharField(
        _("waits for"), max_length=12, choices=StatusGroup.choices, default=StatusGroup.DRAFT
    )
    #: The last status the citizen was shown (a status may be hidden from them).
    citizen_status = models.CharField(
        _("status shown to the citizen"), max_length=40, default=SubmissionStatus.DRAFT
    )
    created_at = models.DateTimeField(_("started on"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed on"), auto_now=True)
    submitted_at = models.DateTimeField(_("sent on"), null=True, blank=True, db_index=True)
    status_changed_at = models.DateTimeField(_("status changed on"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_submissions",
    )
    municipal_service = models.ForeignKey(
        MunicipalService,
        verbose_name=_("municipal service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
        help_text=_("The service processing the request; none: every agent of the commune."),
    )
    received_by_post = models.JSONField(
        _("documents received by post"),
        default=dict,
        blank=True,
        help_text=_("The documents promised by post that the town hall received, by field key."),
    )
    search_text = models.TextField(
        _("search text"),
        blank=True,
        editable=False,
        help_text=_(
            "The number, names and answers of the request in lower case without accents: "
            "what the agents' search looks into (services.search)."
        ),
    )
    agents_notified_at = models.DateTimeField(
        _("agents notified on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the agents who asked for it were told that this request was sent."),
    )
    anonymised_at = models.DateTimeField(
        _("anonymised on"),
        null=True,
        blank=True,
        help_text=_(
            "When its retention period ended: its answers, documents and messages were "
            "erased; its number, démarche, status and dates are kept for statistics."
        ),
    )

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-submitted_at", "-pk"]
        permissions = [
            ("export_submission", "Can export requests"),
            ("supervise_submission", "Can use the supervisors' transitions of requests"),
        ]
        constraints = [
            models.UniqueConstraint(
                "site",
                "reference",
                condition=~models.Q(reference=""),
                name="services_submission_unique_reference_per_commune",
            )
        ]
        indexes = [
            models.Index(fields=["site", "status", "submitted_at"]),
            models.Index(fields=["site", "stage", "submitted_at"]),
            models.Index(fields=["site", "assigned_to", "stage"]),
            models.Index(fields=["site", "submitted_at", "id"], name="services_queue_order"),
        ]

    def __str__(self):
        return f"{self.reference or _('Draft')} — {self.title}"

    def save(self, *args, **kwargs):
        # Whom it waits for and what its citizen sees follow its status.
        info = self.status_info
        self.stage = info.group
        if info.shown_to_citizen:
            self.citizen_status = self.status
        if kwargs.get("update_fields") is not None and "status" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "stage", "citizen_status"}
        super().save(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == SubmissionStatus.DRAFT

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def definition(self):
        """The statuses and transitions this request goes through."""
        from .workflows import definition_of

        return definition_of(self.workflow_id and self.workflow)

    @property
    def status_info(self) -> StatusInfo:
        if self.status == SubmissionStatus.DRAFT:
            return DRAFT
        return self.definition.info(self.status)

    @property
    def citizen_status_info(self) -> StatusInfo:
        """The status as its citizen sees it: the last one shown to them."""
        if self.citizen_status == SubmissionStatus.DRAFT:
            return DRAFT
        return self.definition.info(self.citizen_status)

    def get_status_display(self) -> str:
        return str(self.status_info.label)

    @property
    def is_open(self) -> bool:
        return self.status_info.is_open

    @property
    def requester_name(self) -> str:
        if self.account_id:
            return self.account.get_full_name()
        return f"{self.contact_first_name} {self.contact_last_name}".strip()

    @property
    def assigned_name(self) -> str:
        agent = self.assigned_to
        return (agent.get_full_name() or agent.get_username()) if agent else ""

    @property
    def requester_email(self) -> str:
        return self.account.email if self.account_id else self.contact_email

    @property
    def service_name(self) -> str:
        return self.municipal_service.name if self.municipal_service_id else ""

    @cached_property
    def steps(self):
        """The steps of the form this request was made with, their
        placeholders filled for its commune: what its recap, receipt, archive
        and exports print."""
        if self.page_revision_id:
            steps = steps_of(self.page_revision.content.get("form") or [])
            return filled_steps(steps, site_placeholder_values(self.site_id))
        return self.page.specific.steps if self.page_id else []


class ReferenceSequence(models.Model):
    """The last request number given by a commune in a year."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint("site", "year", name="services_one_sequence_per_year")
        ]

    def __str__(self):
        return f"{self.site_id}/{self.year}: {self.last}"


def attachment_path(instance, filename):
    """Stored under a random name, with the extension of its (sniffed) type:
    the citizen's file name is kept apart, never used as a path."""
    suffix = mimetypes.guess_extension(instance.content_type or "") or ""
    return f"submissions/{instance.site_id}/{uuid.uuid4().hex}{suffix}"


def private_storage():
    return storages["private"]


class Attachment(models.Model):
    """A supporting document, in private storage: it has no public URL and is
    served only by ``services.views.attachment_download``."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    key = models.CharField(_("field"), max_length=60)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=attachment_path, max_length=200
    )
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    current = models.BooleanField(
        _("current"),
        default=True,
        help_text=_("Unticked when the citizen replaced it with another file."),
    )
    uploaded_at = models.DateTimeField(_("uploaded on"), auto_now_add=True)

    class Meta:
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class StatusChange(models.Model):
    """One step of a request's history, with the message sent to the citizen."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("request"), on_delete=models.CASCADE, related_name="history"
    )
    status = models.CharField(_("status"), max_length=40)
    previous_status = models.CharField(_("previous status"), max_length=40, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(_("message to the citizen"), blank=True)
    reason = models.TextField(
        _("reason"),
        blank=True,
        help_text=_("Why a decided request was reopened: seen by the agents only."),
    )
    automatic = models.BooleanField(
        _("automatic"), default=False, help_text=_("Made by a deadline, not by a person.")
    )
    document_text = models.TextField(
        _("free text of the documents issued"),
        blank=True,
        help_text=_("What the agent wrote for the free part of the documents the status issues."),
    )
    requested = models.JSONField(
        _("items to correct"),
        default=list,
        blank=True,
        help_text=_("The answers and documents the citizen is asked to correct: key and label."),
    )
    changes = models.JSONField(
        _("corrections"),
        default=list,
        blank=True,
        help_text=_("What the citizen corrected: key, label, former and new answer."),
    )
    amount = models.DecimalField(
        _("amount asked"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The amount the agent typed for the payment the new status asks for."),
    )
    amount_reason = models.CharField(_("reason for the amount"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("on"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_status_display()} ({self.created_at:%Y-%m-%d})"

    @property
    def status_info(self) -> StatusInfo:
        return self.submission.definition.info(self.status)

    @property
    def previous_status_info(self) -> StatusInfo | None:
        if not self.previous_status:
            return None
        return self.submission.definition.info(self.previous_status)

    def get_status_display(self) -> str:
        return str(self.status_info.label)

    def get_previous_status_display(self) -> str:
        info = self.previous_status_info
        return str(info.label) if info else ""

    @property
    def shown_to_citizen(self) -> bool:
        """Whether the citizen's history lists it: a status hidden from them is not."""
        return not self.previous_status or self.status_info.shown_to_citizen


class ServiceTransfer(models.Model):
    """A request handed from one municipal service to another, with the
    agent's note; the services are kept by name, as they were called then."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("request"), on_delete=models.CASCADE, related_name="transfers"
    )
    from_service = models.CharField(_("previous service"), max_length=120, blank=True)
    to_service = models.CharField(_("new service"), max_length=120)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"))
    created_at = models.DateTimeField(_("on"), auto_now_add=True)

    class Meta:
        verbose_name = _("transfer between services")
        verbose_name_plural = _("transfers between services")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.submission_id}: {self.from_service} → {self.to_service}"


class InternalNote(models.Model):
    """A note between the agents about a request; the citizen never sees it."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("request"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("on"), auto_now_add=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.submission_id}: {self.text[:40]}"


def message_attachment_path(instance, filename):
    suffix = mimetypes.guess_extension(instance.content_type or "") or ""
    return f"messages/{instance.site_id}/{uuid.uuid4().hex}{suffix}"


class RequestMessage(models.Model):
    """A message about a request, between the citizen and the town hall.

    The citizen sees who wrote as ``signature``: the request's service (or
    the town hall), never an agent's own name unless the commune chooses it.
    ``read_at`` is when the other side first read it: the citizen for the
    town hall's messages, any agent who sees the request for the citizen's.
    Messages sent to several requests at once share a ``batch``."""

    class Sender(models.TextChoices):
        CITIZEN = "citizen", _("Citizen")
        TOWN_HALL = "town_hall", _("Town hall")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(
        Submission, verbose_name=_("request"), on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.CharField(_("from"), max_length=12, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signature = models.CharField(
        _("signed"),
        max_length=150,
        blank=True,
        help_text=_("Who wrote, as the citizen sees it."),
    )
    text = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent on"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read on"), null=True, blank=True)
    batch = models.UUIDField(
        _("sent to several requests"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Shared by the messages the town hall sent to several requests at once."),
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["submission", "sender", "read_at"])]

    def __str__(self):
        return f"{self.submission_id}: {self.text[:40]}"

    @property
    def from_citizen(self) -> bool:
        return self.sender == self.Sender.CITIZEN


class MessageAttachment(models.Model):
    """A file sent with a message, in private storage, with the same checks
    and limits as supporting documents."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        RequestMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=message_attachment_path, max_length=200
    )
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)

    class Meta:
        verbose_name = _("file sent with a message")
        verbose_name_plural = _("files sent with messages")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class MessageTemplate(models.Model):
    """A ready-made message to the citizen, offered when a request of the
    commune takes a given status."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("for the status"),
        max_length=40,
        help_text=_("The key of a status of the commune's workflows."),
    )
    title = models.CharField(_("name"), max_length=120)
    body = models.TextField(
        _("message"),
        help_text=_(
            "The message only: the e-mail greets the citizen, names the request and its "
            "new status, and signs in the town hall's name. Placeholders filled for each "
            "request: {prenom}, {nom}, {reference}, {demarche}, {commune}, {mairie}."
        ),
    )

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["status", "title"]
        constraints = [
            models.UniqueConstraint(
                "site", "status", "title", name="services_one_template_title_per_status"
            )
        ]

    def __str__(self):
        return self.title

    def get_status_display(self) -> str:
        from .workflows import status_choices

        return dict(status_choices([self.site_id])).get(self.status, self.status)

    def clean(self):
        from .messages import MESSAGE_PLACEHOLDERS, unknown_placeholders

        unknown = unknown_placeholders(self.body or "")
        if unknown:
            raise ValidationError(
                {
                    "body": _("Unknown placeholder: %(names)s. Use only %(known)s.")
                    % {
                        "names": ", ".join(f"{{{name}}}" for name in unknown),
                        "known": ", ".join(f"{{{name}}}" for name in MESSAGE_PLACEHOLDERS),
                    }
                }
            )


@register_setting(icon="form")
class ServiceSettings(CachedSiteSetting, BaseSiteSetting):
    """How the commune numbers and keeps its requests: one row per Wagtail Site."""

    reference_prefix = models.CharField(
        _("prefix of request numbers"),
        max_length=6,
        blank=True,
        validators=[REFERENCE_PREFIX],
        help_text=_(
            "Starts the number of each request, as in CAR-2026-000123. Left empty, "
            "the first three letters of the commune's name."
        ),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("default retention of requests (months)"),
        default=DEFAULT_RETENTION_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(1200)],
        help_text=_(
            "Months a request is kept once decided or closed, for démarches that "
            "set no retention of their own. Then its answers, documents and messages "
            "are erased; its number, démarche, status and dates stay for statistics."
        ),
    )

    messages_signed_by_agent = models.BooleanField(
        _("sign messages with the agent's name"),
        default=False,
        help_text=_(
            "Off, the town hall's messages to citizens are signed with the request's "
            "service, or the town hall. On, the agent's own name is added."
        ),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("reference_prefix"), FieldPanel("messages_signed_by_agent")],
            heading=_("Requests"),
        ),
        MultiFieldPanel([FieldPanel("retention_months")], heading=_("Personal data")),
    ]

    class Meta:
        verbose_name = _("online procedures")
        verbose_name_plural = _("online procedures")

    def __str__(self):
        return str(self.site)

    @property
    def submission_prefix(self) -> str:
        if self.reference_prefix:
            return self.reference_prefix
        # Read for the request, when these settings were, as the pages read them.
        request = getattr(self, "_request", None)
        commune = (
            CommuneSettings.for_request(request) if request else CommuneSettings.for_site(self.site)
        )
        name = commune.official_name or self.site.site_name or self.site.hostname
        letters = "".join(
            c for c in unicodedata.normalize("NFKD", name) if c.isascii() and c.isalpha()
        )
        return (letters[:3] or "REF").upper()


#: The most statuses and transitions a workflow has: more is refused before
#: the forms are built, so that a request cannot make the server build
#: thousands of them.
MOST_STATUSES = 40
MOST_TRANSITIONS = 200


class Workflow(ClusterableModel):
    """A commune's way of processing requests: its statuses, the transitions
    between them, and what happens when a request enters each status.

    Each démarche follows one; a request keeps the workflow it was sent
    under. Every commune has a standard one (``is_standard``), followed by
    the démarches that name none.
    """

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What it is for, for the other staff.")
    )
    is_standard = models.BooleanField(
        _("standard workflow"),
        default=False,
        editable=False,
        help_text=_("Followed by the démarches that name no workflow."),
    )
    #: Changes at every save: the definitions cached by the processes
    #: (``services.workflows``) are keyed by it.
    version = models.UUIDField(default=uuid.uuid4, editable=False)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        InlinePanel(
            "statuses",
            heading=_("Statuses"),
            label=_("Status"),
            min_num=1,
            max_num=MOST_STATUSES,
            help_text=_(
                "The first status is the one a request takes when it is sent. "
                "Drag them to change their order."
            ),
        ),
        InlinePanel(
            "transitions",
            heading=_("Transitions"),
            label=_("Transition"),
            max_num=MOST_TRANSITIONS,
            help_text=_("The buttons agents press to move a request from one status to another."),
        ),
    ]

    class Meta:
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")
        ordering = ["-is_standard", "name"]
        constraints = [
            models.UniqueConstraint("site", "name", name="services_one_workflow_name_per_commune"),
            models.UniqueConstraint(
                "site",
                condition=models.Q(is_standard=True),
                name="services_one_standard_workflow_per_commune",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.version = uuid.uuid4()
        super().save(*args, **kwargs)


class WorkflowStatus(Orderable):
    """A status of a workflow."""

    workflow = ParentalKey(Workflow, on_delete=models.CASCADE, related_name="statuses")
    key = models.CharField(
        _("key"),
        max_length=40,
        validators=[
            RegexValidator(
                KEY_PATTERN,
                _("Lower-case letters, digits and “_”, starting with a letter, e.g. pre_booked."),
            )
        ],
        help_text=_(
            "Stored with each request in this status; it cannot change once requests use it."
        ),
    )
    name = models.CharField(_("name for the agents"), max_length=80)
    citizen_name = models.CharField(
        _("name shown to the citizen"),
        max_length=80,
        blank=True,
        help_text=_(
            "Leave empty to hide this status from the citizen, who keeps seeing the previous one."
        ),
    )
    group = models.CharField(
        _("the request waits for"),
        max_length=12,
        choices=[
            (value, label) for value, label in StatusGroup.choices if value != StatusGroup.DRAFT
        ],
        default=StatusGroup.TO_PROCESS,
    )
    colour = models.CharField(
        _("colour"), max_length=12, choices=StatusColour.choices, default=StatusColour.PURPLE
    )
    needs_message = models.BooleanField(
        _("the agent must write to the citizen why"),
        default=False,
    )
    actions = StreamField(
        action_registry.blocks(),
        verbose_name=_("when a request enters it"),
        blank=True,
        help_text=_("Run in this order, once, each time a request enters the status."),
    )

    panels = [
        FieldPanel("key"),
        FieldPanel("name"),
        FieldPanel("citizen_name"),
        FieldPanel("group"),
        FieldPanel("colour"),
        FieldPanel("needs_message"),
        FieldPanel("actions"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("workflow status")
        verbose_name_plural = _("workflow statuses")
        constraints = [
            models.UniqueConstraint("workflow", "key", name="services_one_status_key_per_workflow")
        ]

    def __str__(self):
        return self.name


class WorkflowTransition(Orderable):
    """A button that moves a request from one status of a workflow to another."""

    workflow = ParentalKey(Workflow, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField(_("from the status"), max_length=40)
    target = models.CharField(_("to the status"), max_length=40)
    label = models.CharField(
        _("button"), max_length=60, help_text=_("What the agent presses, e.g. “Accepter”.")
    )
    who = models.CharField(
        _("who may use it"), max_length=12, choices=Who.choices, default=Who.AGENTS
    )

    panels = [FieldPanel("source"), FieldPanel("target"), FieldPanel("label"), FieldPanel("who")]

    class Meta(Orderable.Meta):
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self):
        return f"{self.source} → {self.target}"


def issued_path(instance, filename):
    return f"issued/{instance.submission.site_id}/{uuid.uuid4().hex}.pdf"


class IssuedDocument(models.Model):
    """A document the town hall issued for a request (attestation, arrêté…),
    in private storage: its citizen downloads it from the request's page."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("request"), on_delete=models.CASCADE, related_name="issued"
    )
    status_change = models.ForeignKey(
        StatusChange, verbose_name=_("issued with"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("number"), max_length=60)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=issued_path, max_length=200
    )
    size = models.PositiveIntegerField(_("size"))
    issued_at = models.DateTimeField(_("issued on"), auto_now_add=True)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["issued_at", "pk"]

    def __str__(self):
        return self.title

    @property
    def file_name(self) -> str:
        from django.utils.text import slugify

        return f"{slugify(self.title) or 'document'}-{self.reference}.pdf"


class RequestDeadline(models.Model):
    """A deadline set by a status's action, fired once by the daily job."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("request"), on_delete=models.CASCADE, related_name="deadlines"
    )
    status_change = models.ForeignKey(
        StatusChange, verbose_name=_("set by"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    due_on = models.DateField(_("due on"), db_index=True)
    remind = models.CharField(_("reminder to"), max_length=12, blank=True)
    remind_address = models.EmailField(_("reminder address"), blank=True)
    reminder = models.TextField(_("reminder"), blank=True)
    move_to = models.CharField(_("then moves to"), max_length=40, blank=True)
    message = models.TextField(_("message to the citizen"), blank=True)
    fired_at = models.DateTimeField(_("fired on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                "status_change", "position", name="services_one_deadline_per_action_run"
            )
        ]

    def __str__(self):
        return f"{self.submission_id}: {self.due_on}"


class ActionRun(models.Model):
    """An action of a status, run once for the change that entered it."""

    status_change = models.ForeignKey(
        StatusChange, verbose_name=_("change"), on_delete=models.CASCADE, related_name="runs"
    )
    position = models.PositiveSmallIntegerField()
    action = models.CharField(_("action"), max_length=40)
    summary = models.CharField(_("what was done"), max_length=300, blank=True)
    ran_at = models.DateTimeField(_("on"), auto_now_add=True)

    class Meta:
        verbose_name = _("action run")
        verbose_name_plural = _("action runs")
        ordering = ["ran_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                "status_change", "position", name="services_one_run_per_action_and_change"
            )
        ]

    def __str__(self):
        return self.summary


class SavedFilter(models.Model):
    """A view of the requests queue that an agent keeps under a name: the
    queue's query string (search, status, démarche, assignment…). It is the
    agent's own and belongs to one commune."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="saved_filters",
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.TextField(_("filters"), blank=True)
    created_at = models.DateTimeField(_("saved on"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class NewRequestAlerts(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately, one e-mail per request")
    DAILY = "daily", _("Once a day, a summary of the day's requests")
    NEVER = "never", _("Never")


DEFAULT_NEW_REQUEST_ALERTS = NewRequestAlerts.DAILY


class AgentAlertSettings(models.Model):
    """How a member of staff wants to hear of new requests they can see.

    Staff who never chose get the daily summary (``DEFAULT_NEW_REQUEST_ALERTS``):
    a town hall expects its agents not to miss a request, and one e-mail a
    day, sent only when requests came in, does not flood an inbox that other
    mail already fills; an agent who wants each request at once, or none,
    says so in their account settings.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member of staff"),
        on_delete=models.CASCADE,
        related_name="alert_settings",
    )
    new_requests = models.CharField(
        _("new requests"),
        max_length=12,
        choices=NewRequestAlerts.choices,
        default=DEFAULT_NEW_REQUEST_ALERTS,
        help_text=_("When to be told by e-mail of the requests sent to the démarches you handle."),
    )
    last_digest_at = models.DateTimeField(
        _("last summary sent on"),
        null=True,
        blank=True,
        help_text=_("The next daily summary lists the requests sent after this time."),
    )

    class Meta:
        verbose_name = _("e-mail alerts")
        verbose_name_plural = _("e-mail alerts")

    def __str__(self):
        return str(self.user)


class DemarcheCopy(models.Model):
    """A démarche a commune installed from the catalogue of démarche models
    (``services.library``): which model, in which version, and the model's
    document as it was then, which what a newer version changes is shown
    against. ``revision_id`` is the page's revision the install (or the last
    update) wrote: a later one means the commune edited its copy."""

    site = models.ForeignKey(
        Site, verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    page = models.OneToOneField(
        ServicePage,
        verbose_name=_("démarche"),
        on_delete=models.CASCADE,
        related_name="catalogue_copy",
    )
    model = models.CharField(_("model"), max_length=100)
    version = models.PositiveIntegerField(_("version of the model"))
    document = models.JSONField(_("document of the model"))
    revision_id = models.PositiveIntegerField(_("revision written from the model"), null=True)
    installed_at = models.DateTimeField(_("installed on"), auto_now_add=True)

    class Meta:
        verbose_name = _("démarche installed from a model")
        verbose_name_plural = _("démarches installed from a model")
        indexes = [models.Index(fields=["site", "model"])]

    def __str__(self):
        return f"{self.page.title} ({self.model}, v{self.version})"
