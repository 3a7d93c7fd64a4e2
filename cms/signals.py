from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import GroupPagePermission, Locale, Page, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from .cache import invalidate_all, invalidate_site
from .pages import forget_locale_languages


def _invalidate_for_page(page):
    site = page.get_site()
    if site is None:
        invalidate_all()
    else:
        invalidate_site(site.pk)


@receiver(page_published)
@receiver(page_unpublished)
@receiver(page_slug_changed)
def invalidate_on_page_change(sender, instance, **kwargs):
    _invalidate_for_page(instance)


@receiver(post_page_move)
@receiver(post_delete, sender=Page)
def invalidate_on_tree_change(sender, instance, **kwargs):
    invalidate_all()


@receiver(post_save)
def invalidate_on_settings_change(sender, instance, **kwargs):
    """Any of a commune's settings, whichever app they belong to, may show on
    its pages (the retention period in a démarche's privacy notice...)."""
    if isinstance(instance, BaseSiteSetting):
        invalidate_site(instance.site_id)


@receiver(post_save, sender=Locale)
@receiver(post_delete, sender=Locale)
def forget_locales(sender, **kwargs):
    forget_locale_languages()


@receiver(post_save, sender=Site)
def invalidate_on_site_change(sender, instance, **kwargs):
    invalidate_site(instance.pk)


@receiver(post_save)
def share_permissions_with_translated_home(sender, instance, created, **kwargs):
    """A commune's home page translated into another language starts a tree of
    its own beside the original; give it the same group permissions, so each
    commune's staff keep working on their commune only."""
    if not created or not isinstance(instance, Page) or instance.depth != 2:
        return
    originals = Page.objects.filter(translation_key=instance.translation_key, depth=2).exclude(
        pk=instance.pk
    )
    for permission in GroupPagePermission.objects.filter(page__in=originals):
        GroupPagePermission.objects.get_or_create(
            group=permission.group, page=instance, permission=permission.permission
        )
