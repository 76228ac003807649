"""The person-side employment history (workers.Employment) is carried into organizations.Employment."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from shegong.core import crypto

BEFORE = [("organizations", "0001_initial"), ("workers", "0004_person_checked_by_unindexed")]
AFTER = [("organizations", "0002_employment"), ("workers", "0005_employment_moved_to_organizations")]


@pytest.mark.django_db(transaction=True)
def test_existing_employments_are_copied_current_and_ended():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Region = old_apps.get_model("regions", "Region")
    Organization = old_apps.get_model("organizations", "Organization")
    Person = old_apps.get_model("workers", "Person")
    OldEmployment = old_apps.get_model("workers", "Employment")
    county = Region.objects.get(code="440106") if Region.objects.filter(code="440106").exists() else None
    if county is None:
        province = Region.objects.create(code="44", name="广东省", level="province")
        city = Region.objects.create(code="4401", name="广州市", level="prefecture", parent=province)
        county = Region.objects.create(code="440106", name="天河区", level="county", parent=city)
    organization = Organization.objects.create(
        credit_code="52440106MJL000001X",
        name="天河社工服务中心",
        kind="service_organization",
        region=county,
        contact_name="联系人",
        contact_phone="020-12345678",
        status="active",
    )
    person = Person.objects.create(
        name="李娜",
        id_blind_index=crypto.blind_index("440106199001011234"),
        id_encrypted=crypto.encrypt("440106199001011234"),
        birth_date=datetime.date(1990, 1, 1),
        sex="female",
        region=county,
    )
    OldEmployment.objects.create(
        person=person,
        organization=organization,
        started_on=datetime.date(2019, 1, 1),
        ended_on=datetime.date(2022, 1, 1),
    )
    OldEmployment.objects.create(person=person, organization=organization, started_on=datetime.date(2022, 1, 2))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new_apps = executor.loader.project_state(AFTER).apps
    Employment = new_apps.get_model("organizations", "Employment")
    rows = list(Employment.objects.order_by("started_on").values("staff_name", "status", "ended_on", "confirmed_at"))
    assert [(row["staff_name"], row["status"], row["ended_on"]) for row in rows] == [
        ("李娜", "ended", datetime.date(2022, 1, 1)),
        ("李娜", "active", None),
    ]
    assert all(row["confirmed_at"] for row in rows)

    # Leave the database as the other tests expect it.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
