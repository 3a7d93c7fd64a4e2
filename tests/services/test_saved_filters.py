"""An agent keeps filters of the queue under a name, and finds them there."""

import pytest
from django.urls import reverse

from services.models import SavedFilter
from tests.services.factories import service_page
from tests.services.test_back_office import staff
from tests.services.tracking_factories import parent, school_request

LIST = "wagtailsnippets_services_submission:list"
SAVE = "wagtailsnippets_services_submission:save_filter"
DELETE = "wagtailsnippets_services_submission:delete_filter"


@pytest.fixture
def agent(carvin):
    return staff(carvin, "Agents", "marie")


@pytest.fixture
def school(carvin):
    return service_page(carvin)


def saved(owner, site, name="Mes allergies", query="q=arachides&status=all"):
    return SavedFilter.objects.create(owner=owner, site=site, name=name, query=query)


def test_an_agent_saves_the_queue_s_filters_and_opens_them_again(client, carvin, agent, school):
    request = school_request(school, parent(carvin), allergies="Arachides")
    client.force_login(agent)
    query = f"q=arachides&status=all&page={school.pk}&p=2"

    response = client.post(reverse(SAVE), {"name": "Allergies", "query": query})

    assert response.status_code == 302
    kept = SavedFilter.objects.get(owner=agent)
    assert (kept.name, kept.site, kept.query) == (
        "Allergies",
        carvin,
        f"q=arachides&status=all&page={school.pk}",
    )
    queue = client.get(reverse(LIST)).content.decode()
    link = f'href="{reverse(LIST)}?q=arachides&amp;status=all&amp;page={school.pk}"'
    assert link in queue and ">Allergies</a>" in queue
    opened = client.get(f"{reverse(LIST)}?{kept.query}").content.decode()
    assert request.reference in opened


def test_a_saved_filter_keeps_what_still_applies_when_its_demarche_is_gone(
    client, carvin, agent, school
):
    request = school_request(school, parent(carvin), allergies="Arachides")
    kept = saved(agent, carvin, query=f"q=arachides&status=all&page={school.pk}")
    school.delete()
    client.force_login(agent)

    queue = client.get(reverse(LIST)).content.decode()

    assert f'href="{reverse(LIST)}?q=arachides&amp;status=all"' in queue
    assert "no longer applies" in queue
    assert kept.name in queue
    opened = client.get(f"{reverse(LIST)}?q=arachides&status=all").content.decode()
    assert request.reference in opened


def test_saved_filters_are_their_agent_s_own(client, carvin, saint_andre, agent):
    colleague = staff(carvin, "Agents", "paul")
    outsider = staff(saint_andre, "Supervisors", "yvon")
    mine = saved(agent, carvin, name="Le mien")
    client.force_login(colleague)

    assert "Le mien" not in client.get(reverse(LIST)).content.decode()
    assert client.get(reverse(DELETE, args=[mine.pk])).status_code == 404
    assert client.post(reverse(DELETE, args=[mine.pk])).status_code == 404
    client.force_login(outsider)
    assert client.post(reverse(DELETE, args=[mine.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=mine.pk).exists()


def test_an_agent_deletes_a_saved_filter_after_confirming(client, carvin, agent):
    mine = saved(agent, carvin)
    client.force_login(agent)

    assert "Mes allergies" in client.get(reverse(DELETE, args=[mine.pk])).content.decode()
    response = client.post(reverse(DELETE, args=[mine.pk]))

    assert response.status_code == 302 and response["Location"] == reverse(LIST)
    assert not SavedFilter.objects.filter(pk=mine.pk).exists()


def test_a_filter_without_a_name_is_not_saved(client, agent):
    client.force_login(agent)

    client.post(reverse(SAVE), {"name": " ", "query": "status=all"})

    assert not SavedFilter.objects.exists()
