import pytest
from django.db import transaction

from services.models import ServiceSettings
from services.services import reference_next
from tests.concurrency import run_together

THREADS = 8
PER_THREAD = 5


@pytest.mark.django_db
def test_reference_is_readable_and_starts_with_the_commune(carvin, saint_andre):
    assert reference_next(site=carvin, year=2026) == "CAR-2026-000001"
    assert reference_next(site=carvin, year=2026) == "CAR-2026-000002"
    assert reference_next(site=saint_andre, year=2026) == "SAI-2026-000001"
    assert reference_next(site=carvin, year=2027) == "CAR-2027-000001"


@pytest.mark.django_db
def test_reference_prefix_chosen_by_the_commune(saint_andre):
    commune = ServiceSettings.for_site(saint_andre)
    commune.reference_prefix = "SADE"
    commune.save()
    assert reference_next(site=saint_andre, year=2026) == "SADE-2026-000001"


@pytest.mark.django_db
def test_reference_uses_the_settings_of_its_own_commune_only(carvin, saint_andre):
    """The settings a request read are used only if they are its commune's."""
    chosen = ServiceSettings.for_site(saint_andre)
    chosen.reference_prefix = "SADE"
    chosen.save()
    assert reference_next(site=saint_andre, year=2026, settings=chosen) == "SADE-2026-000001"
    assert reference_next(site=carvin, year=2026, settings=chosen) == "CAR-2026-000001"


@pytest.fixture
def bare_commune(transactional_db, migrated):
    """A Site and nothing else, on the rows the migrations create."""
    from wagtail.models import Page, Site

    root = Page.get_first_root_node()
    return Site.objects.create(hostname="carvin.test", site_name="Carvin", root_page=root)


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_share_a_number(bare_commune):
    carvin = bare_commune
    references = []

    def submit():
        for _ in range(PER_THREAD):
            with transaction.atomic():
                references.append(reference_next(site=carvin, year=2026))

    errors = run_together(submit, threads=THREADS)

    assert errors == []
    assert len(references) == THREADS * PER_THREAD
    assert len(set(references)) == len(references)
    assert max(references) == f"CAR-2026-{THREADS * PER_THREAD:06d}"
