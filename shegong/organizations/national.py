"""The organizations app's part of ``manage.py seed_national`` (registered in core.seeding from
OrganizationsConfig.ready): 20,000 organizations at scale 1.0 (8 % of them associations) with valid
credit codes not already stored, and the organizations sample import file (organizations/samples.py)."""

import datetime

from shegong.core import seeding
from shegong.core.synthetic import write_rows

FULL_SCALE = 20_000


def organizations(run):
    from .models import Organization

    generator = run.generator
    rng = generator.rng
    # Credit codes already stored are not generated again.
    generator.seen.update(Organization.objects.values_list("credit_code", flat=True))
    now = datetime.datetime.now(datetime.UTC)

    def rows():
        for index, county in enumerate(generator.pick_counties(run.count(FULL_SCALE))):
            association = rng.random() < 0.08
            prefix = "51" if association else "52"
            kind = "association" if association else "service_organization"
            name = f"{county}{'社会工作协会' if association else '社会工作服务中心'}{index:05d}"
            yield (
                generator.credit_code(county, prefix),
                name,
                kind,
                county,
                generator.name(),
                generator.phone(),
                "active",
                now,
            )

    count = write_rows(
        Organization,
        ("credit_code", "name", "kind", "region_id", "contact_name", "contact_phone", "status", "approved_at"),
        rows(),
    )
    run.log(f"{count:,} organizations")


def register():
    from . import samples

    # After the workers' steps (persons 10, certificates 20): the generator's sequence, and so the data
    # of a given seed, depends on the order.
    seeding.register(seeding.NATIONAL, "organizations", organizations, order=30, help="organizations")
    seeding.register(seeding.SAMPLES, "organizations", samples.write_organization_samples, order=20)
