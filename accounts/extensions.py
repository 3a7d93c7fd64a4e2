"""Extension points through which other apps add to the citizen's account
pages without ``accounts`` importing them (see DESIGN.md, "Apps").

An app registers, in its ``wagtail_hooks.py``:

- ``register_account_tab``: a function ``(request) -> AccountTab | None``;
  the tab appears in the account's navigation, sorted by ``order``.
- ``register_account_home_panel``: a function ``(request) -> str`` returning
  the HTML of a panel of the "Accueil" tab (an empty string shows nothing).
- ``register_account_summary_panel``: a function ``(request) -> str``
  returning the HTML of a short part of the citizen's summary on the
  commune's home page ("Mon espace": requests in progress, drafts, invoices
  to pay), headed by an ``h3``; an empty string when there is nothing to
  say. The home page is then served to that citizen alone, never cached.

And to the agents' screen of citizen accounts in the admin:

- ``register_citizen_account_admin_column``: a function ``(request) ->
  AdminColumn | None``: a column of the accounts listing, with the
  annotations it needs (subqueries: the listing already counts households).
- ``register_citizen_account_admin_section``: a function ``(request,
  account) -> str`` returning the HTML of a section of an account's page.

And to the erasure of unused accounts (``accounts.retention``):

- ``register_account_in_use``: a function ``() -> Q`` selecting the accounts
  (``User`` rows) the app still needs, which are neither warned nor erased
  however long unused.
- ``register_inactive_account_eraser``: a function ``(*, account, now) ->
  int``, run in the erasure's transaction before the account is erased: it
  erases or anonymises what the app keeps of the account and returns the
  number of stored files it deletes.
"""

from dataclasses import dataclass

from wagtail import hooks


@dataclass(frozen=True)
class AccountTab:
    name: str
    label: str
    url: str
    order: int = 100


@dataclass(frozen=True)
class AdminColumn:
    column: object
    annotations: dict


def admin_columns(request) -> list[AdminColumn]:
    return [
        column
        for fn in hooks.get_hooks("register_citizen_account_admin_column")
        if (column := fn(request))
    ]


def admin_sections(request, account) -> list[str]:
    return [
        html
        for fn in hooks.get_hooks("register_citizen_account_admin_section")
        if (html := fn(request, account))
    ]


def account_tabs(request) -> list[AccountTab]:
    tabs = [tab for fn in hooks.get_hooks("register_account_tab") if (tab := fn(request))]
    return sorted(tabs, key=lambda tab: tab.order)


def account_home_panels(request) -> list[str]:
    return [html for fn in hooks.get_hooks("register_account_home_panel") if (html := fn(request))]


def account_summary_panels(request) -> list[str]:
    return [
        html for fn in hooks.get_hooks("register_account_summary_panel") if (html := fn(request))
    ]


def accounts_in_use() -> list:
    return [fn() for fn in hooks.get_hooks("register_account_in_use")]


def inactive_account_erasers() -> list:
    return hooks.get_hooks("register_inactive_account_eraser")
