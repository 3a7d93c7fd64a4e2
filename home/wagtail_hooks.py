from wagtail import hooks

from .models import HomePage


@hooks.register("register_commune_home_page")
def commune_home_page():
    return HomePage


@hooks.register("register_commune_exchange", order=50)
def commune_file_part():
    from cms.extensions import CommuneExchange

    from .commune_file import home_export, home_import

    return CommuneExchange(key="home", export=home_export, import_=home_import)
