import datetime

import pytest

from shegong.core.identifiers import build_id_number
from shegong.workers.models import Person
from tests.factories import official

from .tabular_helpers import codes, csv_bytes, imported, issues

pytestmark = pytest.mark.django_db

HEADER = ["身份证号码", "姓名", "工作地区"]


def test_smoke(tmp_path):
    admin = official("440106")
    rows = [HEADER] + [[build_id_number("440106", datetime.date(1980, 1, 1 + i), 10 + i), f"人{i}", "440106"] for i in range(5)]
    job = imported(tmp_path, admin, "workers", csv_bytes(rows))
    print(job.status, job.error, job.message, issues(job))
    assert job.status == "committed", (job.error, issues(job))
    assert job.committed_new == 5
    assert Person.objects.count() == 5
    again = imported(tmp_path, admin, "workers", csv_bytes(rows))
    assert again.count_unchanged == 5
