"""Generated input sent to the admin's forms, filters and exports by a
member of staff of each role: agent, supervisor and communication officer
of each commune, and the platform admin. Dates at the limits of what Python
and the database hold, huge numbers and malformed values in every filter,
the requests' and the accounting exports: never a server error, and a
refused export or form says why.
"""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st
from wagtail.models import Site

from accounts.models import AccountStatus, User
from cms.filters import DATE_OUT_OF_RANGE
from fees.models import RequestPayment
from payments.models import Regie
from services.models import ServicePage, Submission, SubmissionStatus
from tests.fuzzing import (
    EXTREME_NUMBERS,
    FILES,
    KEY_NAME,
    SCALAR_JUNK,
    WRONG_TYPES,
    Fuzzer,
    form_messages,
    hypothesis_settings,
)

HOST = "carvin.localhost"
STAFF = {
    "agent of Carvin": "agent.carvin",
    "supervisor of Carvin": "regie.carvin",
    "communication of Carvin": "com.carvin",
    "agent of Saint-André": "agent.saint-andre",
    "supervisor of Saint-André": "regie.saint-andre",
    "communication of Saint-André": "com.saint-andre",
    "platform admin": "admin",
}
HOST_OF = {name: "saint-andre-des-eaux.localhost" if "André" in name else HOST for name in STAFF}

LIMITS = st.sampled_from(
    [
        "0001-01-01",
        "0001-01-02",
        "1899-12-31",
        "1900-01-01",
        "2999-12-31",
        "3000-01-01",
        "9999-12-30",
        "9999-12-31",
        "10000-01-01",
        "0000-00-00",
        "2024-02-30",
        "01/01/0001",
        "31/12/9999",
        "1/1/1",
        "-1",
        "0",
        "9" * 20,
        str(2**63),
        str(-(2**63) - 1),
        "1e309",
        "NaN",
        "",
    ]
)
ADMIN_VALUE = st.one_of(LIMITS, SCALAR_JUNK, WRONG_TYPES, st.integers().map(str))
DATE_FILTERS = ["submitted_at", "issued_on", "created_at", "timestamp"]
FILTER_KEYS = st.one_of(
    st.sampled_from(
        [
            *(f"{name}_{side}" for name in DATE_FILTERS for side in ("after", "before")),
            "status",
            "payment",
            "assigned",
            "page",
            "site",
            "regie",
            "domain",
            "anomaly",
            "action",
            "user",
            "label",
            "p",
            "q",
            "ordering",
            "export",
            "per_page",
            "text",
        ]
    ),
    KEY_NAME,
)
LISTINGS = [
    "/admin/snippets/services/submission/",
    "/admin/snippets/services/submission/results/",
    "/admin/snippets/payments/invoice/",
    "/admin/snippets/payments/transaction/",
    "/admin/snippets/payments/transaction/results/",
    "/admin/snippets/payments/regie/",
    "/admin/snippets/accounts/citizenaccount/",
    "/admin/snippets/services/messagetemplate/",
    "/admin/snippets/services/workflow/",
    "/admin/snippets/fees/demarchefee/",
    "/admin/reports/agents-actions/",
    "/admin/reports/agents-actions/results/",
    "/admin/reports/processing-register/",
    "/admin/reports/site-history/",
    "/admin/users/",
    "/admin/pages/search/",
    "/admin/documents/",
    "/admin/images/",
    "/admin/payments/accounting-export/",
    "/admin/",
]


def assert_admin_refusal_explained(response) -> None:
    """A form of the admin shown again says what is wrong, with Wagtail's
    own error messages next to the fields."""
    html = response.content.decode()
    messages = form_messages(response)
    assert messages, "the form is shown again without saying why"
    for message in messages:
        assert escape(message) in html, f"{message!r} is not on the page"


def staff_clients() -> dict[str, Client]:
    clients = {}
    for name, username in STAFF.items():
        clients[name] = Client()
        clients[name].force_login(User.objects.get(username=username))
    return clients


