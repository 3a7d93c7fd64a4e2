from wagtail import hooks
from wagtail.models import Site

from accounts.extensions import AccountTab

from .models import ServiceIndexPage


@hooks.register("register_account_tab")
def services_tab(request):
    site = Site.find_for_request(request)
    index = ServiceIndexPage.objects.live().descendant_of(site.root_page).first() if site else None
    if index is None:
        return None
    index = index.localized
    return AccountTab(name="services", label=index.title, url=index.get_url(request), order=20)
