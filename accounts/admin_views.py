"""The agents' screen for citizen accounts in the Wagtail admin.

Agents list the accounts of their commune, look at one with its household, and
validate or reject it, one at a time or as a bulk action. They never create,
edit or delete an account: the citizen owns it. Every view and action starts
from ``citizen_accounts_for(user)``, so an account of a commune the user holds
no permission for is a 404, whatever id is put in the URL.
"""

import re
from collections import defaultdict
from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet, Value
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.encoding import force_str
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, NumberColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import ListingButton
from wagtail.models import Site
from wagtail.permission_policies.sites import SitePermissionPolicy
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from cms.audit import audit

from .extensions import admin_columns, admin_sections
from .models import AccountStatus, CitizenAccount
from .selectors import citizens_for_sites, household_for
from .services import (
    ALREADY_DECIDED,
    REASON_REQUIRED,
    AccountError,
    account_reject,
    account_validate,
)

SEE = ("view", "change")
DECIDE = ("change",)
SEARCH_FIELDS = ("username", "first_name", "last_name", "email")
#: How many identifiers a message names before it says "and N more".
NAMED_IN_MESSAGE = 10
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PHONE_NUMBER = re.compile(r"\+?[\d .()-]+")


class CitizenAccountPermissionPolicy(SitePermissionPolicy):
    """Permissions on citizen accounts, held per commune through
    ``GroupSitePermission`` (see ``cms.services.commune_create``).

    Nobody adds or deletes a citizen account in the admin, not even a platform
    admin: citizens register themselves and erase their own account.
    """

    never_allowed = frozenset({"add", "delete"})

    @cached_property
    def _content_type(self):
        # Django gives a proxy model permissions of its own content type.
        return ContentType.objects.get_for_model(self.auth_model, for_concrete_model=False)

    def _allowed(self, actions):
        return [action for action in actions if action not in self.never_allowed]

    def user_has_any_permission(self, user, actions):
        actions = self._allowed(actions)
        return bool(actions) and super().user_has_any_permission(user, actions)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        actions = self._allowed(actions)
        return bool(actions) and super().user_has_any_permission_for_instance(
            user, actions, instance
        )

    def sites_user_has_any_permission_for(self, user, actions):
        actions = self._allowed(actions)
        if not actions:
            return Site.objects.none()
        return super().sites_user_has_any_permission_for(user, actions)


citizen_account_policy = CitizenAccountPermissionPolicy(CitizenAccount)


def communes_of(user) -> QuerySet[Site]:
    """The communes whose citizen accounts the user may see."""
    return citizen_account_policy.sites_user_has_any_permission_for(user, SEE)


def shows_communes(user) -> bool:
    """Whether the user works for several communes, and so needs to see and
    filter by the commune of each account."""
    return user.is_superuser or communes_of(user).count() > 1


def citizen_accounts_for(user, actions=SEE) -> QuerySet[CitizenAccount]:
    """Citizen accounts of the communes where the user holds one of
    ``actions``, awaiting validation first, oldest first."""
    sites = citizen_account_policy.sites_user_has_any_permission_for(user, actions)
    return citizens_for_sites(sites=sites, model=CitizenAccount).select_related("site")


def search_accounts(accounts: QuerySet, query: str) -> QuerySet:
    """Accounts whose identifier, names or e-mail contain every word of the query."""
    for word in query.split():
        accounts = accounts.filter(
            reduce(or_, (Q(**{f"{field}__icontains": word}) for field in SEARCH_FIELDS))
        )
    return accounts


def spreadsheet_text(value) -> str:
    """Citizens type their own names: a CSV cell that a spreadsheet would run
    as a formula is prefixed with an apostrophe (phone numbers stay as they are)."""
    value = force_str(value)
    if value[:1] in FORMULA_STARTS and not PHONE_NUMBER.fullmatch(value):
        return "'" + value
    return value


def bulk_action_buttons(model, actions: dict) -> list[ListingButton]:
    """The buttons of a listing's own bulk actions (``{action_type: action
    class}``), for screens that leave out the generic snippet ones."""
    return [
        ListingButton(
            action.display_name,
            reverse(
                "wagtail_bulk_action",
                args=[model._meta.app_label, model._meta.model_name, action_type],
            ),
            attrs={"aria-label": action.aria_label, "data-bulk-action-button": ""},
            priority=action.action_priority,
            classname=" ".join(action.classes | {"bulk-action-btn"}),
        )
        for action_type, action in actions.items()
    ]


def _named(accounts) -> str:
    names = [account.username for account in accounts[:NAMED_IN_MESSAGE]]
    more = len(accounts) - len(names)
    if more:
        names.append(ngettext("and %(count)d more", "and %(count)d more", more) % {"count": more})
    return ", ".join(names)


class CitizenAccountFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=AccountStatus.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    site = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Commune"),
        queryset=lambda request: communes_of(request.user).order_by("site_name"),
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = CitizenAccount
        fields = ["status", "site"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is None or not shows_communes(request.user):
            del self.filters["site"]


class AccountStatusColumn(Column):
    cell_template_name = "accounts/admin/status_cell.html"


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejection"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Sent to the citizen in the e-mail that tells them their account is rejected."
        ),
        error_messages={"required": REASON_REQUIRED},
    )


class DecisionLinksMixin:
    """Links to validate or reject an account, for those who may decide on it."""

    validate_url_name = None
    reject_url_name = None

    def decision_links(self, account, next_url="") -> list[tuple[str, str, str]]:
        if account.status != AccountStatus.PENDING or not (
            citizen_account_policy.user_has_any_permission_for_instance(
                self.request.user, DECIDE, account
            )
        ):
            return []
        query = "?" + urlencode({"next": next_url}) if next_url else ""
        return [
            (
                _("Validate"),
                reverse(self.validate_url_name, args=[account.pk]) + query,
                "check",
            ),
            (
                _("Reject"),
                reverse(self.reject_url_name, args=[account.pk]) + query,
                "cross",
            ),
        ]


class CitizenAccountIndexView(DecisionLinksMixin, IndexView):
    custom_field_preprocess = {
        field: {IndexView.FORMAT_CSV: spreadsheet_text}
        for field in ("username", "first_name", "last_name", "email", "phone")
    }

    @cached_property
    def extra_columns(self):
        return admin_columns(self.request)

    def get_base_queryset(self):
        annotations = {}
        for extra in self.extra_columns:
            annotations.update(extra.annotations)
        return citizen_accounts_for(self.request.user).annotate(
            household_size=Count("household_members") + Value(1), **annotations
        )

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return search_accounts(queryset, self.search_query)

    @cached_property
    def columns(self):
        columns = super().columns
        if shows_communes(self.request.user):
            commune = Column(
                "site", label=_("Commune"), accessor="site.site_name", sort_key="site__site_name"
            )
            columns.insert(-2, commune)
        return columns + [extra.column for extra in self.extra_columns]

    def get_add_url(self):
        return None

    def get_edit_url(self, instance):
        return None

    def get_copy_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None

    def get_list_more_buttons(self, instance):
        next_url = self.index_url
        if self.request.GET:
            next_url += "?" + self.request.GET.urlencode()
        return [
            *super().get_list_more_buttons(instance),
            *(
                MenuItem(label, url=url, icon_name=icon, priority=30 + index)
                for index, (label, url, icon) in enumerate(self.decision_links(instance, next_url))
            ),
        ]

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        # Only this screen's own bulk actions: the generic snippet "Delete"
        # does not apply to citizen accounts.
        context["bulk_action_buttons"] = bulk_action_buttons(self.model, BULK_ACTIONS)
        return context


class CitizenAccountInspectView(DecisionLinksMixin, InspectView):
    """The account, its contact details and its household (adults, then
    children), with the decision buttons while it awaits validation."""

    account_fields = [
        "username",
        "status",
        "date_joined",
        "status_changed_at",
        "rejection_reason",
    ]
    contact_fields = [
        "first_name",
        "last_name",
        "birth_date",
        "email",
        "phone",
        "contact_preference",
    ]

    def get_object(self, queryset=None):
        return get_object_or_404(citizen_accounts_for(self.request.user), pk=self.pk)

    def get_page_subtitle(self):
        return self.object.get_full_name() or self.object.username

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.object
        adults, children = household_for(user=account)
        town = f"{account.postcode} {account.city}".strip()
        context.update(
            account=account,
            field={name: self.get_context_for_field(name) for name in self.account_fields},
            contact_fields=[self.get_context_for_field(name) for name in self.contact_fields],
            address=", ".join(part for part in (account.address_line, town) if part),
            adults=adults,
            children=children,
            shows_commune=shows_communes(self.request.user),
            decision_links=self.decision_links(account),
            is_pending=account.status == AccountStatus.PENDING,
            sections=admin_sections(self.request, account),
        )
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit(self.object, "accounts.view", user=request.user)
        return response


