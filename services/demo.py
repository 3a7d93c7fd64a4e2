"""Demo online procedures, added by ``load_demo`` to each demo commune."""

from django.dispatch import receiver

from cms.demo import demo_commune_loaded

from .models import ServiceIndexPage

INDEX_DESCRIPTION = "Les démarches en ligne proposées par la mairie."


@receiver(demo_commune_loaded)
def add_demo_services(sender, site, stdout, **kwargs):
    index = ServiceIndexPage.objects.child_of(site.root_page).get()
    if not index.search_description:
        index.search_description = INDEX_DESCRIPTION
        index.save_revision().publish()
