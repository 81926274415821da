"""View functions of the stockpile page (``/{lang}/stockpile``) and its JSON API
(``POST /api/v1/stockpile/plan``): what a request asks for, the plan it computes (through
:func:`ketenradar.modules.stockpile.api.plan`, and :func:`~ketenradar.modules.stockpile.api.
simulate` for the charts), and what the page, the API, the downloads
and the HTML report show of it.

A request names the items (a comma list of materials or HS6 codes; none: the EU's 2023
critical raw materials; or a packaged bill of materials), the importer, the service level and
the simulation (paths, months, seed), and a scenario: the default "each item's top supplier
halts" with its yearly probability, mean duration, ramp-up and demand response as fields, or
a whole scenario document (YAML/JSON text, e.g. a saved scenario opened in the editor, or a
JSON body).
The page's default of :data:`WEB_PATHS` paths keeps an answer within a few seconds; at most
:data:`WEB_MAX_PATHS`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, SkipValidation, ValidationError

from ketenradar.core.cache import BusyError, ConcurrencyLimit, SingleFlightCache
from ketenradar.core.errors import DataError, ErrorCode, RateLimitedError, UsageError
from ketenradar.core.groups import GroupRegistry, user_groups_file
from ketenradar.core.safe_yaml import load_yaml
from ketenradar.core.settings import settings
from ketenradar.datasets import open_store
from ketenradar.modules.stockpile import api
from ketenradar.modules.stockpile import form as fm
from ketenradar.modules.stockpile.analysis import scenario as scn
from ketenradar.modules.stockpile.candidates import crm_2023_items
from ketenradar.modules.stockpile.plan import REASON_SEPARATOR, prepare

log = logging.getLogger(__name__)

#: Paths of the page's simulation by default (an answer within a few seconds on two cores).
WEB_PATHS = 5_000
#: The most paths a web request may ask for.
WEB_MAX_PATHS = 20_000
#: The longest horizon a web request may ask for, months.
WEB_MAX_MONTHS = 240
#: The most items one request may name.
MAX_ITEMS = 200
#: The longest scenario text the page takes (characters).
MAX_SCENARIO_TEXT = 20_000
CODE = r"^[A-Za-z0-9_.,+ -]+$"
BOM_NAME = r"^[a-z0-9_]{1,60}$"
#: The forms of the advice, in the order the page explains them.
FORMS = ("public", "public_private", "private")
HALT_DEFAULTS = {
    "probability": scn.DEFAULT_PROBABILITY,
    "duration_months": scn.DEFAULT_DURATION_MONTHS,
    "ramp_up_months": scn.DEFAULT_RAMP_UP_MONTHS,
    "demand_response": scn.DEFAULT_DEMAND_RESPONSE,
}


class Halt(BaseModel):
    """The default scenario's parameters: each item's top supplier halts its exports."""

    model_config = ConfigDict(extra="forbid")

    probability: float = Field(
        scn.DEFAULT_PROBABILITY, ge=0, le=1, description="Yearly probability of a halt, 0 to 1"
    )
    duration_months: float = Field(
        scn.DEFAULT_DURATION_MONTHS,
        ge=1,
        le=scn.MAX_DURATION_MONTHS,
        description="Mean duration of a halt, months (geometric)",
    )
    ramp_up_months: float = Field(
        scn.DEFAULT_RAMP_UP_MONTHS,
        ge=0,
        le=scn.MAX_RAMP_UP_MONTHS,
        description="Months in which other supply closes the gap (linearly)",
    )
    demand_response: float = Field(
        scn.DEFAULT_DEMAND_RESPONSE,
        ge=0,
        le=1,
        description="Share of demand that falls away while an item is short, 0 to 1",
    )


class _Common(BaseModel):
    bom: str | None = Field(
        None,
        pattern=BOM_NAME,
        description="A packaged bill of materials (GET /api/v1/bom/packaged): its materials "
        "are the items",
    )
    units_per_year: float | None = Field(
        None, gt=0, le=1e9, description="Units of the BOM's system a year (with bom)"
    )
    importer: str = Field(
        "NLD",
        min_length=2,
        max_length=100,
        pattern=CODE,
        description="The importer: ISO3 (NLD) or a country group (EU27)",
    )
    year: int | None = Field(
        None, ge=1900, le=2100, description="The trade year (default: the latest)"
    )
    service_level: float = Field(
        0.95,
        gt=0,
        lt=1,
        description="Share of the simulated paths on which the stocks serve all demand",
    )
    paths: int = Field(
        WEB_PATHS, ge=100, le=WEB_MAX_PATHS, description="Simulated paths (100 to 20,000)"
    )
    months: int = Field(
        120, ge=12, le=WEB_MAX_MONTHS, description="The horizon, months (12 to 240)"
    )
    seed: int = Field(2026, ge=0, le=2**31 - 1, description="The simulation's seed")


class PlanQuery(_Common):
    """The page's form and the downloads' query: the same fields as the JSON body, flat."""

    model_config = ConfigDict(extra="ignore")

    items: str = Field(
        "",
        max_length=4000,
        description="Comma list of materials (vocabulary names) or HS6 codes; empty: the "
        "EU's 2023 critical raw materials (or the BOM's materials)",
    )
    probability: float = Halt.model_fields["probability"]
    duration_months: float = Halt.model_fields["duration_months"]
    ramp_up_months: float = Halt.model_fields["ramp_up_months"]
    demand_response: float = Halt.model_fields["demand_response"]
    scenario: str | None = Field(
        None,
        max_length=MAX_SCENARIO_TEXT,
        description="A scenario document as YAML or JSON text (instead of the default "
        "scenario's fields)",
    )
    saved: int | None = Field(
        None, ge=1, le=2**31 - 1, description="A saved stockpile scenario to open in the editor"
    )
    fan: str | None = Field(
        None, max_length=80, pattern=CODE, description="The item of the fan chart"
    )


class PlanRequest(_Common):
    """The body of ``POST /api/v1/stockpile/plan``."""

    model_config = ConfigDict(extra="forbid")

    items: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Materials (vocabulary names) or HS6 codes; empty: the EU's 2023 "
        "critical raw materials (or the BOM's materials)",
    )
    halt: Halt = Field(
        default_factory=Halt,
        description="The default scenario's parameters (used when no scenario is given)",
    )
    scenario: SkipValidation[scn.Scenario] | None = Field(
        None,
        description="A disruption scenario (docs/methods/stockpile.md); validated with the "
        "importer's groups, errors name the field (scenario.disruptions[0].suppliers[0].cut)",
    )
    lang: Literal["en", "nl"] = Field(
        "en", description="Language of the labels and of the form advice's reasons"
    )


@dataclass
class Ask:
    """One request for a plan, from the page's query or the API's body."""

    items: list[str]
    importer: str = "NLD"
    year: int | None = None
    bom: str | None = None
    units_per_year: float | None = None
    service_level: float = 0.95
    paths: int = WEB_PATHS
    months: int = 120
    seed: int = 2026
    halt: dict[str, float] = field(default_factory=lambda: dict(HALT_DEFAULTS))
    #: a scenario document (a mapping) or YAML/JSON text; None: the default scenario
    scenario: Any = None
    #: where the scenario came from: "default", "text" or "body"
    scenario_origin: str = "default"
    fan: str | None = None

    def query(self) -> dict[str, Any]:
        """The request as the page's query: only what differs from the defaults."""
        out: dict[str, Any] = {"items": ",".join(self.items)} if self.items else {}
        defaults = Ask(items=[])
        for name in ("importer", "year", "bom", "units_per_year", "service_level", "paths"):
            if getattr(self, name) != getattr(defaults, name):
                out[name] = getattr(self, name)
        for name in ("months", "seed"):
            if getattr(self, name) != getattr(defaults, name):
                out[name] = getattr(self, name)
        if self.scenario_origin == "text":
            out["mode"], out["scenario"] = "document", self.scenario
        elif self.scenario_origin == "default":
            out |= {k: v for k, v in self.halt.items() if v != HALT_DEFAULTS[k]}
        return out

    def body(self, lang: str) -> dict[str, Any]:
        """The request as the JSON body of ``POST /api/v1/stockpile/plan`` (and of its
        downloads): the page's download boxes post it."""
        out: dict[str, Any] = {
            "items": self.items,
            "importer": self.importer,
            "year": self.year,
            "bom": self.bom,
            "units_per_year": self.units_per_year,
            "service_level": self.service_level,
            "paths": self.paths,
            "months": self.months,
            "seed": self.seed,
            "halt": dict(self.halt),
            "lang": lang,
        }
        doc = self.scenario
        if isinstance(doc, str):
            doc = load_yaml(doc, file="scenario", kind="YAML/JSON")
        out["scenario"] = doc
        return {k: v for k, v in out.items() if v is not None}


