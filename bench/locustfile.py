"""Citizens of Carvin on the local production stack, for Locust (run by
``bench/load.py`` and ``bench/faults.py``, which prepare the accounts).

Each simulated citizen has an account of their own (``LOAD_CITIZENS``, a JSON
file written by ``bench/load.py``) and comes in visits, as a person does: a
visit starts on the FAQ and the home page, anonymously, then logs in; while
logged in the citizen reads the FAQ, sends a school enrolment with two PDF
documents, or adds two invoices to their cart and pays them at the local test
bank; a visit ends by logging out. The citizen reads each page before the
next (``LOAD_THINK``, "1-3" seconds by default; "0" sends each page as soon
as the previous one answered, as a script would), and waits as long between
tasks.

Every request is written to ``LOAD_EVENTS`` (one JSON object a line: kind,
name, status, ms) and every acknowledged submission and payment too, so that
the rows in the database can be counted against them.
"""

import itertools
import json
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, constant, events, task

CITIZENS = json.loads(Path(os.environ["LOAD_CITIZENS"]).read_text(encoding="utf-8"))
HOST_HEADER = os.environ["LOAD_HOST_HEADER"]
CA_BUNDLE = os.environ["REQUESTS_CA_BUNDLE"]
EVENTS = open(os.environ["LOAD_EVENTS"], "a", encoding="utf-8", buffering=1)  # noqa: SIM115
accounts = itertools.cycle(CITIZENS["citizens"])
PDF = CITIZENS["pdf"].encode("latin-1")
THINK = [float(value) for value in os.environ.get("LOAD_THINK", "1-3").split("-")]


def record(**entry) -> None:
    entry["at"] = time.time()
    EVENTS.write(json.dumps(entry) + "\n")


@events.request.add_listener
def on_request(request_type, name, response_time, response, exception, context, **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    record(
        kind=(context or {}).get("kind", "page"),
        name=name,
        method=request_type,
        status=status,
        ms=response_time,
        error=str(exception) if exception else "",
    )


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Citizen(HttpUser):
    wait_time = between(THINK[0], THINK[-1]) if THINK[-1] else constant(0)

    def on_start(self):
        self.account = next(accounts)
        self.invoices = iter(self.account["invoices"])
        self.client.verify = CA_BUNDLE
        self.client.headers.update(
            {
                "Host": HOST_HEADER,
                "Origin": f"https://{HOST_HEADER}",
                "Referer": f"https://{HOST_HEADER}/",
            }
        )
        self.logged_in = False
        self.start_visit()

    def start_visit(self):
        """Anonymous on the FAQ and the home page (nginx's cache), then logged in."""
        self.client.cookies.clear()
        self.logged_in = False
        self.get("/faq/")
        self.wait()
        self.get("/")
        self.wait()
        self.login()

    def get(self, path, name=None, kind="page", expect=(200,)):
        with self.client.get(
            path,
            name=name or path,
            allow_redirects=False,
            catch_response=True,
            context={"kind": kind},
        ) as response:
            if response.status_code not in expect:
                response.failure(f"{response.status_code}")
            return response

    def post(self, path, data, name, kind="submit", files=None, expect=(302,)):
        data = {**data, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
        with self.client.post(
            path,
            data=data,
            files=files,
            name=name,
            allow_redirects=False,
            catch_response=True,
            context={"kind": kind},
        ) as response:
            if response.status_code not in expect:
                response.failure(f"{response.status_code}")
            return response

    def login(self):
        self.get("/compte/connexion/")
        self.wait()
        response = self.post(
            "/compte/connexion/",
            {"username": self.account["username"], "password": self.account["password"]},
            "login POST",
        )
        self.logged_in = response.status_code == 302

    @task(1)
    def new_visit(self):
        if self.logged_in:
            self.post("/compte/deconnexion/", {}, "logout POST")
        self.wait()
        self.start_visit()

    @task(1)
    def read_faq(self):
        self.get("/faq/", name="/faq/ (logged in)")

    @task(2)
    def send_school_enrolment(self):
        if not self.logged_in:
            self.login()
        if not self.logged_in:
            return
        form = CITIZENS["school"]
        url = form["url"]
        self.get(url, name="démarche intro")
        self.wait()
        steps = [
            form["steps"][0] | {"enfant": str(self.account["child"])},
            form["steps"][1],
            form["steps"][2],
            form["steps"][3],
        ]
        for number, data in enumerate(steps, start=1):
            files = None
            if number == 4:
                files = {
                    "justificatif_domicile": ("facture.pdf", PDF, "application/pdf"),
                    "vaccinations": ("carnet.pdf", PDF, "application/pdf"),
                }
            response = self.post(
                f"{url}etape/{number}/",
                data | {"action": "next"},
                f"step {number} POST",
                files=files,
            )
            if response.status_code != 302:
                return
            self.wait()
        response = self.post(f"{url}verification/", {}, "recap POST (send)")
        if response.status_code == 302 and "envoyee" in response.headers.get("Location", ""):
            record(kind="ack", what="submission", account=self.account["username"])
        self.wait()
        self.get("/compte/", name="Accueil")
        self.wait()
        self.get("/compte/demandes/", name="Demandes")

    @task(2)
    def pay_two_invoices(self):
        if not self.logged_in:
            self.login()
        if not self.logged_in:
            return
        self.get("/paiement/", name="invoices")
        chosen = list(itertools.islice(self.invoices, 2))
        if not chosen:
            return
        for pk in chosen:
            self.wait()
            self.post(f"/paiement/panier/ajouter/{pk}/", {}, "cart add POST")
        self.wait()
        response = self.post("/paiement/panier/payer/", {}, "cart pay POST")
        bank = response.headers.get("Location", "")
        if response.status_code != 302 or "banque-de-test" not in bank:
            return
        bank_path = path_of(bank)
        self.get(bank_path, name="test bank page")
        self.wait()
        response = self.post(bank_path, {"decision": "pay"}, "test bank pay POST")
        back = response.headers.get("Location", "")
        if response.status_code != 302:
            return
        response = self.get(path_of(back), name="bank return", kind="submit", expect=(302,))
        page = response.headers.get("Location", "")
        response = self.get(path_of(page), name="transaction page")
        match = re.search(r"/transaction/([0-9a-f-]{36})/", page)
        if response.status_code == 200 and match:
            record(kind="ack", what="payment", transaction=match.group(1), invoices=chosen)