@pytest.mark.django_db
def test_admin_filters_and_exports_take_any_value():
    visitors = staff_clients()
    exports = [
        f"/admin/requests/export/{pk}/"
        for pk in ServicePage.objects.live().order_by("pk").values_list("pk", flat=True)[:4]
    ]
    # The preview of the document a status issues reads a status and a text.
    exports += [
        f"/admin/snippets/services/submission/preview/{pk}/"
        for pk in Submission.objects.exclude(status=SubmissionStatus.DRAFT)
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    ]

    @hypothesis_settings(600)
    @given(
        who=st.sampled_from(sorted(STAFF)),
        path=st.sampled_from(LISTINGS + exports),
        query=st.dictionaries(
            FILTER_KEYS, st.one_of(ADMIN_VALUE, st.lists(ADMIN_VALUE, max_size=3)), max_size=4
        ),
    )
    def filters(who, path, query):
        fuzzer = Fuzzer(visitors[who], HOST_OF[who])
        response = fuzzer.send("admin: listings, filters and exports", "get", path, query)
        assert response.status_code in (200, 302, 400, 403, 404)

    filters()


@pytest.mark.django_db
def test_the_accounting_export_explains_each_refusal():
    visitors = staff_clients()
    regies = list(Regie.objects.order_by("pk").values_list("pk", flat=True))

    @hypothesis_settings(100)
    @given(
        who=st.sampled_from(sorted(STAFF)),
        data=st.fixed_dictionaries(
            {
                "regie": st.one_of(st.sampled_from(regies).map(str), ADMIN_VALUE),
                "start": st.one_of(st.dates().map(str), ADMIN_VALUE),
                "end": st.one_of(st.dates().map(str), ADMIN_VALUE),
            }
        ),
    )
    def export(who, data):
        fuzzer = Fuzzer(visitors[who], HOST_OF[who])
        response = fuzzer.send(
            "admin: accounting export", "post", "/admin/payments/accounting-export/", data
        )
        assert response.status_code in (200, 404)
        if response.status_code == 200 and not response["Content-Type"].startswith("text/csv"):
            assert_admin_refusal_explained(response)

    export()


@pytest.mark.django_db
def test_request_and_account_forms_take_any_value():
    visitors = staff_clients()
    site = Site.objects.get(hostname=HOST)
    submission = Submission.objects.filter(site=site).exclude(status=SubmissionStatus.DRAFT).first()
    pending = User.objects.filter(site=site, status=AccountStatus.PENDING).first() or (
        User.objects.filter(site=site).first()
    )
    agents = list(User.objects.filter(site=None).values_list("pk", flat=True))
    prefix = "/admin/snippets/services/submission"
    forms = {
        f"{prefix}/status/{submission.pk}/": {
            "status": st.one_of(st.sampled_from(SubmissionStatus.values), ADMIN_VALUE),
            "requested": st.one_of(ADMIN_VALUE, st.lists(ADMIN_VALUE, max_size=3)),
            "message": ADMIN_VALUE,
            "document_text": ADMIN_VALUE,
            "amount": st.one_of(EXTREME_NUMBERS, ADMIN_VALUE),
            "amount_reason": ADMIN_VALUE,
        },
        f"{prefix}/note/{submission.pk}/": {"text": ADMIN_VALUE},
        f"{prefix}/message/{submission.pk}/": {
            "text": ADMIN_VALUE,
            "files": st.one_of(ADMIN_VALUE, FILES, st.lists(FILES, max_size=2)),
        },
        f"{prefix}/assign/{submission.pk}/": {
            "agent": st.one_of(st.sampled_from(agents).map(str), ADMIN_VALUE)
        },
        f"{prefix}/by-post/{submission.pk}/": {"key": ADMIN_VALUE, "received": ADMIN_VALUE},
        f"/admin/snippets/accounts/citizenaccount/reject/{pending.pk}/": {"reason": ADMIN_VALUE},
    }
    for payment in RequestPayment.objects.order_by("pk")[:2]:
        forms[f"/admin/fees/cancel/{payment.pk}/"] = {
            f"cancel-{payment.pk}-reason": ADMIN_VALUE,
            "reason": ADMIN_VALUE,
        }

    @hypothesis_settings(250)
    @given(
        who=st.sampled_from(sorted(STAFF)),
        path_and_data=st.sampled_from(sorted(forms)).flatmap(
            lambda path: st.tuples(st.just(path), st.fixed_dictionaries(forms[path]))
        ),
        extra=st.dictionaries(KEY_NAME, ADMIN_VALUE, max_size=2),
    )
    def post(who, path_and_data, extra):
        path, data = path_and_data
        fuzzer = Fuzzer(visitors[who], HOST_OF[who])
        response = fuzzer.send("admin: request and account forms", "post", path, {**extra, **data})
        assert response.status_code in (200, 302, 400, 403, 404, 405)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert_admin_refusal_explained(response)

    post()


