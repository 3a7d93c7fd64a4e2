from django.test import override_settings


@override_settings(DEBUG=False)
def test_an_unknown_address_gets_the_portals_404_page(client, carvin):
    response = client.get("/nulle-part/", HTTP_HOST="carvin.localhost")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Page introuvable" in html
    assert "Carvin" in html


def test_home_page_leads_to_the_faq_and_the_services(client, carvin):
    html = client.get("/", HTTP_HOST="carvin.localhost").content.decode()

    assert "Bienvenue sur le portail citoyen de Carvin" in html
    assert 'href="/faq/"' in html
    assert 'href="/services/"' in html


def test_footer_links_to_legal_accessibility_and_personal_data_pages(client, demo):
    html = client.get("/faq/", HTTP_HOST="saint-andre-des-eaux.localhost").content.decode()
    footer = html.split('<footer class="site-footer">')[1]

    for slug in ("mentions-legales", "accessibilite", "donnees-personnelles"):
        assert f'href="/{slug}/"' in footer
    assert "44117 Saint-André-des-Eaux" in footer


def test_pages_load_nothing_from_another_origin(client, demo):
    import re

    for path in ("/", "/faq/"):
        html = client.get(path, HTTP_HOST="carvin.localhost").content.decode()
        resources = re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", html)
        external = [tag for tag in resources if re.search(r'(?:src|href)="(?:https?:)?//', tag)]
        assert resources and external == [], path
