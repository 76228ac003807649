from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from shegong.core import dashboard

from .models import Region


@dashboard.register(order=10)
def my_region(request):
    """Officials see their region and how many units lie below it."""
    user = request.user
    if not getattr(user, "is_official", False):
        return None
    region = user.region
    below = (
        Region.objects.unscoped("division tree: public reference data")
        .administered()
        .filter(region.subtree_q("code"))
        .exclude(code=region.code)
    )
    counts = below.aggregate(
        provinces=Count("code", filter=Q(level=1)),
        prefectures=Count("code", filter=Q(level=2)),
        counties=Count("code", filter=Q(level=3)),
    )
    return {"template": "regions/_panel_my_region.html", "title": _("My region"), "region": region, "counts": counts}