def split_items(text: str) -> list[str]:
    """The items of a comma (or semicolon, or line) separated list, blanks dropped."""
    parts = [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",")]
    items = list(dict.fromkeys(p for p in parts if p))
    if len(items) > MAX_ITEMS:
        raise UsageError(f"{len(items)} items; at most {MAX_ITEMS}", field="items")
    return items


def ask_of_query(q: PlanQuery) -> Ask:
    """The request the page's query makes."""
    halt = {k: float(getattr(q, k)) for k in HALT_DEFAULTS}
    ask = Ask(
        items=split_items(q.items),
        **{k: getattr(q, k) for k in _Common.model_fields},
        halt=halt,
        fan=q.fan,
    )
    if q.scenario and q.scenario.strip():
        ask.scenario, ask.scenario_origin = q.scenario, "text"
    return ask


def ask_of_body(body: PlanRequest) -> Ask:
    """The request of a JSON body."""
    items = list(dict.fromkeys(s.strip() for s in body.items if s.strip()))
    ask = Ask(
        items=items,
        **{k: getattr(body, k) for k in _Common.model_fields},
        halt=body.halt.model_dump(),
    )
    if body.scenario is not None:
        doc = body.scenario
        ask.scenario = doc.model_dump(mode="json") if isinstance(doc, BaseModel) else doc
        ask.scenario_origin = "body"
    return ask


