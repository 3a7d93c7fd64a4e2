"""The file cache of the development settings, the demo and the benchmarks
(production uses Redis)."""

from django.core.cache.backends import filebased


class FileBasedCache(filebased.FileBasedCache):
    """Django's file cache, which lists its whole folder on every write to
    learn whether it is full (``_cull``): this one does so once every
    ``cull_every`` writes of a process, so a full cache may hold that many
    entries more per process before it drops some."""

    cull_every = 100

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self.writes_before_cull = 0

    def _cull(self):
        if self.writes_before_cull == 0:
            super()._cull()
            self.writes_before_cull = self.cull_every
        self.writes_before_cull -= 1
