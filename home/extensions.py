"""Extension points through which other apps fill the home page's blocks
without ``home`` importing them (see DESIGN.md, "Apps").

An app registers, in its ``wagtail_hooks.py``:

- ``register_home_popular_pages``: a function ``(*, site, since, limit) ->
  list[Page]``: the live pages of the commune most used since ``since`` (an
  aware datetime), most used first, at most ``limit``. The "popular
  démarches" block shows them when staff let it compute its list.
- ``register_home_categories``: a function ``(request) -> list`` of objects
  with ``name``, ``url``, ``count`` and ``lang`` attributes: the groups of
  pages (the démarches' categories) in the commune and language of the
  request; ``lang`` is the language of a name not translated into the
  request's (else empty).

The citizen's summary ("Mon espace") comes from the account's own extension
point, ``register_account_summary_panel`` (``accounts.extensions``), which
the home page's template shows.
"""

from wagtail import hooks


def popular_pages(*, site, since, limit: int) -> list:
    pages = []
    for fn in hooks.get_hooks("register_home_popular_pages"):
        for page in fn(site=site, since=since, limit=limit):
            if page not in pages:
                pages.append(page)
    return pages[:limit]


def page_categories(request) -> list:
    return [
        category for fn in hooks.get_hooks("register_home_categories") for category in fn(request)
    ]