def query_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """A query's validation errors as the page lists them: the field and what is allowed."""
    out = []
    for e in exc.errors():
        name = ".".join(str(p) for p in e["loc"]) or None
        out.append({"field": name, "detail": f"{e['msg']} (got {e.get('input')!r})"})
    return out


# --- the scenario ------------------------------------------------------------------------------


def _user_groups(data_dir: Path | str | None) -> list[str]:
    store = open_store(data_dir)
    return GroupRegistry(user_groups_file(store.root)).names()


def scenario_of(ask: Ask, data_dir: Path | str | None) -> scn.Scenario | None:
    """The user's scenario, validated before anything is computed (``None``: the default).
    A document that fails names the field (``scenario.disruptions[0].suppliers[0].cut``)."""
    if ask.scenario is None:
        return None
    doc = ask.scenario
    where = "scenario" if ask.scenario_origin == "text" else None
    try:
        if isinstance(doc, str):
            doc = load_yaml(doc, file=where, kind="YAML/JSON")
        return scn.parse_scenario(doc, file=where, groups=_user_groups(data_dir))
    except DataError as exc:
        inner = f"scenario.{exc.field}" if exc.field else "scenario"
        raise DataError(
            exc.reason, file=exc.file, line=exc.line, column=exc.column, field=inner, node=exc.node
        ) from None


