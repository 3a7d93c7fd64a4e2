"""The citizen's account pages that show démarches, through the hooks of
``accounts.extensions``."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks

from accounts.decorators import citizen_of
from accounts.extensions import AccountTab

from .models import ServiceIndexPage, Submission, SubmissionStatus
from .selectors import (
    drafts_of,
    submissions_of,
    submissions_visible_to,
    unread_messages_of,
    with_unread_count,
)

PANEL_REQUESTS = 10


@hooks.register("register_account_tab")
def services_tab(request):
    index = ServiceIndexPage.objects.live().descendant_of(request.commune.root_page).first()
    if index is None:
        return None
    index = index.localized
    return AccountTab(name="services", label=index.title, url=index.get_url(request), order=20)


@hooks.register("register_account_tab")
def submissions_tab(request):
    if citizen_of(request) is None:
        return None
    return AccountTab(
        name="submissions", label=_("Requests"), url=reverse("services:submissions"), order=15
    )


def draft_resume_url(request, draft) -> str:
    page = draft.page
    reached = (draft.progress or {}).get("reached", 1)
    base = page.get_url(request)
    if reached > len(page.steps):
        return base + page.reverse_subpage("review")
    return base + page.reverse_subpage("step", kwargs={"number": max(1, reached)})


@hooks.register("register_account_home_panel")
def submissions_panel(request):
    """The requests sent, each with its status, and the drafts to resume."""
    account = citizen_of(request)
    if account is None:
        return ""
    submissions = list(with_unread_count(submissions_of(account=account))[: PANEL_REQUESTS + 1])
    unread = unread_messages_of(account=account)
    with_unread = []
    if unread:
        # Those the town hall wrote to, even when older than the panel's list.
        with_unread = list(
            with_unread_count(submissions_of(account=account)).filter(unread_messages__gt=0)
        )
    drafts = [
        {
            "draft": draft,
            "resume_url": draft_resume_url(request, draft),
            "discard_url": draft.page.get_url(request) + draft.page.reverse_subpage("discard"),
        }
        for draft in drafts_of(account=account).order_by("-updated_at")
        if draft.page is not None and draft.page.live
    ]
    return render_to_string(
        "services/account_panel.html",
        {
            "submissions": submissions[:PANEL_REQUESTS],
            "unread": unread,
            "with_unread": with_unread,
            "more": len(submissions) > PANEL_REQUESTS,
            "drafts": drafts,
        },
        request=request,
    )


# The agents' screen of citizen accounts: the requests an account already made.


@hooks.register("register_citizen_account_admin_column")
def requests_column(request):
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce
    from wagtail.admin.ui.tables import NumberColumn

    from accounts.extensions import AdminColumn

    sent = (
        Submission.objects.filter(account=OuterRef("pk"))
        .exclude(status=SubmissionStatus.DRAFT)
        .order_by()
        .values("account")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return AdminColumn(
        column=NumberColumn("requests_count", label=_("Requests"), sort_key="requests_count"),
        annotations={"requests_count": Coalesce(Subquery(sent, output_field=IntegerField()), 0)},
    )


@hooks.register("register_citizen_account_admin_section")
def requests_section(request, account):
    requests = (
        submissions_visible_to(user=request.user)
        .filter(account=account)
        .order_by("-submitted_at", "-pk")[:50]
    )
    return render_to_string(
        "services/admin/account_requests.html",
        {
            "requests": requests,
            "inspect_url_name": Submission.snippet_viewset.get_url_name("inspect"),
        },
        request=request,
    )
