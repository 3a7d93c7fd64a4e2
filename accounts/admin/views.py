"""The citizen accounts screen's views: the listing, an account's page with its
household, and the pages that validate or reject one account."""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.db.models import Count, Value
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.snippets.views.snippets import IndexView, InspectView

from cms.audit import audit
from cms.scoped_admin import (
    DECIDE,
    ReadOnlyMixin,
    ScopedIndexMixin,
    ScopedObjectMixin,
    bulk_action_buttons,
)
from cms.spreadsheets import SpreadsheetMixin, spreadsheet_text
from cms.tenancy import shows_communes

from ..extensions import admin_columns, admin_sections
from ..models import AccountStatus, CitizenAccount
from ..policies import citizen_account_policy
from ..selectors import accounts_matching, citizen_accounts_visible_to, household_for
from ..services import ALREADY_DECIDED, AccountError, account_reject, account_validate
from .bulk_actions import BULK_ACTIONS
from .forms import RejectForm


class AccountStatusColumn(Column):
    cell_template_name = "accounts/admin/status_cell.html"


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


class CitizenAccountIndexView(
    DecisionLinksMixin, ReadOnlyMixin, ScopedIndexMixin, SpreadsheetMixin, IndexView
):
    commune_column_at = -2
    custom_field_preprocess = {
        field: {IndexView.FORMAT_CSV: spreadsheet_text}
        for field in ("username", "first_name", "last_name", "email", "phone")
    }

    @cached_property
    def extra_columns(self):
        return admin_columns(self.request)

    def get_scoped_queryset(self):
        annotations = {}
        for extra in self.extra_columns:
            annotations.update(extra.annotations)
        return citizen_accounts_visible_to(user=self.request.user).annotate(
            household_size=Count("household_members") + Value(1), **annotations
        )

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return accounts_matching(queryset, self.search_query)

    @cached_property
    def columns(self):
        return super().columns + [extra.column for extra in self.extra_columns]

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


class CitizenAccountInspectView(DecisionLinksMixin, ReadOnlyMixin, ScopedObjectMixin, InspectView):
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

    def get_scoped_queryset(self):
        return citizen_accounts_visible_to(user=self.request.user)

    def get_page_subtitle(self):
        return self.object.get_full_name() or self.object.username

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
            shows_commune=shows_communes(self.request.user, citizen_account_policy),
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
        self.object = get_object_or_404(
            citizen_accounts_visible_to(user=request.user, actions=DECIDE), pk=pk
        )

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
        "they can then see and pay their household's invoices and change their account "
        "and household (they can already make requests)."
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
