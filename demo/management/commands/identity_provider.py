from django.core.management.base import BaseCommand
from werkzeug.serving import run_simple

from demo.identity_provider import DEMO_AGENT, DEMO_IDENTITY, PORT, provider


class Command(BaseCommand):
    help = (
        "Serve the demo's local identity provider, which stands in for FranceConnect and "
        "ProConnect (oidc-provider-mock), on localhost. Never run it on a server open to others."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=PORT)

    def handle(self, *args, port, **options):
        self.stdout.write(
            f"Local FranceConnect and ProConnect: http://localhost:{port}/ (test identities: "
            f"{DEMO_IDENTITY.sub} at FranceConnect, {DEMO_AGENT.sub} at ProConnect)"
        )
        run_simple("localhost", port, provider(), threaded=True)
