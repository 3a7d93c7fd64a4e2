"""The demo communes' home pages: built from the blocks staff use, with a
current banner, the town hall's hours and a closure, in French and, for
Carvin, in English."""

CARVIN = "carvin.localhost"
SAINT_ANDRE = "saint-andre-des-eaux.localhost"


def test_each_demo_home_page_shows_its_blocks(demo, client):
    for host, banner in ((CARVIN, "Travaux rue Jean-Jaurès"), (SAINT_ANDRE, "route de Guérande")):
        html = client.get("/", HTTP_HOST=host).content.decode()

        assert banner in html
        assert "Élections" not in html  # its banner starts later
        assert 'action="/recherche/"' in html
        assert html.count('class="tile"') >= 6
        assert "Horaires de la mairie" in html and "Fermeture exceptionnelle" in html
        assert "bientôt" not in html


def test_the_english_demo_home_page_is_in_english(demo, client):
    html = client.get("/en/", HTTP_HOST=CARVIN).content.decode()

    assert "Road works on rue Jean-Jaurès" in html
    assert "Most requested procedures" in html
    assert "Town hall opening hours" in html
    assert "Travaux rue" not in html and "Horaires de la mairie" not in html


def test_loading_the_demo_again_keeps_the_home_pages_as_staff_left_them(demo):
    import io

    from django.core.management import call_command

    from home.models import HomePage

    before = {page.pk: page.latest_revision_id for page in HomePage.objects.all()}
    call_command("load_demo", stdout=io.StringIO())

    assert {page.pk: page.latest_revision_id for page in HomePage.objects.all()} == before
