"""The régies' part of a commune file (``cms.commune_file``): each régie's
name, payment backend and the backend's settings that are no secret.

A régie imported into a new commune is closed to online payment and
incomplete: its secret settings are named in the file's list of what to
enter again, and a person opens it once they are entered. Replacing a
commune's configuration keeps a régie's secrets, and its opening, when it
uses the same backend. Invoices, carts and payments never travel.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.commune_file import UNKNOWN_PART, WRONG_TYPE, Exporter, Importer

from .backends import registry
from .models import Regie

REGIE_KEYS = ("name", "backend", "options")
UNKNOWN_BACKEND = gettext_lazy("This portal has no payment backend “%(backend)s”.")
SECRET_TO_ENTER = gettext_lazy("Régie “%(regie)s”: its setting “%(option)s” (secret).")
REGIE_TO_OPEN = gettext_lazy(
    "Régies: each one is imported closed to online payment; open it once its settings are complete."
)


def regies_export(exporter: Exporter) -> dict:
    regies = []
    for regie in Regie.objects.filter(site=exporter.site).order_by("name"):
        secrets = (
            registry[regie.backend].secret_option_names() if regie.backend in registry else set()
        )
        options = {}
        for name, value in sorted(regie.backend_options.items()):
            if name in secrets:
                if value:
                    exporter.reenter(SECRET_TO_ENTER % {"regie": regie.name, "option": name})
            else:
                options[name] = value
        regies.append({"name": regie.name, "backend": regie.backend, "options": options})
    if regies:
        exporter.reenter(REGIE_TO_OPEN)
    return {"regies": regies}


def regies_import(importer: Importer, part) -> None:
    path = "parts.payments"
    if not isinstance(part, dict) or not isinstance(part.get("regies", []), list):
        importer.error(path, WRONG_TYPE)
    for name in part:
        if name != "regies":
            importer.error(f"{path}.{name}", UNKNOWN_PART)
    for number, entry in enumerate(part.get("regies", [])):
        here = f"{path}.regies[{number}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("options", {}), dict):
            importer.error(here, WRONG_TYPE)
        for name in entry:
            if name not in REGIE_KEYS:
                importer.error(f"{here}.{name}", UNKNOWN_PART)
        values = importer.fields(
            Regie, {k: v for k, v in entry.items() if k != "options"}, ("name", "backend"), here
        )
        if not values.get("name"):
            importer.error(f"{here}.name", WRONG_TYPE)
        if values.get("backend") not in registry:
            importer.error(f"{here}.backend", UNKNOWN_BACKEND % {"backend": values.get("backend")})
        secrets = registry[values["backend"]].secret_option_names()
        options = {k: v for k, v in entry.get("options", {}).items() if k not in secrets}
        regie = Regie.objects.filter(site=importer.site, name=values["name"]).first()
        if regie is None:
            Regie.objects.create(
                site=importer.site,
                name=values["name"],
                backend=values["backend"],
                backend_options=options,
                is_active=False,
            )
            importer.created(_("régie"), values["name"])
            continue
        if regie.backend == values["backend"]:
            kept = {k: v for k, v in regie.backend_options.items() if k in secrets}
            regie.backend_options = {**options, **kept}
        else:
            regie.backend = values["backend"]
            regie.backend_options = options
            regie.is_active = False
        regie.save()
        importer.replaced(_("régie"), regie.name)
