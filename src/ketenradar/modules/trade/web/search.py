"""What the trade module contributes to the site search: products and partner countries."""

from __future__ import annotations

from ketenradar.core.countries import country_name, iso_countries
from ketenradar.interfaces.web.search import SearchEntry
from ketenradar.results.facts import Facts


def entries(facts: Facts) -> list[SearchEntry]:
    """Every product of the screening (its HS6 code and description) and every country that
    supplies one of them or is a partner of the balance (ISO3 code, English and Dutch name)."""
    out: list[SearchEntry] = []
    screening = facts.table("screening")
    latest = screening.sort_values("year").drop_duplicates("product", keep="last")
    for hs6, text in zip(latest["product"], latest["product_description"], strict=True):
        out.append(
            SearchEntry("product", str(hs6), f"{hs6} {text}", f"products/{hs6}", names=(str(text),))
        )
    known = set(facts.values("balance", "partner")) | set(facts.values("suppliers", "supplier"))
    for c in iso_countries():
        if c.iso3 not in known:
            continue
        nl = country_name(c.iso3, "nl")
        out.append(
            SearchEntry(
                "country",
                c.iso3,
                c.name,
                f"countries/{c.iso3}",
                names=(nl, country_name(c.iso3, "en")),
                labels={"nl": nl},
            )
        )
    return out