class AccountDecisionView(WagtailAdminTemplateMixin, FormView):
    """Validate or reject one account, after a confirmation page."""

    template_name = "accounts/admin/decision.html"
    form_class = forms.Form
    header_icon = "user"
    index_url_name = None
    inspect_url_name = None
    submit_label = ""
    submit_class = ""
    explanation = ""

    def setup(self, request, *args, pk, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(citizen_accounts_for(request.user, DECIDE), pk=pk)

    def decide(self, form) -> None:
        raise NotImplementedError

    def get_success_message(self) -> str:
        raise NotImplementedError

    @cached_property
    def inspect_url(self):
        return reverse(self.inspect_url_name, args=[quote(self.object.pk)])

    def get_page_subtitle(self):
        return self.object.get_full_name() or self.object.username

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(CitizenAccount._meta.verbose_name_plural),
            },
            {"url": self.inspect_url, "label": self.get_page_subtitle()},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_success_url(self):
        return get_valid_next_url_from_request(self.request) or reverse(self.index_url_name)

    def get(self, request, *args, **kwargs):
        if self.object.status != AccountStatus.PENDING:
            messages.error(request, ALREADY_DECIDED)
            return redirect(self.inspect_url)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            account=self.object,
            explanation=self.explanation,
            submit_label=self.submit_label,
            submit_class=self.submit_class,
            cancel_url=get_valid_next_url_from_request(self.request) or self.inspect_url,
            next=get_valid_next_url_from_request(self.request),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            self.decide(form)
        except AccountError as error:
            messages.error(self.request, str(error))
            return redirect(self.inspect_url)
        messages.success(self.request, self.get_success_message())
        return redirect(self.get_success_url())


class AccountValidateView(AccountDecisionView):
    page_title = gettext_lazy("Validate the account")
    submit_label = gettext_lazy("Yes, validate")
    explanation = gettext_lazy(
        "The citizen will receive an e-mail telling them their account is validated: "
        "they can then make requests online."
    )

    def decide(self, form):
        account_validate(account=self.object, by=self.request.user)

    def get_success_message(self):
        return _("Account “%(account)s” validated; the citizen has been told by e-mail.") % {
            "account": self.object.username
        }


class AccountRejectView(AccountDecisionView):
    page_title = gettext_lazy("Reject the account")
    form_class = RejectForm
    submit_label = gettext_lazy("Reject")
    submit_class = "serious"
    explanation = gettext_lazy(
        "The citizen will receive an e-mail telling them their account is rejected, "
        "with the reason written below."
    )

    def decide(self, form):
        account_reject(
            account=self.object, by=self.request.user, reason=form.cleaned_data["reason"]
        )

    def get_success_message(self):
        return _("Account “%(account)s” rejected; the citizen has been told why by e-mail.") % {
            "account": self.object.username
        }


class AccountBulkAction(SnippetBulkAction):
    """A decision on the selected accounts, each through the same service as
    one at a time. Accounts already decided stay as they are and are named in
    an error message."""

    models = [CitizenAccount]
    template_name = "accounts/admin/bulk_decision.html"
    explanation = ""
    submit_label = ""
    submit_class = ""

    def __init__(self, request, model):
        super().__init__(request, model)
        if not get_valid_next_url_from_request(request):
            self.next_url = reverse(CitizenAccount.snippet_viewset.get_url_name("list"))

    def decide(self, account) -> None:
        raise NotImplementedError

    def success_message(self, count: int) -> str:
        raise NotImplementedError

    def _listing(self, accounts):
        """With "select all in listing", the listing's filters and search apply."""
        filters = CitizenAccountFilterSet(self.request.GET, queryset=accounts, request=self.request)
        if filters.is_valid():
            accounts = filters.qs
        return search_accounts(accounts, self.request.GET.get("q", ""))

    @cached_property
    def selected(self) -> list[CitizenAccount]:
        accounts = citizen_accounts_for(self.request.user, DECIDE)
        ids = self.request.GET.getlist("id")
        if "all" in ids:
            return list(self._listing(accounts))
        try:
            pks = {int(pk) for pk in ids}
        except ValueError as error:
            raise Http404 from error
        selected = list(accounts.filter(pk__in=pks))
        if not pks or len(selected) != len(pks):
            # One account of another commune, or none at all: the whole
            # request is refused and nothing changes.
            raise Http404
        return selected

    def get_actionable_objects(self):
        return self.selected, {"items_with_no_access": []}

    def object_context(self, account):
        return {
            "item": account,
            "url": reverse(account.snippet_viewset.get_url_name("inspect"), args=[account.pk]),
            "is_pending": account.status == AccountStatus.PENDING,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            pending=[item for item in context["items"] if item["is_pending"]],
            decided=[item for item in context["items"] if not item["is_pending"]],
            explanation=self.explanation,
            submit_label=self.submit_label,
            submit_class=self.submit_class,
            page_title=self.display_name,
        )
        return context

    @classmethod
    def execute_action(cls, objects, **kwargs):
        action = kwargs["self"]
        done = 0
        action.refused = defaultdict(list)
        for account in objects:
            try:
                action.decide(account)
            except AccountError as error:
                action.refused[str(error)].append(account)
            else:
                done += 1
        return done, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        for reason, accounts in self.refused.items():
            messages.error(
                self.request,
                _("Not changed: %(accounts)s. %(reason)s")
                % {"accounts": _named(accounts), "reason": reason},
            )
        if num_parent_objects:
            return self.success_message(num_parent_objects)
        return None


