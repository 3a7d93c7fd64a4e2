from cms.filecache import FileBasedCache


def cache_in(folder, max_entries):
    cache = FileBasedCache(str(folder), {"OPTIONS": {"MAX_ENTRIES": max_entries}})
    cache.cull_every = 5
    return cache


def test_the_file_cache_lists_its_folder_once_every_few_writes(tmp_path, monkeypatch):
    cache = cache_in(tmp_path, 1000)
    listings = []
    list_files = cache._list_cache_files
    monkeypatch.setattr(cache, "_list_cache_files", lambda: listings.append(1) or list_files())

    for n in range(20):
        cache.set(f"key-{n}", n)

    assert len(listings) == 4
    assert cache.get("key-19") == 19


def test_a_full_file_cache_still_drops_entries(tmp_path):
    cache = cache_in(tmp_path, 10)

    for n in range(60):
        cache.set(f"key-{n}", n)

    assert len(list(tmp_path.glob("*.djcache"))) <= 10 + cache.cull_every
