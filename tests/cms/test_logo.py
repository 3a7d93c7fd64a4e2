"""The commune's logo in the header: sharp on high-density screens, its
renditions made once per publication."""

import re

import pytest
from django.core.files.images import ImageFile
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from cms.models import LOGO_HEIGHT, CommuneSettings
from demo.logo import draw_logo

CARVIN = {"HTTP_HOST": "carvin.localhost"}
LOGO = re.compile(r'<img [^>]*class="brand__logo"[^>]*>')


def give_logo(site, file) -> None:
    settings = CommuneSettings.for_site(site)
    settings.logo = get_image_model().objects.create(title="Blason", file=file)
    settings.save()


def header_logo(client, path="/") -> dict[str, str]:
    tag = LOGO.search(client.get(path, **CARVIN).content.decode())[0]
    return dict(re.findall(r'(\w+)="([^"]*)"', tag))


def rendition_width(url: str) -> int:
    rendition = (
        get_image_model().get_rendition_model().objects.get(file__endswith=url.rsplit("/", 1)[1])
    )
    return rendition.width


def candidates(srcset: str) -> dict[str, str]:
    return {descriptor: url for url, descriptor in (item.split() for item in srcset.split(", "))}


@pytest.mark.django_db
def test_the_logo_is_sharp_on_a_screen_of_high_density(client, carvin):
    give_logo(carvin, ImageFile(draw_logo("Carvin", "#1d4f91"), name="logo.png"))

    img = header_logo(client)

    assert (img["width"], img["height"]) == (str(LOGO_HEIGHT), str(LOGO_HEIGHT))
    srcset = candidates(img["srcset"])
    assert list(srcset) == ["1x", "2x", "3x"]
    assert srcset["1x"] == img["src"]
    assert rendition_width(srcset["1x"]) == 56
    assert rendition_width(srcset["2x"]) >= 112, "1.75 device pixels per CSS pixel need 98"
    assert rendition_width(srcset["3x"]) == 168


@pytest.mark.django_db
def test_a_small_logo_is_not_offered_at_densities_it_cannot_give(client, carvin):
    give_logo(carvin, get_test_image_file(size=(80, 80)))

    img = header_logo(client)

    assert candidates(img["srcset"]).keys() == {"1x", "2x"}
    assert rendition_width(candidates(img["srcset"])["2x"]) == 80


@pytest.mark.django_db
def test_a_tiny_logo_has_no_srcset(client, carvin):
    give_logo(carvin, get_test_image_file(size=(40, 40)))

    img = header_logo(client)

    assert "srcset" not in img
    assert img["width"] == "40"


@pytest.mark.django_db
def test_the_renditions_are_made_once_per_publication(client, carvin, monkeypatch):
    give_logo(carvin, ImageFile(draw_logo("Carvin", "#1d4f91"), name="logo.png"))
    first = header_logo(client)

    def refuse(*args, **kwargs):
        raise AssertionError("a rendition was looked for at a render")

    monkeypatch.setattr(get_image_model(), "get_renditions", refuse)
    monkeypatch.setattr(get_image_model(), "get_rendition", refuse)

    assert header_logo(client, "/faq/")["srcset"] == first["srcset"]
