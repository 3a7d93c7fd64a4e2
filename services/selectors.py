from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from wagtail.models import Site

from cms.tenancy import SEE, communes_for

from .models import (
    Attachment,
    MunicipalService,
    RequestMessage,
    SavedFilter,
    ServicePage,
    Submission,
)
from .policies import SUPERVISE, submission_policy
from .search import search_normalise
from .statuses import OPEN_GROUPS, SubmissionStatus

#: What a staff member's search of requests looks into: one normalised text
#: per request (``services.search``), indexed on PostgreSQL.
SEARCH_FIELDS = ("search_text",)


def submissions_for_site(*, site) -> QuerySet[Submission]:
    return Submission.objects.filter(site=site)


def submissions_for_sites(*, sites) -> QuerySet[Submission]:
    return Submission.objects.filter(site__in=sites)


def submissions_visible_to(*, user, actions=SEE) -> QuerySet[Submission]:
    """Requests sent to the communes where the staff ``user`` holds one of
    ``actions`` (drafts are the citizen's own business), within the user's
    municipal services (``within_services_of``).

    The queue, its counts and search, the dashboard, the exports, a
    request's page and every change to a request start from here."""
    # The communes' ids, not a subquery: the database then reads one
    # commune's requests in the queue's order from its index.
    sites = list(communes_for(user, submission_policy, actions).values_list("pk", flat=True))
    return (
        submissions_for_sites(sites=sites)
        .exclude(status=SubmissionStatus.DRAFT)
        .filter(within_services_of(user=user, sites=sites))
        .select_related(
            "site", "account", "member", "page", "assigned_to", "municipal_service", "workflow"
        )
    )


def within_services_of(*, user, sites=None) -> Q:
    """The requests (of ``sites``, or of any commune) that the staff
    ``user``'s municipal services let them see. In a commune where the user
    belongs to services and is not a supervisor: the requests of those
    services and those of no service. Elsewhere (no service, a supervisor,
    a platform admin): all."""
    if user.is_superuser:
        return Q()
    supervised = communes_for(user, submission_policy, (SUPERVISE,))
    services = MunicipalService.objects.filter(agents=user).exclude(site__in=supervised)
    if sites is not None:
        services = services.filter(site__in=sites)
    services = list(services.values_list("pk", "site_id"))
    if not services:
        return Q()
    bounded = {site for _pk, site in services}
    return (
        ~Q(site__in=bounded)
        | Q(municipal_service__isnull=True)
        | Q(municipal_service__in=[pk for pk, _site in services])
    )


def municipal_services_of(*, sites) -> QuerySet[MunicipalService]:
    """The municipal services of these communes, by name."""
    return MunicipalService.objects.filter(site__in=sites).order_by("name", "pk")


def submissions_matching(requests: QuerySet, query: str) -> QuerySet:
    """Requests whose number, requester's or person concerned's names or
    e-mail, or answers contain every word of the query, whatever its case
    and accents."""
    for word in search_normalise(query).split():
        requests = requests.filter(search_text__contains=word)
    return requests


def procedure_submissions(*, site: Site, page: ServicePage, user=None) -> QuerySet[Submission]:
    """The requests sent to the commune through the démarche, whatever the
    language of the page they were made on; drafts never. With ``user``, only
    those the staff user may export (``submissions_visible_to``)."""
    requests = (
        submissions_visible_to(user=user, actions=("export",))
        if user is not None
        else submissions_for_site(site=site).exclude(status=SubmissionStatus.DRAFT)
    )
    return requests.filter(site=site, page__translation_key=page.translation_key)


def services_by_commune(*, user) -> list[tuple[Site, list[ServicePage]]]:
    """The démarches of each of the staff ``user``'s communes, in the
    commune's own tree (translations of a démarche share its ``translation_key``)."""
    result = []
    communes = communes_for(user, submission_policy).select_related("root_page")
    for site in communes.order_by("site_name"):
        pages = ServicePage.objects.descendant_of(site.root_page).order_by("title")
        result.append((site, list(pages.only("pk", "title", "translation_key"))))
    return result


def open_counts_by_agent(requests: QuerySet) -> dict[int, int]:
    """How many open requests each agent has, in one query."""
    rows = (
        requests.filter(stage__in=OPEN_GROUPS, assigned_to__isnull=False)
        .order_by()
        .values("assigned_to")
        .annotate(count=Count("pk"))
    )
    return {row["assigned_to"]: row["count"] for row in rows}


def submissions_of(*, account) -> QuerySet[Submission]:
    """The requests an account sent, newest first."""
    return (
        Submission.objects.filter(site_id=account.site_id, account=account)
        .exclude(status=SubmissionStatus.DRAFT)
        .select_related("member", "workflow")
        .order_by("-submitted_at", "-pk")
    )


