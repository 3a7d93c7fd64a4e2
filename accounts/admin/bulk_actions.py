"""Validate or reject the selected accounts, each through the same service
as one at a time. Accounts already decided stay as they are and are named in
an error message."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cms.scoped_admin import DECIDE, ScopedBulkAction

from ..models import AccountStatus, CitizenAccount
from ..selectors import accounts_matching, citizen_accounts_visible_to
from ..services import AccountError, account_reject, account_validate
from .filters import CitizenAccountFilterSet
from .forms import RejectForm

#: How many identifiers a message names before it says "and N more".
NAMED_IN_MESSAGE = 10


def _named(accounts) -> str:
    names = [account.username for account in accounts[:NAMED_IN_MESSAGE]]
    more = len(accounts) - len(names)
    if more:
        names.append(ngettext("and %(count)d more", "and %(count)d more", more) % {"count": more})
    return ", ".join(names)


class AccountBulkAction(ScopedBulkAction):
    models = [CitizenAccount]
    template_name = "accounts/admin/bulk_decision.html"
    error_class = AccountError
    filterset_class = CitizenAccountFilterSet
    submit_class = ""

    def get_scoped_queryset(self):
        return citizen_accounts_visible_to(user=self.request.user, actions=DECIDE)

    def search(self, queryset, query):
        return accounts_matching(queryset, query)

    def object_context(self, account):
        return {
            **super().object_context(account),
            "is_pending": account.status == AccountStatus.PENDING,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            pending=[item for item in context["items"] if item["is_pending"]],
            decided=[item for item in context["items"] if not item["is_pending"]],
            submit_class=self.submit_class,
        )
        return context

    def refused_message(self, accounts, reason):
        return _("Not changed: %(accounts)s. %(reason)s") % {
            "accounts": _named(accounts),
            "reason": reason,
        }


class ValidateBulkAction(AccountBulkAction):
    display_name = gettext_lazy("Validate")
    action_type = "validate"
    aria_label = gettext_lazy("Validate the selected accounts")
    action_priority = 10
    submit_label = gettext_lazy("Yes, validate")
    explanation = gettext_lazy(
        "Each citizen will receive an e-mail telling them their account is validated."
    )

    def act(self, account):
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

    def act(self, account):
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
