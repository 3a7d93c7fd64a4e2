"""A stand-in for the DGFiP's PayFiP SOAP web service, served on 127.0.0.1.

It answers the operations eopayment's ``payfip_ws`` calls, with the
envelopes and faults of the real service (as its WSDL describes them), and
lets a test decide what became of each operation. The WSDL that eopayment
ships is copied with its service address rewritten to this server
(``wsdl_url``), which the portal is pointed at through ``PAYFIP_WSDL_URL``.
"""

import itertools
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import eopayment
from django.utils import timezone

SERVICE_NS = (
    "http://securite.service.tpa.cp.finances.gouv.fr/services/"
    "mas_securite/contrat_paiement_securise/PaiementSecuriseService"
)
ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>{}</S:Body>'
    "</S:Envelope>"
)
FAULT = (
    "<S:Fault><faultcode>S:Server</faultcode>"
    "<faultstring>fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur</faultstring>"
    '<detail><ns2:FonctionnelleErreur xmlns:ns2="{ns}"><code>{code}</code>'
    "<descriptif>{text}</descriptif><libelle>{text}</libelle><severite>2</severite>"
    "</ns2:FonctionnelleErreur></detail></S:Fault>"
)
FAULT_TEXTS = {
    "P1": "IdOp incorrect.",
    "P5": "Résultat de la transaction non connu.",
}
RESOURCE = Path(eopayment.__file__).parent / "resource"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class FakePayFiP:
    def __init__(self, directory: Path):
        self.operations: dict[str, dict] = {}
        self.calls: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self._ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tpa/services/securite"
        self.wsdl_url = self._rewrite_wsdl(directory)

    def _rewrite_wsdl(self, directory: Path) -> str:
        for source in RESOURCE.iterdir():
            shutil.copy(source, directory / source.name)
        wsdl = directory / "PaiementSecuriseService.wsdl"
        text = re.sub(
            r'<soap:address location="[^"]+"/>',
            f'<soap:address location="{self.url}"/>',
            wsdl.read_text(encoding="utf-8"),
        )
        wsdl.write_text(text, encoding="utf-8")
        return wsdl.as_uri()

    def start(self) -> "FakePayFiP":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- What became of an operation -----------------------------------------

    def decide(self, idop: str, resultrans: str, *, minutes_ago: int = 10, **changes) -> None:
        """P (paid by card), R (refused), A (cancelled), V / Z (direct debit);
        ``changes`` alter what PayFiP then reports (montant, saisie, refdet...)."""
        with self.lock:
            operation = self.operations[idop]
            operation["resultrans"] = resultrans
            operation["when"] = timezone.now() - timedelta(minutes=minutes_ago)
            operation.update(changes)

    def fail(self, idop: str, code: str) -> None:
        with self.lock:
            self.operations.setdefault(idop, {})["fault"] = code

    @property
    def last_idop(self) -> str:
        return list(self.operations)[-1]

    # --- SOAP --------------------------------------------------------------

    def _answer(self, operation: str, arguments: dict) -> tuple[int, str]:
        self.calls.append((operation, arguments))
        if operation == "creerPaiementSecurise":
            idop = f"{next(self._ids):08d}-fake-idop"
            with self.lock:
                self.operations[idop] = {**arguments, "idOp": idop}
            body = f"<ns2:creerPaiementSecuriseResponse xmlns:ns2='{SERVICE_NS}'>"
            body += f"<return><idOp>{idop}</idOp></return></ns2:creerPaiementSecuriseResponse>"
            return 200, ENVELOPE.format(body)
        if operation == "recupererDetailPaiementSecurise":
            idop = arguments.get("idOp", "")
            with self.lock:
                operation_ = dict(self.operations.get(idop, {}))
            code = operation_.get("fault") or (
                "P1" if not operation_ else "P5" if "resultrans" not in operation_ else None
            )
            if code:
                fault = FAULT.format(ns=SERVICE_NS, code=code, text=FAULT_TEXTS.get(code, code))
                return 500, ENVELOPE.format(fault)
            when = operation_["when"].astimezone(ZoneInfo("Europe/Paris"))
            fields = {
                "dattrans": when.strftime("%d%m%Y"),
                "exer": operation_.get("exer", ""),
                "heurtrans": when.strftime("%H%M"),
                "idOp": idop,
                "mel": operation_.get("mel", ""),
                "montant": operation_.get("montant", ""),
                "numauto": "112233" if operation_["resultrans"] in "PV" else "",
                "numcli": operation_.get("numcli", ""),
                "objet": operation_.get("objet", ""),
                "refdet": operation_.get("refdet", ""),
                "resultrans": operation_["resultrans"],
                "saisie": operation_.get("saisie", ""),
            }
            inner = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in fields.items())
            body = f"<ns2:recupererDetailPaiementSecuriseResponse xmlns:ns2='{SERVICE_NS}'>"
            body += f"<return>{inner}</return></ns2:recupererDetailPaiementSecuriseResponse>"
            return 200, ENVELOPE.format(body)
        fault = FAULT.format(ns=SERVICE_NS, code="T1", text="Opération inconnue.")
        return 500, ENVELOPE.format(fault)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                root = ET.fromstring(self.rfile.read(length))  # noqa: S314 (our own client)
                body = next(child for child in root if _local(child.tag) == "Body")
                request = body[0]
                arguments = {}
                for arg in request:
                    for field in arg:
                        arguments[_local(field.tag)] = field.text or ""
                status, answer = fake._answer(_local(request.tag), arguments)
                data = answer.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):
                pass

        return Handler