def drafts_of(*, account) -> QuerySet[Submission]:
    return Submission.objects.filter(
        site_id=account.site_id, account=account, status=SubmissionStatus.DRAFT
    ).select_related("page")


def submission_of(*, account, reference: str) -> Submission:
    """A request of the account's own; anything else is a 404."""
    try:
        return (
            Submission.objects.select_related("site", "account", "member", "page_revision")
            .exclude(status=SubmissionStatus.DRAFT)
            .get(site_id=account.site_id, account=account, reference=reference)
        )
    except Submission.DoesNotExist:
        raise Http404 from None


def submission_by_access_key(*, site, key: str) -> Submission:
    """A request made without an account, opened by the link sent to its
    requester; a wrong or altered link is a 404."""
    from .services import access_key_read

    found = access_key_read(key)
    if found is None:
        raise Http404
    pk, nonce = found
    if not nonce:
        raise Http404
    try:
        return (
            Submission.objects.select_related("site", "page_revision")
            .exclude(status=SubmissionStatus.DRAFT)
            .get(pk=pk, site=site, account__isnull=True, access_nonce=nonce)
        )
    except Submission.DoesNotExist:
        raise Http404 from None


def draft_of(*, site, page, account) -> Submission | None:
    """The account's draft of a démarche, the latest if several, with the
    commune, démarche and account asked for: they are not read again."""
    draft = (
        Submission.objects.filter(
            site=site, page=page, account=account, status=SubmissionStatus.DRAFT
        )
        .order_by("-updated_at")
        .first()
    )
    if draft is not None:
        draft.site, draft.page, draft.account = site, page, account
    return draft


def draft_for(*, site, pk, account=None) -> Submission | None:
    draft = Submission.objects.filter(
        pk=pk, site=site, account=account, status=SubmissionStatus.DRAFT
    ).first()
    if draft is not None:
        draft.site = site
    return draft


def sent_submission_for(*, site, page, pk) -> Submission | None:
    """The request just sent from this démarche, by its id kept in the
    session, or None (a draft, another démarche's or another commune's)."""
    return (
        Submission.objects.filter(pk=pk, page=page, site=site)
        .exclude(status=SubmissionStatus.DRAFT)
        .first()
    )


def attachment_of(*, submission: Submission, pk) -> Attachment:
    try:
        return submission.attachments.get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404 from None


def current_attachments(*, submission: Submission) -> dict[str, Attachment]:
    return {a.key: a for a in submission.attachments.filter(current=True)}


def saved_filters_of(*, user) -> QuerySet[SavedFilter]:
    """The queue filters ``user`` saved, in the communes they still see."""
    sites = communes_for(user, submission_policy).values("pk")
    return SavedFilter.objects.filter(owner=user, site__in=sites).select_related("site")


def saved_filter_of(*, user, pk) -> SavedFilter:
    """One of ``user``'s saved filters; anyone else's is a 404."""
    try:
        return saved_filters_of(user=user).get(pk=pk)
    except SavedFilter.DoesNotExist:
        raise Http404 from None


# Counts: what each side has not read or answered.


def message_count(**conditions) -> Coalesce:
    """The number of a request's messages that meet ``conditions``, counted
    by the database in the query that reads the request."""
    counts = (
        RequestMessage.objects.filter(submission=OuterRef("pk"), **conditions)
        .order_by()
        .values("submission")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def with_unread_count(requests: QuerySet) -> QuerySet:
    """Each request with ``unread_messages``: the town hall's messages its
    citizen has not read."""
    return requests.annotate(
        unread_messages=message_count(sender=RequestMessage.Sender.TOWN_HALL, read_at__isnull=True)
    )


def with_message_count(requests: QuerySet) -> QuerySet:
    """Each request with ``message_count``: the messages exchanged about it."""
    return requests.annotate(message_count=message_count())


def unread_messages_of(*, account) -> int:
    """How many of the town hall's messages about the account's requests it
    has not read."""
    return RequestMessage.objects.filter(
        site_id=account.site_id,
        submission__account=account,
        sender=RequestMessage.Sender.TOWN_HALL,
        read_at__isnull=True,
    ).count()


def unanswered_since() -> Subquery:
    """The oldest citizen message of a request with no town-hall message after it."""
    later_answer = RequestMessage.objects.filter(
        submission=OuterRef("submission"),
        sender=RequestMessage.Sender.TOWN_HALL,
        created_at__gt=OuterRef("created_at"),
    )
    return Subquery(
        RequestMessage.objects.filter(
            submission=OuterRef("pk"), sender=RequestMessage.Sender.CITIZEN
        )
        .exclude(Exists(later_answer))
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )


def with_unanswered(requests: QuerySet) -> QuerySet:
    """Each request with ``waiting_since``: when its citizen's oldest message
    still unanswered was sent (None when every one was answered)."""
    return requests.annotate(waiting_since=unanswered_since())
