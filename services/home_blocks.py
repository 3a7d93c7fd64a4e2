"""What the démarches bring to the commune's home page, through the hooks
of ``home.extensions`` and ``accounts.extensions``: the most used démarches,
their categories, and the citizen's requests and drafts in "Mon espace"."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import translation
from wagtail import hooks

from accounts.decorators import citizen_of

from .account_pages import draft_resume_url
from .catalogue import CATEGORY_PARAMETER, category_slug
from .models import ServiceIndexPage, ServicePage
from .selectors import drafts_of, submissions_of, with_unread_count
from .statuses import StatusGroup

SUMMARY_REQUESTS = 5


@hooks.register("register_home_popular_pages")
def most_used_demarches(*, site, since, limit):
    """The commune's live démarches by the number of requests sent since
    ``since``, then the others by title: a new portal still shows some."""
    return list(
        ServicePage.objects.live()
        .public()
        .descendant_of(site.root_page)
        .filter(locale_id=site.root_page.locale_id)
        .annotate(
            used=Count(
                "submissions",
                filter=Q(submissions__submitted_at__gte=since),
            )
        )
        .order_by("-used", "title")[:limit]
    )


@dataclass(frozen=True)
class Category:
    name: str
    url: str
    count: int
    lang: str = ""


@hooks.register("register_home_categories")
def demarche_categories(request):
    """The categories of the démarches index of the request's commune, in
    its language, each leading to the index showing that category alone."""
    site = getattr(request, "commune", None)
    if site is None:
        return []
    index = ServiceIndexPage.objects.live().descendant_of(site.root_page).first()
    if index is None:
        return []
    index = index.localized
    url = index.get_url(request)
    language = index.locale.language_code
    lang = language if language != translation.get_language() else ""
    return [
        Category(
            name=name,
            url=f"{url}?{urlencode({CATEGORY_PARAMETER: category_slug(name)})}",
            count=len(pages),
            lang=lang,
        )
        for name, pages in index.services_by_category()
    ]


@hooks.register("register_account_summary_panel")
def requests_summary(request):
    """The requests in progress, with their status, and the drafts to finish."""
    account = citizen_of(request)
    if account is None:
        return ""
    in_progress = list(
        with_unread_count(submissions_of(account=account)).exclude(stage=StatusGroup.FINAL)[
            : SUMMARY_REQUESTS + 1
        ]
    )
    drafts = [
        {"draft": draft, "resume_url": draft_resume_url(request, draft)}
        for draft in drafts_of(account=account).order_by("-updated_at")
        if draft.page is not None and draft.page.live
    ]
    if not in_progress and not drafts:
        return ""
    return render_to_string(
        "services/home_summary.html",
        {
            "submissions": in_progress[:SUMMARY_REQUESTS],
            "more": len(in_progress) > SUMMARY_REQUESTS,
            "drafts": drafts[:SUMMARY_REQUESTS],
        },
        request=request,
    )
