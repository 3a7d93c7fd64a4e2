from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.images import get_image_model_string
from wagtail.models import GroupPagePermission, Locale, Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from .cache import invalidate_all, invalidate_site
from .pages import forget_locale_languages, forget_private_pages
from .tenancy import forget_sites


def _now_and_on_commit(forget) -> None:
    """At once, for the rest of the transaction, and again once it commits:
    a list computed by another request before the commit never outlives it."""
    forget()
    transaction.on_commit(forget)


def _invalidate_for_page(page):
    if page.depth <= 2:
        _now_and_on_commit(forget_sites)
    site = page.get_site()
    if site is None:
        _now_and_on_commit(invalidate_all)
    else:
        _now_and_on_commit(partial(invalidate_site, site.pk))


@receiver(page_published)
@receiver(page_unpublished)
@receiver(page_slug_changed)
def invalidate_on_page_change(sender, instance, **kwargs):
    _invalidate_for_page(instance)


@receiver(post_page_move)
@receiver(post_delete, sender=Page)
def invalidate_on_tree_change(sender, instance, **kwargs):
    _now_and_on_commit(forget_sites)
    _now_and_on_commit(invalidate_all)
    _now_and_on_commit(forget_private_pages)


@receiver(post_save)
def invalidate_on_settings_change(sender, instance, **kwargs):
    """Any of a commune's settings, whichever app they belong to, may show on
    its pages (the retention period in a démarche's privacy notice...)."""
    if isinstance(instance, BaseSiteSetting):
        _now_and_on_commit(partial(invalidate_site, instance.site_id))


@receiver(post_save, sender=get_image_model_string())
def invalidate_on_logo_change(sender, instance, **kwargs):
    """The layout keeps the address of the commune's logo (``portal_navigation``)."""
    from .models import CommuneSettings

    for site_id in CommuneSettings.objects.filter(logo=instance).values_list("site_id", flat=True):
        _now_and_on_commit(partial(invalidate_site, site_id))


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def invalidate_on_privacy_change(sender, instance, **kwargs):
    """A page made private must leave the anonymous page cache (``cms.cache``)
    and the list of private pages (``cms.pages``) once the change is saved."""
    _now_and_on_commit(forget_private_pages)
    _now_and_on_commit(invalidate_all)


@receiver(post_save)
def forget_private_pages_on_alias(sender, instance, **kwargs):
    if isinstance(instance, Page) and instance.alias_of_id:
        _now_and_on_commit(forget_private_pages)


@receiver(post_save, sender=Locale)
@receiver(post_delete, sender=Locale)
def forget_locales(sender, **kwargs):
    forget_locale_languages()


@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
def invalidate_on_site_change(sender, instance, **kwargs):
    _now_and_on_commit(forget_sites)
    _now_and_on_commit(partial(invalidate_site, instance.pk))


@receiver(post_save)
def share_permissions_with_translated_home(sender, instance, created, **kwargs):
    """A commune's home page translated into another language starts a tree of
    its own beside the original; give it the same group permissions, so each
    commune's staff keep working on their commune only. Any other page
    translated gets the permissions its original has (the supervisors'
    publishing of démarches under the services index), whenever it is
    translated."""
    if kwargs.get("raw") or not created or not isinstance(instance, Page):
        return
    if (instance.depth or 0) < 2:
        return
    originals = Page.objects.filter(
        translation_key=instance.translation_key, depth=instance.depth
    ).exclude(pk=instance.pk)
    for permission in GroupPagePermission.objects.filter(page__in=originals):
        GroupPagePermission.objects.get_or_create(
            group=permission.group, page=instance, permission=permission.permission
        )
