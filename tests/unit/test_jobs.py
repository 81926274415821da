"""The job registry keeps a bounded number of finished jobs."""

from __future__ import annotations

import pytest

from ketenradar.core import jobs as jobs_mod
from ketenradar.core.errors import NotFoundError


def test_oldest_finished_jobs_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KETENRADAR_JOBS_KEPT", "3")
    reg = jobs_mod.Jobs()
    ids = []
    for i in range(6):
        job = reg.submit("test", "ann", lambda job, i=i: {"n": i})
        assert reg.wait(job.id, timeout=10).state == "done"
        ids.append(job.id)
    # the three newest are kept, the older ones are gone
    for old in ids[:3]:
        with pytest.raises(NotFoundError):
            reg.get(old)
    assert [reg.get(i).result for i in ids[3:]] == [{"n": 3}, {"n": 4}, {"n": 5}]
