"""Division tree: loading the national list, and subtree selection against a plain prefix filter."""


def run(timed):
    from shegong.regions.models import Region, clear_tree_cache
    from shegong.regions.services import load_divisions

    load_seconds = timed(load_divisions, repeat=1)
    yield f"load_regions (first load, {Region.objects.count()} units): {load_seconds * 1000:.0f} ms"
    reload_seconds = timed(load_divisions, repeat=3)
    yield f"load_regions (re-load, nothing changes): {reload_seconds * 1000:.0f} ms; ratio to first load {reload_seconds / load_seconds:.2f}"

    xinjiang = Region.objects.get(code="650000")

    def baseline():
        list(Region.objects.filter(code__startswith="65").values_list("code", flat=True))

    def subtree():
        list(Region.objects.filter(xinjiang.subtree_q("code")).values_list("code", flat=True))

    def subtree_cold():
        clear_tree_cache()
        subtree()

    base = timed(baseline, repeat=50)
    warm = timed(subtree, repeat=50)
    cold = timed(subtree_cold, repeat=10)
    yield f"subtree of 650000 (excludes 兵团 cities): {warm * 1e3:.2f} ms; baseline plain prefix {base * 1e3:.2f} ms; ratio {warm / base:.2f}"
    yield f"subtree with a cold tree cache: {cold * 1e3:.2f} ms; ratio to baseline {cold / base:.2f}"