class ValidateBulkAction(AccountBulkAction):
    display_name = gettext_lazy("Validate")
    action_type = "validate"
    aria_label = gettext_lazy("Validate the selected accounts")
    action_priority = 10
    submit_label = gettext_lazy("Yes, validate")
    explanation = gettext_lazy(
        "Each citizen will receive an e-mail telling them their account is validated."
    )

    def decide(self, account):
        account_validate(account=account, by=self.request.user)

    def success_message(self, count):
        return ngettext(
            "%(count)d account validated; the citizen has been told by e-mail.",
            "%(count)d accounts validated; each citizen has been told by e-mail.",
            count,
        ) % {"count": count}


class RejectBulkAction(AccountBulkAction):
    display_name = gettext_lazy("Reject")
    action_type = "reject"
    aria_label = gettext_lazy("Reject the selected accounts")
    action_priority = 20
    classes = {"serious"}
    form_class = RejectForm
    submit_label = gettext_lazy("Reject")
    submit_class = "serious"
    explanation = gettext_lazy(
        "Each citizen will receive an e-mail telling them their account is rejected, "
        "with the reason written below: it is the same for every selected account."
    )

    def decide(self, account):
        account_reject(
            account=account, by=self.request.user, reason=self.cleaned_form.cleaned_data["reason"]
        )

    def success_message(self, count):
        return ngettext(
            "%(count)d account rejected; the citizen has been told why by e-mail.",
            "%(count)d accounts rejected; each citizen has been told why by e-mail.",
            count,
        ) % {"count": count}


BULK_ACTIONS = {action.action_type: action for action in (ValidateBulkAction, RejectBulkAction)}


def not_found(request, *args, **kwargs):
    raise Http404


class CitizenAccountURLFinder(ModelAdminURLFinder):
    """Admin links to an account open its inspect view: nobody edits it there."""

    inspect_url_name = None

    def construct_edit_url(self, instance):
        return reverse(self.inspect_url_name, args=[quote(instance.pk)])

    def get_edit_url(self, instance):
        if self.user and not citizen_account_policy.user_has_any_permission_for_instance(
            self.user, SEE, instance
        ):
            return None
        return self.construct_edit_url(instance)


class CitizenAccountViewSet(SnippetViewSet):
    """Citizen accounts of the user's communes: list, inspect, export,
    validate and reject. No create, edit, copy, delete, history or chooser."""

    model = CitizenAccount
    icon = "user"
    menu_label = gettext_lazy("Citizen accounts")
    menu_name = "citizen-accounts"
    menu_order = 200
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = CitizenAccountIndexView
    inspect_view_class = CitizenAccountInspectView
    index_template_name = "accounts/admin/index.html"
    inspect_template_name = "accounts/admin/inspect.html"
    list_per_page = 50
    list_display = [
        "username",
        Column("name", label=gettext_lazy("Name"), accessor="get_full_name", sort_key="last_name"),
        "email",
        DateColumn("date_joined", label=gettext_lazy("Registered"), sort_key="date_joined"),
        AccountStatusColumn("get_status_display", label=gettext_lazy("Status"), sort_key="status"),
        NumberColumn(
            "household_size", label=gettext_lazy("Household size"), sort_key="household_size"
        ),
    ]
    filterset_class = CitizenAccountFilterSet
    search_fields = list(SEARCH_FIELDS)
    search_backend_name = None
    list_export = [
        "username",
        "first_name",
        "last_name",
        "email",
        "phone",
        "get_status_display",
        "date_joined",
    ]
    export_headings = {"get_status_display": gettext_lazy("Status")}
    export_filename = "citizen-accounts"
    inspect_view_fields = [
        *CitizenAccountInspectView.account_fields,
        *CitizenAccountInspectView.contact_fields,
    ]

    add_view = edit_view = delete_view = usage_view = staticmethod(not_found)
    history_view = history_results_view = staticmethod(not_found)

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            validate_url_name=self.get_url_name("validate"),
            reject_url_name=self.get_url_name("reject"),
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("validate/<int:pk>/", self.validate_view, name="validate"),
            path("reject/<int:pk>/", self.reject_view, name="reject"),
        ]

    @property
    def validate_view(self):
        return self.construct_view(AccountValidateView)

    @property
    def reject_view(self):
        return self.construct_view(AccountRejectView)

    @property
    def url_finder_class(self):
        return type(
            "_CitizenAccountURLFinder",
            (CitizenAccountURLFinder,),
            {"inspect_url_name": self.get_url_name("inspect")},
        )

    def get_permissions_to_register(self):
        """None: these permissions are granted per commune by
        ``commune_create``, never as global permissions of a group."""
        return Permission.objects.none()

    def register_chooser_viewset(self):
        """No chooser: no admin form picks a citizen account."""
