"""The education app's part of ``manage.py seed_national`` (registered in core.seeding from
EducationConfig.ready): 30 million study-hour records at scale 1.0 over the persons of this run
(``run.first_person``, left by the workers' step), then every standing refreshed. ``--no-study-records``
(or ``--skip study-records``) leaves the ledger, the largest table, out."""

import datetime

from shegong.core import seeding
from shegong.core.synthetic import write_rows

FULL_SCALE = 30_000_000


def study_records(run):
    from shegong.education.services.ledger import refresh_standings
    from shegong.workers.models import Person

    from .models import StudyRecord

    generator = run.generator
    count = run.count(FULL_SCALE)
    rng = generator.rng
    persons = list(Person.objects.filter(pk__gte=run.first_person).order_by("pk").values_list("pk", flat=True))
    titles = (
        "社会工作伦理与实务",
        "个案管理",
        "小组工作方法",
        "社区营造",
        "督导与评估",
        "儿童保护",
        "养老服务",
        "政策法规",
    )
    forms = ("training", "online", "conference", "training", "online")
    now = datetime.datetime.now(datetime.UTC)
    start = datetime.date(2019, 1, 1)
    span = (generator.today - start).days

    def rows():
        for index in range(count):
            person = persons[rng.randrange(len(persons))]
            hours = rng.choice((2, 3, 4, 6, 8, 12, 16))
            yield (
                person,
                forms[index % len(forms)],
                "import",
                f"SEED-{index}",
                titles[index % len(titles)],
                hours,
                hours,
                start + datetime.timedelta(days=rng.randrange(span)),
                now,
            )

    written = 0
    if persons:  # a run on top of existing data that added nobody (--append with nothing new)
        written = write_rows(
            StudyRecord,
            (
                "person_id",
                "form",
                "source",
                "source_ref",
                "title",
                "hours_claimed",
                "hours_credited",
                "occurred_on",
                "created_at",
            ),
            rows(),
        )
    run.log(f"{written:,} study records; standings")
    refresh_standings()
    run.log("standings refreshed")


def register():
    # After the registrations (order 40) when that app is installed: the standings count hours per
    # registration period.
    seeding.register(
        seeding.NATIONAL, "study-records", study_records, order=50, after=("persons",), help="study-hour ledger"
    )