def with_halt(default: scn.Scenario, halt: Mapping[str, float]) -> scn.Scenario:
    """The default scenario (each at-risk item's top supplier halts) with the user's yearly
    probability, mean duration, ramp-up and demand response."""
    doc = default.model_dump(mode="json")
    for d in doc["disruptions"]:
        d["probability"] = halt["probability"]
        d["duration"] = {"distribution": "geometric", "months": halt["duration_months"]}
        d["ramp_up_months"] = halt["ramp_up_months"]
    doc["demand_response"] = halt["demand_response"]
    return scn.parse_scenario(doc)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        return _clean(value.item())
    return value


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as JSON-safe records (NaN → None)."""
    return [{k: _clean(v) for k, v in r.items()} for r in df.to_dict(orient="records")]


@dataclass
class Outcome:
    """A computed plan: the result of ``api.plan``, the reasons in each language, the
    simulation's tables (when ``api.simulate`` exists) and what the request was."""

    ask: Ask
    result: Any
    reasons: dict[str, list[list[str]]]
    scenario: dict[str, Any] | None
    sim: Any = None
    items_label: str = "list"


class PlanBusyError(RateLimitedError):
    """Too many different plans are being computed and waiting (429, ``Retry-After``)."""

    code = ErrorCode.BUSY


#: Seconds a refused plan is told to wait (``Retry-After``).
PLAN_RETRY_AFTER = 5


@dataclass
class PlanService:
    """The plans' result cache and their ration of computations (one per process and limits)."""

    cache: SingleFlightCache
    limit: ConcurrencyLimit


_PLANS: dict[tuple[int, int, int], PlanService] = {}
_PLANS_LOCK = threading.Lock()


def plan_service() -> PlanService:
    """The plan cache and ration for the limits set in the environment now
    (``KETENRADAR_MAX_CONCURRENT_PLANS``, ``KETENRADAR_MAX_QUEUED_PLANS``,
    ``KETENRADAR_PLAN_CACHE_SIZE``)."""
    s = settings()
    limits = (s.max_concurrent_plans, s.max_queued_plans, s.plan_cache_size)
    with _PLANS_LOCK:
        svc = _PLANS.get(limits)
        if svc is None:
            _PLANS.clear()
            svc = _PLANS[limits] = PlanService(
                SingleFlightCache(limits[2], name="stock plan"), ConcurrencyLimit(*limits[:2])
            )
        return svc


def _data_version(data_dir: Path | str | None) -> tuple[Any, ...]:
    """What a plan reads: the store's datasets with their versions and the user's groups."""
    store = open_store(data_dir)
    groups = user_groups_file(store.root)
    stamp = groups.stat().st_mtime_ns if groups is not None and groups.exists() else None
    return (str(store.root), stamp, *((d.name, d.manifest.version) for d in store.list()))


