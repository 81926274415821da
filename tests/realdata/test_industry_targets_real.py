"""Real data: the Dutch EU ETS emissions of the real EUTL export (``../shared/data/ets_eutl``)
against the shipped targets (letter 003's 20 Mt less by 2030 on 2019; the EU ETS's 62 % less
than 2005 by 2030), checked against the yearly totals, and a target scoped to a cluster.

Reads ``$KETENRADAR_SHARED_DATA``; skips when it is missing, except under CI, where it fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import require_shared

from ketenradar import api
from ketenradar.modules.industry.api import clusters, emissions, targets

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = require_shared("ets_eutl")
    data = tmp_path_factory.mktemp("ets_targets") / "store"
    api.add_dataset("ets_eutl", [folder], data_dir=data)
    return data


def test_the_shipped_targets_against_the_real_totals(store: Path) -> None:
    totals = emissions(data_dir=store).tables["emissions"].set_index("year")["verified_t"]
    r = targets(data_dir=store)
    t = r.tables["targets"].set_index("target")
    letter = t.loc["letter_003_industry_20mt"]
    # the base and the latest complete year are the yearly totals of `industry emissions`
    assert letter["baseline_t"] == totals[2019] == 83_750_029
    assert letter["latest_year"] == 2022 and letter["latest_t"] == totals[2022] == 68_507_322
    assert letter["target_t"] == 63_750_029
    assert letter["achieved_pace_t"] == pytest.approx((68_507_322 - 83_750_029) / 3)
    assert letter["required_pace_t"] == pytest.approx((63_750_029 - 68_507_322) / 8)
    assert letter["target_status"] == "on track"
    ets = t.loc["eu_ets_2030_minus_62pct"]
    assert ets["baseline_t"] == totals[2005] == 80_351_292
    assert ets["target_t"] == pytest.approx(80_351_292 * 0.38)
    assert ets["achieved_pace_t"] == pytest.approx((68_507_322 - 80_351_292) / 17)
    assert ets["target_status"] == "off track" and ets["gap_t"] > 30e6
    # 2023-2025 come from the large-installation table only: shown, never used in a pace
    traj = r.tables["trajectory"]
    partial = traj[traj["coverage"] == "large only"]["year"].unique().tolist()
    assert partial == [2023, 2024, 2025]
    assert any("2023, 2024, 2025" in n for n in r.provenance.notes)
    assert any("Project's choices" in n for n in r.provenance.notes)


def test_a_target_scoped_to_a_cluster(store: Path, tmp_path: Path) -> None:
    shared = require_shared("geo/nl").parents[1]
    per = clusters(data_dir=store, shared=shared).tables["clusters"]
    chemelot = per[per["cluster"] == "Chemelot"].set_index("year")["verified_t"]
    f = tmp_path / "chemelot.yaml"
    f.write_text(
        "targets:\n  - {id: chemelot, name: Chemelot, source: test, baseline_year: 2018,"
        " target_year: 2030, reduction_share: 0.5, clusters: [Chemelot]}\n",
        encoding="utf-8",
    )
    row = targets(targets_file=f, data_dir=store, shared=shared).tables["targets"].iloc[0]
    assert row["baseline_t"] == pytest.approx(chemelot[2018])
    assert row["latest_t"] == pytest.approx(chemelot[2022])
    assert row["scope"] == "clusters: Chemelot"
