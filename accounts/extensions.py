"""Extension points through which other apps add to the citizen's account
pages without ``accounts`` importing them (see DESIGN.md, "Apps").

An app registers, in its ``wagtail_hooks.py``:

- ``register_account_tab``: a function ``(request) -> AccountTab | None``;
  the tab appears in the account's navigation, sorted by ``order``.
- ``register_account_home_panel``: a function ``(request) -> str`` returning
  the HTML of a panel of the "Accueil" tab (an empty string shows nothing).
"""

from dataclasses import dataclass

from wagtail import hooks


@dataclass(frozen=True)
class AccountTab:
    name: str
    label: str
    url: str
    order: int = 100


def account_tabs(request) -> list[AccountTab]:
    tabs = [tab for fn in hooks.get_hooks("register_account_tab") if (tab := fn(request))]
    return sorted(tabs, key=lambda tab: tab.order)


def account_home_panels(request) -> list[str]:
    return [html for fn in hooks.get_hooks("register_account_home_panel") if (html := fn(request))]