def _ask_key(ask: Ask, command: str) -> str | None:
    """The request in one canonical spelling, hashed (``None``: not cacheable)."""
    try:
        asked = {k: v for k, v in dataclasses.asdict(ask).items() if k != "fan"}  # display only
        text = json.dumps([asked, command], sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def compute(ask: Ask, data_dir: Path | str | None, *, command: str) -> Outcome:
    """:func:`compute_plan` as the web app runs it: cached per version of the data and
    request, each result computed once however many ask for it at the same moment, at most
    ``KETENRADAR_MAX_CONCURRENT_PLANS`` computed at once and ``KETENRADAR_MAX_QUEUED_PLANS``
    waiting (beyond: :class:`PlanBusyError`, 429). Do not modify the result (it is shared)."""
    svc = plan_service()

    def run() -> Outcome:
        try:
            with svc.limit:
                return compute_plan(ask, data_dir, command=command)
        except BusyError as exc:
            log.warning(
                "stock plan refused: %s (KETENRADAR_MAX_CONCURRENT_PLANS=%d, "
                "KETENRADAR_MAX_QUEUED_PLANS=%d)",
                exc,
                svc.limit.slots,
                svc.limit.queue,
            )
            raise PlanBusyError(
                f"the server is computing as many stock plans as it allows ({svc.limit.slots} "
                f"at once, {svc.limit.queue} waiting): try again in {PLAN_RETRY_AFTER} seconds",
                PLAN_RETRY_AFTER,
            ) from None

    key = _ask_key(ask, command)
    if key is None:
        return run()
    return svc.cache.get((_data_version(data_dir), key), run)


def compute_plan(ask: Ask, data_dir: Path | str | None, *, command: str) -> Outcome:
    """The plan for ``ask`` and the simulation's fan and service-level curve; errors name
    the field.

    The items' data come from :func:`~ketenradar.modules.stockpile.plan.prepare` (as the plan
    reads them, a BOM's components included): the Dutch reasons of the form advice are
    scored from its rows, and the default scenario with the user's parameters keeps the
    suppliers the default halts."""
    scenario = scenario_of(ask, data_dir)
    items = ask.items
    label = "bom" if ask.bom else "list"
    extra: dict[str, Any] = {}
    if ask.bom:
        extra = {"bom": ask.bom, "units_per_year": ask.units_per_year}
    elif ask.units_per_year is not None:
        raise UsageError("units a year need a bill of materials (bom)", field="units_per_year")
    if not items and not ask.bom:
        items, label = crm_2023_items(), "crm"
    setup = prepare(items, ask.importer, ask.year, scenario=scenario, data_dir=data_dir, **extra)
    if scenario is None and ask.halt != HALT_DEFAULTS and setup.scenario is not None:
        scenario = with_halt(setup.scenario, ask.halt)
    kwargs: dict[str, Any] = {
        "scenario": scenario,
        "service_level": ask.service_level,
        "paths": ask.paths,
        "months": ask.months,
        "seed": ask.seed,
        "data_dir": data_dir,
        "command": command,
        **extra,
    }
    res = api.plan(items, ask.importer, ask.year, **kwargs)
    df = res.frame("plan")
    rows = setup.table.drop_duplicates("item").set_index("item")
    rules = fm.load_rules()
    reasons: dict[str, list[list[str]]] = {"en": [], "nl": []}
    for item, text in zip(df["item"], df["form_reasons"], strict=True):
        reasons["en"].append(str(text).split(REASON_SEPARATOR) if isinstance(text, str) else [])
        if item in rows.index:
            advice = fm.advise(fm.form_factors_from_inputs(rows.loc[item]), rules)
            reasons["nl"].append([r.text_nl for r in advice.reasons])
        else:
            reasons["nl"].append([])
    sim = api.simulate(items, ask.importer, ask.year, **kwargs)
    doc = res.provenance.parameters.get("scenario")
    return Outcome(ask, res, reasons, doc, sim, label)


def coverage(df: pd.DataFrame) -> dict[str, int]:
    """How many items the plan holds, and how many of them have a stock."""
    return {"items": len(df), "with_stock": int(df["stock_t"].notna().sum())}


def columns(lang: str) -> list[dict[str, str]]:
    """The plan's columns: name, label in ``lang``, unit and meaning."""
    from ketenradar.interfaces.web.i18n import translator

    t = translator(lang)
    return [
        {"name": c.name, "label": t(c.label), "unit": c.unit, "description": c.description}
        for c in api.PLAN_COLUMNS
    ]


def answer(out: Outcome, lang: str) -> dict[str, Any]:
    """The JSON answer of ``POST /api/v1/stockpile/plan``."""
    df = out.result.frame("plan")
    rows = records(df)
    for r, reasons in zip(rows, out.reasons[lang], strict=True):
        r["form_reasons"] = REASON_SEPARATOR.join(reasons) if reasons else r["form_reasons"]
    body: dict[str, Any] = {
        "columns": columns(lang),
        "rows": rows,
        "coverage": coverage(df),
        "scenario": out.scenario,
        "provenance": out.result.provenance.to_dict(),
    }
    if out.sim is not None:
        body["simulation"] = {n: records(out.sim.frame(n)) for n in out.sim.tables}
    return body


def fan_item(out: Outcome) -> str | None:
    """The item the fan chart shows: the one asked for, else the first with a stock."""
    if out.sim is None or "fan" not in out.sim.tables:
        return None
    fan = out.sim.frame("fan")
    known = [str(i) for i in dict.fromkeys(fan["item"])]
    if out.ask.fan in known:
        return out.ask.fan
    df = out.result.frame("plan")
    with_stock = [str(i) for i in df.loc[df["stock_t"] > 0, "item"] if str(i) in known]
    return (with_stock or known or [None])[0]


def charts(out: Outcome) -> dict[str, Any] | None:
    """The charts' data: the fan of the chosen item and the service-level curve of it (from
    the simulation's tables ``fan`` and ``service_curve``); ``None`` without a simulation."""
    item = fan_item(out)
    if item is None:
        return None
    fan = out.sim.frame("fan")
    fan = fan[fan["item"].astype(str) == item]
    pct = sorted({float(p) for p in fan["percentile"]})
    months = sorted({int(m) for m in fan["month"]})
    by = {(int(r.month), float(r.percentile)): r for r in fan.itertuples(index=False)}

    def series(col: str) -> dict[str, list[Any]]:
        return {
            f"{p:g}": [_clean(getattr(by[(m, p)], col, None)) if (m, p) in by else None
                       for m in months]
            for p in pct
        }  # fmt: skip

    mean_rows = fan.drop_duplicates("month").set_index("month")
    curve = None
    if "service_curve" in out.sim.tables:
        sc = out.sim.frame("service_curve")
        curve = records(sc[sc["item"].astype(str) == item].sort_values("service_level"))
    names = dict(
        zip(out.result.frame("plan")["item"], out.result.frame("plan")["name"], strict=True)
    )
    return {
        "item": item,
        "name": names.get(item, item),
        "items": [str(i) for i in dict.fromkeys(out.sim.frame("fan")["item"])],
        "months": months,
        "percentiles": [f"{p:g}" for p in pct],
        "shortfall": series("shortfall_t"),
        "unserved": series("unserved_with_stock_t"),
        "mean_shortfall": [
            _clean(mean_rows.loc[m].get("mean_shortfall_t")) if m in mean_rows.index else None
            for m in months
        ],
        "mean_unserved": [
            _clean(mean_rows.loc[m].get("mean_unserved_with_stock_t"))
            if m in mean_rows.index
            else None
            for m in months
        ],
        "curve": curve,
    }


def table_months(months: list[int]) -> list[int]:
    """The months the fan's data table lists: the first and every twelfth."""
    return [m for m in months if m == months[0] or m % 12 == 0]


def bom_names() -> list[str]:
    """The packaged bills of materials (their names)."""
    from ketenradar.modules.materials.api import packaged_boms

    return sorted(packaged_boms())


def page_view(out: Outcome, lang: str) -> dict[str, Any]:
    """What the page shows of a plan: the rows with the reasons in ``lang``, what the data
    covers, the charts' data, the scenario as run and the provenance."""
    import json

    df = out.result.frame("plan")
    rows = records(df)
    for r, reasons in zip(rows, out.reasons[lang], strict=True):
        r["reasons"] = reasons
    ch = charts(out)
    prov = out.result.provenance.to_dict()
    return {
        "rows": rows,
        "coverage": coverage(df),
        "items_label": out.items_label,
        "importer": out.ask.importer,
        "year": next((r["year"] for r in rows if r.get("year") is not None), None),
        "service_level": out.ask.service_level,
        "paths": out.ask.paths,
        "months": out.ask.months,
        "seed": out.ask.seed,
        "scenario": out.scenario,
        "scenario_json": json.dumps(out.scenario, indent=2, ensure_ascii=False)
        if out.scenario
        else "",
        "scenario_default": bool(prov["parameters"].get("scenario_default")),
        "charts": ch,
        "table_months": table_months(ch["months"]) if ch else [],
        "provenance": prov,
    }