@pytest.mark.parametrize(
    ("start", "end"),
    [("0001-01-01", "2026-01-31"), ("2026-01-01", "9999-12-31"), ("0001-01-01", "9999-12-31")],
)
def test_the_accounting_export_refuses_dates_out_of_range_with_a_message(start, end):
    client = Client()
    client.force_login(User.objects.get(username="regie.carvin"))
    regie = Regie.objects.filter(site=Site.objects.get(hostname=HOST)).first()

    response = client.post(
        "/admin/payments/accounting-export/",
        {"regie": regie.pk, "start": start, "end": end},
        HTTP_HOST=HOST,
    )

    assert response.status_code == 200
    with translation.override("fr"):
        assert str(DATE_OUT_OF_RANGE) in response.content.decode()
    assert not response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("name", ["submitted_at_after", "submitted_at_before"])
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_the_requests_export_refuses_dates_out_of_range_with_a_message(name, value):
    client = Client()
    client.force_login(User.objects.get(username="regie.carvin"))
    site = Site.objects.get(hostname=HOST)
    page = ServicePage.objects.live().descendant_of(site.root_page).first()

    response = client.get(f"/admin/requests/export/{page.pk}/", {name: value}, HTTP_HOST=HOST)

    assert response.status_code == 400
    with translation.override("fr"):
        assert str(DATE_OUT_OF_RANGE) in response.content.decode()


COUNT = st.one_of(st.sampled_from(["0", "1", "2"]), ADMIN_VALUE)


@pytest.mark.django_db
def test_the_workflow_form_takes_any_value():
    """Statuses and transitions as a supervisor (or anyone) could post them:
    missing or absurd counts, keys, groups, colours, actions, transitions to
    nowhere. Never a server error; a refused workflow says why."""
    visitors = staff_clients()
    sites = [str(pk) for pk in Site.objects.order_by("pk").values_list("pk", flat=True)]
    status = {
        "key": st.one_of(st.sampled_from(["new", "done", "submitted"]), ADMIN_VALUE),
        "name": ADMIN_VALUE,
        "citizen_name": ADMIN_VALUE,
        "group": st.one_of(st.sampled_from(["to_process", "with_citizen", "final"]), ADMIN_VALUE),
        "colour": st.one_of(st.sampled_from(["blue", "green"]), ADMIN_VALUE),
        "actions-count": COUNT,
        "actions-0-type": st.one_of(
            st.sampled_from(["deadline", "document", "email"]), ADMIN_VALUE
        ),
        "actions-0-value-days": ADMIN_VALUE,
        "actions-0-value-move_to": ADMIN_VALUE,
        "ORDER": ADMIN_VALUE,
    }
    transition = {
        "source": st.one_of(st.sampled_from(["new", "done"]), ADMIN_VALUE),
        "target": st.one_of(st.sampled_from(["new", "done"]), ADMIN_VALUE),
        "label": ADMIN_VALUE,
        "who": st.one_of(st.sampled_from(["agents", "supervisors"]), ADMIN_VALUE),
    }

    def prefixed(prefix, fields):
        return {f"{prefix}-{name}": value for name, value in fields.items()}

    data = st.fixed_dictionaries(
        {
            "site": st.one_of(st.sampled_from(sites), ADMIN_VALUE),
            "name": ADMIN_VALUE,
            "statuses-TOTAL_FORMS": COUNT,
            "statuses-INITIAL_FORMS": COUNT,
            "transitions-TOTAL_FORMS": COUNT,
            "transitions-INITIAL_FORMS": COUNT,
            **prefixed("statuses-0", status),
            **prefixed("statuses-1", status),
            **prefixed("transitions-0", transition),
        }
    )

    @hypothesis_settings(150)
    @given(who=st.sampled_from(sorted(STAFF)), data=data)
    def post(who, data):
        fuzzer = Fuzzer(visitors[who], HOST_OF[who])
        response = fuzzer.send(
            "admin: workflow form", "post", "/admin/snippets/services/workflow/add/", data
        )
        assert response.status_code in (200, 302, 400, 403, 404)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert_admin_refusal_explained(response)

    post()


