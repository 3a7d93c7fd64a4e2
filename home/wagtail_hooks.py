from wagtail import hooks

from .models import HomePage


@hooks.register("register_commune_home_page")
def commune_home_page():
    return HomePage
