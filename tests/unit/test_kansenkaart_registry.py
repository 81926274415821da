"""The kansenkaart's supplier registry (issue 17, items 4, 5 and 9) at the service level, on
SQLite and PostgreSQL: every role rule, import (every bad row reported, nothing written; a
good CSV and XLSX import), export without conditions for those who may not read them, the
fictional demo set, and migration 0005 up and down."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from kansenkaart_registry_support import ACME, BRAVO, write_geo
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import sessionmaker

from ketenradar.core.errors import (
    AuthError,
    ConflictError,
    DataError,
    ForbiddenError,
    NotFoundError,
)
from ketenradar.modules.kansenkaart import suppliers as sp
from ketenradar.registry import db, service
from ketenradar.registry.models import AuditEvent, Organisation

PASSWORD = "correct horse battery staple"


@pytest.fixture
def geo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shared = write_geo(tmp_path / "shared")
    monkeypatch.setenv("KETENRADAR_SHARED_DATA", str(shared))
    return shared


@pytest.fixture
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("TIME_COST", "1"), ("MEMORY_KIB", "64"), ("PARALLELISM", "1")):
        monkeypatch.setenv(f"KETENRADAR_ARGON2_{name}", value)


class Registry:
    """An accounts database with users, two suppliers and the memberships of each role."""

    def __init__(self, url: str) -> None:
        db.upgrade(url)
        self.url = url
        self.db: sessionmaker = db.sessions(url)
        users = {
            "ann": "admin",
            "acme": "viewer",
            "bravo": "viewer",
            "zee": "viewer",
            "minister": "viewer",
            "nobody": "viewer",
        }
        self.users = {n: service.create_user(self.db, n, PASSWORD, r) for n, r in users.items()}
        op = sp.Access.cli()
        self.acme = sp.create_supplier(self.db, op, ACME).id
        self.bravo = sp.create_supplier(self.db, op, BRAVO).id
        sp.add_membership(self.db, op, "acme", "company", organisation_id=self.acme)
        sp.add_membership(self.db, op, "bravo", "company", organisation_id=self.bravo)
        sp.add_membership(self.db, op, "zee", "agency", region="zeeland")
        sp.add_membership(self.db, op, "minister", "analyst")

    def who(self, name: str | None) -> sp.Access:
        return sp.access_of(self.db, self.users[name] if name else None)

    def count(self) -> int:
        with self.db() as s:
            return int(s.scalar(select(func.count(Organisation.id))))

    def actions(self) -> list[str]:
        return [e.action for e in service.audit_log(self.db, 1000)]


@pytest.fixture
def reg(accounts_db_url: str, geo: Path, cheap_hashes: None) -> Registry:
    return Registry(accounts_db_url)


def test_location_is_looked_up_from_the_map_data(reg: Registry):
    org = sp.get_supplier(reg.db, reg.who("ann"), reg.acme)
    assert (org.municipality_code, org.corop, org.province) == (
        "GM0718",
        "Overig Zeeland",
        "Zeeland",
    )
    with pytest.raises(sp.RegistryDataError, match="'Atlantis' is no Dutch municipality"):
        sp.create_supplier(
            reg.db,
            sp.Access.cli(),
            ACME.model_copy(update={"municipality": "Atlantis", "kvk": None}),
        )
    with pytest.raises(sp.RegistryDataError, match="differs from the province of Vlissingen"):
        sp.create_supplier(
            reg.db, sp.Access.cli(), ACME.model_copy(update={"province": "Limburg", "kvk": None})
        )


def test_company_reads_and_edits_only_its_own_profile(reg: Registry):
    acme = reg.who("acme")
    assert [o.id for o in sp.list_suppliers(reg.db, acme)] == [reg.acme]
    own = sp.profile_json(sp.get_supplier(reg.db, acme, reg.acme), acme)
    assert own["conditions"].startswith("ACME-SECRET") and own["editable"]
    # another company's profile (and so its conditions) is not found, for reading or editing
    with pytest.raises(NotFoundError):
        sp.get_supplier(reg.db, acme, reg.bravo)
    with pytest.raises(NotFoundError):
        sp.update_supplier(reg.db, acme, reg.bravo, sp.SupplierChange(capacity="x"))
    with pytest.raises(ForbiddenError):  # nor may it add suppliers
        sp.create_supplier(reg.db, acme, BRAVO.model_copy(update={"kvk": None}))
    change = sp.SupplierChange(capacity="20 welders", conditions="ACME-SECRET-2")
    org = sp.update_supplier(reg.db, acme, reg.acme, change)
    assert org.capacity == "20 welders"
    event = service.audit_log(reg.db, 1)[0]
    assert (event.action, event.username, event.target) == (
        "supplier_updated",
        "acme",
        f"supplier/{reg.acme}",
    )
    assert event.detail["fields"] == ["capacity", "conditions"]
    assert "ACME-SECRET-2" not in json.dumps(event.detail)  # the log keeps no confidential text


def test_regional_agency_sees_and_edits_its_region(reg: Registry):
    zee = reg.who("zee")
    assert [o.id for o in sp.list_suppliers(reg.db, zee)] == [reg.acme]
    assert sp.profile_json(sp.get_supplier(reg.db, zee, reg.acme), zee)["conditions"]
    with pytest.raises(NotFoundError):
        sp.get_supplier(reg.db, zee, reg.bravo)
    sp.update_supplier(reg.db, zee, reg.acme, sp.SupplierChange(size_class="large"))
    added = sp.create_supplier(
        reg.db, zee, sp.SupplierProfile(name="Zeeuwse Pompen (test)", municipality="Borsele")
    )
    assert added.province == "Zeeland"
    with pytest.raises(ForbiddenError, match="its own province"):
        sp.create_supplier(reg.db, zee, sp.SupplierProfile(name="X", municipality="Eindhoven"))
    with pytest.raises(ForbiddenError, match="out of its province"):
        sp.update_supplier(reg.db, zee, reg.acme, sp.SupplierChange(municipality="Eindhoven"))
    with pytest.raises(ForbiddenError):
        sp.delete_supplier(reg.db, zee, reg.acme)


def test_analysts_see_everything_and_change_nothing(reg: Registry):
    minister = reg.who("minister")
    seen = sp.list_suppliers(reg.db, minister)
    assert {o.id for o in seen} == {reg.acme, reg.bravo}
    assert all(sp.profile_json(o, minister)["conditions"] for o in seen)
    with pytest.raises(ForbiddenError):
        sp.update_supplier(reg.db, minister, reg.bravo, sp.SupplierChange(capacity="x"))


def test_admins_manage_but_do_not_read_conditions(reg: Registry):
    ann = reg.who("ann")
    seen = [sp.profile_json(o, ann) for o in sp.list_suppliers(reg.db, ann)]
    assert len(seen) == 2 and all(p["conditions"] is None and p["conditions_hidden"] for p in seen)
    with pytest.raises(ForbiddenError):
        sp.add_membership(reg.db, reg.who("zee"), "nobody", "analyst")
    m = sp.add_membership(reg.db, ann, "nobody", "company", organisation_id=reg.bravo)
    assert [o.id for o in sp.list_suppliers(reg.db, reg.who("nobody"))] == [reg.bravo]
    sp.remove_membership(reg.db, ann, m.id)
    assert sp.list_suppliers(reg.db, reg.who("nobody")) == []
    sp.delete_supplier(reg.db, ann, reg.bravo)
    assert reg.count() == 1
    service.delete_user(reg.db, "acme")  # the user's memberships go with it
    assert sp.list_memberships(reg.db, ann) != []
    assert "acme" not in {
        sp.membership_json(m)["username"] for m in sp.list_memberships(reg.db, ann)
    }
    assert {"membership_added", "membership_removed", "supplier_deleted"} <= set(reg.actions())


def test_anonymous_and_members_without_a_role(reg: Registry):
    anon, nobody = reg.who(None), reg.who("nobody")
    assert sp.list_suppliers(reg.db, anon) == []
    with pytest.raises(AuthError):
        sp.get_supplier(reg.db, anon, reg.acme)
    with pytest.raises(AuthError):
        sp.create_supplier(reg.db, anon, BRAVO)
    with pytest.raises(AuthError):
        sp.update_supplier(reg.db, anon, reg.acme, sp.SupplierChange(capacity="x"))
    assert sp.list_suppliers(reg.db, nobody) == []
    with pytest.raises(NotFoundError):
        sp.get_supplier(reg.db, nobody, reg.acme)
    with pytest.raises(ForbiddenError):
        sp.update_supplier(reg.db, nobody, reg.acme, sp.SupplierChange(capacity="x"))


def test_contact_data_is_removable_and_certificates_expire(reg: Registry):
    acme = reg.who("acme")
    assert sp.remove_contact(reg.db, acme, reg.acme).contact_email is None
    past = date.today() - timedelta(days=1)
    change = sp.SupplierChange(
        certifications=[
            sp.Certification(certificate="iso_9001", valid_until=past),
            sp.Certification(certificate="iso_19443"),
        ]
    )
    org = sp.update_supplier(reg.db, acme, reg.acme, change)
    assert sp.profile_json(org, acme)["certifications_held"] == ["iso_19443"]
    with pytest.raises(sp.RegistryDataError, match="'iso_9002' is no certificate"):
        sp.update_supplier(
            reg.db, acme, reg.acme, sp.SupplierChange(certifications=[{"certificate": "iso_9002"}])
        )
    with pytest.raises(ConflictError):
        sp.update_supplier(reg.db, acme, reg.acme, sp.SupplierChange(kvk="76543210"))


MAPPING = sp.ColumnMapping(
    columns={
        "name": "Bedrijf",
        "kvk": "KvK",
        "municipality": "Gemeente",
        "capabilities": "Werkpakketten",
        "certifications": "Certificaten",
        "ambitions": "Ambities",
        "conditions": "Voorwaarden",
    }
)
HEADER = ["Bedrijf", "KvK", "Gemeente", "Werkpakketten", "Certificaten", "Ambities", "Voorwaarden"]


def test_import_rejects_every_bad_row_and_writes_nothing(reg: Registry, tmp_path: Path):
    rows = [
        ["Good One (test)", "11111111", "Borsele", "valves", "iso_9001:2030-01-01", "", ""],
        ["", "22222222", "Vlissingen", "valves", "", "", ""],  # row 3: no name
        ["Bad Kvk", "12ab", "Vlissingen", "valves", "", "", ""],  # row 4
        ["Bad Place", "33333333", "Atlantis", "warp_drive", "iso_9002", "pumps:soon", ""],
        ["Twin", "11111111", "Borsele", "", "", "", ""],  # row 6: KvK of row 2 again
    ]
    path = tmp_path / 'agency\'s "list".csv'
    pd.DataFrame(rows, columns=HEADER).to_csv(path, index=False, sep=";")
    before, events = reg.count(), len(reg.actions())
    with pytest.raises(sp.RegistryDataError) as caught:
        sp.import_file(reg.db, reg.who("zee"), path, MAPPING)
    found = {(p.row, p.field) for p in caught.value.problems}
    assert found == {
        (3, "name"),
        (4, "kvk"),
        (5, "municipality"),
        (5, "capabilities"),
        (5, "certifications"),
        (5, "ambitions"),
        (6, "kvk"),
    }
    assert "row 5, field 'municipality': 'Atlantis' is no Dutch municipality" in str(caught.value)
    assert caught.value.line == 3 and caught.value.field == "name"
    assert reg.count() == before and len(reg.actions()) == events  # nothing written


def test_agency_imports_only_its_province(reg: Registry, tmp_path: Path):
    path = tmp_path / "list.csv"
    rows = [["Elsewhere (test)", "44444444", "Eindhoven", "", "", "", ""]]
    pd.DataFrame(rows, columns=HEADER).to_csv(path, index=False)
    with pytest.raises(sp.RegistryDataError, match="not a province you manage"):
        sp.import_file(reg.db, reg.who("zee"), path, MAPPING)
    with pytest.raises(sp.RegistryDataError, match="in Noord-Brabant, not in Zeeland"):
        sp.import_file(reg.db, sp.Access.cli(), path, MAPPING, region="Zeeland")
    with pytest.raises(ForbiddenError):
        sp.import_file(reg.db, reg.who("acme"), path, MAPPING, region="Zeeland")
    assert reg.count() == 2


def test_good_xlsx_import_adds_and_updates_by_kvk(reg: Registry, tmp_path: Path):
    path = tmp_path / "lijst.xlsx"
    rows = [
        [
            "New Welder (test)",
            "5555555",
            "Borsele",
            "piping; valves",
            "iso_3834",
            "pumps:2031",
            "c1",
        ],
        ["Acme Valves (test)", "01234567", "Vlissingen", "valves", "", "", "new terms"],
    ]
    pd.DataFrame(rows, columns=HEADER).to_excel(path, index=False)  # 5555555: zero lost by Excel
    report = sp.import_file(reg.db, reg.who("zee"), path, MAPPING, dry_run=True)
    assert (len(report.created), len(report.updated), reg.count()) == (1, 1, 2)
    report = sp.import_file(reg.db, reg.who("zee"), path, MAPPING)
    assert (len(report.created), report.updated) == (1, [reg.acme])
    ann = reg.who("ann")
    new = next(o for o in sp.list_suppliers(reg.db, ann) if o.kvk == "05555555")
    assert new.capabilities == ["piping", "valves"] and new.corop == "Overig Zeeland"
    assert new.ambitions == [{"work_package": "pumps", "from_year": 2031}]
    assert sp.get_supplier(reg.db, ann, reg.acme).conditions == "new terms"
    assert reg.actions()[:3] == ["suppliers_imported", "supplier_updated", "supplier_created"]


def test_export_hides_conditions_from_who_may_not_read_them(reg: Registry, tmp_path: Path):
    acme = sp.export_frame(reg.db, reg.who("acme"))
    assert acme["name"].tolist() == ["Acme Valves (test)"]  # a company: its own row only
    text = acme.to_csv()
    assert "BRAVO-SECRET" not in text and "Bravo" not in text
    admin = sp.export_frame(reg.db, reg.who("ann"))
    assert len(admin) == 2 and "conditions" not in admin.columns
    minister = sp.export_frame(reg.db, reg.who("minister"), work_package="civil_structures")
    assert minister["conditions"].tolist() == ["BRAVO-SECRET: advance payment"]
    pumps = sp.export_frame(reg.db, reg.who("minister"), work_package="pumps")  # an ambition
    assert pumps["name"].tolist() == ["Acme Valves (test)"]
    out = sp.write_export(admin, tmp_path / "match's.xlsx")
    back = pd.read_excel(out, dtype=str)
    assert back["certifications_held"].tolist()[0] == "iso_9001"
    assert "conditions" not in back.columns


def test_demo_set_is_fictional_and_replaced(reg: Registry):
    op = sp.Access.cli()
    assert sp.load_demo(reg.db, op, 12) == (0, 12)
    assert sp.load_demo(reg.db, op, 5) == (12, 5)
    demo = [o for o in sp.list_suppliers(reg.db, op) if o.demo]
    assert len(demo) == 5 and reg.count() == 7
    assert all(
        o.name.endswith("(fictitious)") and o.name.startswith("Demo Supplier ") for o in demo
    )
    assert all(o.kvk is None and o.contact_email is None for o in demo)
    assert all(o.conditions.startswith("fictitious") for o in demo)
    with pytest.raises(ForbiddenError):
        sp.load_demo(reg.db, reg.who("zee"), 3)
    assert sp.load_demo(reg.db, op, remove=True) == (5, 0)


def test_without_map_data_the_location_is_kept_as_given(
    accounts_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("KETENRADAR_SHARED_DATA", str(tmp_path / "no-geo-here"))
    db.upgrade(accounts_db_url)
    factory = db.sessions(accounts_db_url)
    profile = sp.SupplierProfile(
        name="Somewhere (test)", municipality="Atlantis", province="fryslân"
    )
    org = sp.create_supplier(factory, sp.Access.cli(), profile)
    assert (org.municipality, org.corop, org.province) == ("Atlantis", None, "Friesland")


def test_profile_documents_are_validated():
    with pytest.raises(ValueError, match="pattern"):
        sp.SupplierProfile(name="x", kvk="1234567a")
    with pytest.raises(ValueError, match="extra"):
        sp.SupplierProfile.model_validate({"name": "x", "turnover": 3})
    with pytest.raises(ValueError, match="'nuclear', 'offshore'"):
        sp.SupplierProfile(name="x", experience=["astrology"])
    with pytest.raises(DataError, match=r"columns\.salary"):
        sp.parse_mapping({"columns": {"name": "N", "salary": "S"}})


def test_migration_0005_up_and_down(accounts_db_url: str, cheap_hashes: None):
    url = accounts_db_url
    db.upgrade(url)
    assert db.current_revision(url) == "0005"
    assert {"kk_organisations", "kk_memberships"} <= set(inspect(db.engine(url)).get_table_names())
    factory = db.sessions(url)
    service.create_user(factory, "alice", PASSWORD, "viewer")
    org = sp.create_supplier(
        factory, sp.Access.cli(), sp.SupplierProfile(name="T", province="Zeeland")
    )
    sp.add_membership(factory, sp.Access.cli(), "alice", "company", organisation_id=org.id)
    db.downgrade(url, "0004")
    assert db.current_revision(url) == "0004"
    names = set(inspect(db.engine(url)).get_table_names())
    assert not {"kk_organisations", "kk_memberships"} & names and "users" in names
    assert service.count_users(factory) == 1
    db.upgrade(url)
    assert db.current_revision(url) == "0005"
    with factory() as s:
        assert s.scalar(select(func.count(Organisation.id))) == 0
        assert s.scalar(select(func.count(AuditEvent.id))) >= 1


def test_cli_import_reports_every_bad_row_and_exits_non_zero(
    geo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from typer.testing import CliRunner

    from ketenradar.interfaces.cli.app import app

    monkeypatch.setenv("KETENRADAR_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / 'an "odd" agency\'s dir'
    folder.mkdir()
    (folder / "map.yaml").write_text(
        "columns: {name: Naam, kvk: KvK, municipality: Gemeente}\n", encoding="utf-8"
    )
    (folder / "list.csv").write_text(
        "Naam,KvK,Gemeente\nOk (test),11111111,Borsele\n,2,Atlantis\n", encoding="utf-8"
    )
    runner = CliRunner()
    base = ["kansenkaart", "suppliers"]
    args = [*base, "import", str(folder / "list.csv"), "--mapping", str(folder / "map.yaml")]
    r = runner.invoke(app, args)
    text = " ".join(r.output.split())
    assert r.exit_code == 4, r.output
    for part in ("row 3, field 'name'", "row 3, field 'kvk'", "row 3, field 'municipality'"):
        assert part in text
    out = folder / "export's.csv"
    r = runner.invoke(app, [*base, "export", "--output", str(out)])
    assert r.exit_code == 0 and pd.read_csv(out).empty  # nothing was written
    r = runner.invoke(app, [*base, "export", "--output", str(folder / "x.json")])
    assert r.exit_code == 2 and "export writes .csv or .xlsx" in " ".join(r.output.split())
    r = runner.invoke(app, [*base, "demo", "--count", "4"])
    assert r.exit_code == 0 and "4 fictional ones added" in r.output
    r = runner.invoke(app, [*base, "export", "--output", str(out), "--conditions"])
    df = pd.read_csv(out)
    assert len(df) == 4 and df["conditions"].str.startswith("fictitious").all()