@pytest.mark.django_db
def test_the_price_form_takes_any_value():
    """A démarche's price as anyone could post it: absurd counts, amounts,
    keys of fields the form lacks, choices it does not offer. Never a server
    error; a refused price says why."""
    visitors = staff_clients()
    sites = [str(pk) for pk in Site.objects.order_by("pk").values_list("pk", flat=True)]
    pages = [str(pk) for pk in ServicePage.objects.order_by("pk").values_list("pk", flat=True)]
    regies = [str(pk) for pk in Regie.objects.order_by("pk").values_list("pk", flat=True)]
    keys = st.one_of(st.sampled_from(["salle", "jours", "resident", "metres", ""]), ADMIN_VALUE)
    line = {
        "type": st.one_of(st.just("line"), ADMIN_VALUE),
        "deleted": st.one_of(st.just(""), ADMIN_VALUE),
        "value-label": st.one_of(st.just("{choix} ({quantite} jours)"), ADMIN_VALUE),
        "value-amount": st.one_of(
            st.sampled_from(["10", "0.333", "-5"]), EXTREME_NUMBERS, ADMIN_VALUE
        ),
        "value-choice_field": keys,
        "value-choice_prices-count": COUNT,
        "value-choice_prices-0-value-option": ADMIN_VALUE,
        "value-choice_prices-0-value-amount": st.one_of(EXTREME_NUMBERS, ADMIN_VALUE),
        "value-choice_prices-0-deleted": st.just(""),
        "value-quantity_field": keys,
        "value-condition_field": keys,
        "value-condition_operator": st.one_of(st.sampled_from(["equals", "differs"]), ADMIN_VALUE),
        "value-condition_value": ADMIN_VALUE,
    }
    data = st.fixed_dictionaries(
        {
            "site": st.one_of(st.sampled_from(sites), ADMIN_VALUE),
            "page": st.one_of(st.sampled_from(pages), ADMIN_VALUE),
            "regie": st.one_of(st.sampled_from(regies), ADMIN_VALUE),
            "label": ADMIN_VALUE,
            "when": st.one_of(st.sampled_from(["submission", "request"]), ADMIN_VALUE),
            "pay_within_days": ADMIN_VALUE,
            "lines-count": COUNT,
            **{f"lines-0-{name}": value for name, value in line.items()},
        }
    )

    @hypothesis_settings(60)
    @given(who=st.sampled_from(sorted(STAFF)), data=data)
    def post(who, data):
        fuzzer = Fuzzer(visitors[who], HOST_OF[who])
        response = fuzzer.send(
            "admin: price of a démarche", "post", "/admin/snippets/fees/demarchefee/add/", data
        )
        assert response.status_code in (200, 302, 400, 403, 404)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert_admin_refusal_explained(response)

    post()
