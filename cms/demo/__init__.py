from django.dispatch import Signal

demo_commune_loaded = Signal()
"""Sent by ``load_demo`` for each demo commune once its pages and citizens
exist, with ``site`` and ``stdout``: each app adds its own demo data (and must
leave it unchanged when the command runs again)."""
