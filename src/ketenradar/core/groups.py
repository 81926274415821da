"""Country groups: EU27 built in, further groups from an editable YAML file.

Groups are read from the packaged ``data/groups.yaml`` and then from the user's file
(``$KETENRADAR_GROUPS_FILE``, else ``<data dir>/groups.yaml`` when it exists); a user group
with the same name replaces the packaged one. Any group can be an importer set or a
reference bloc. Group names are case-insensitive; members are ISO3 codes or other groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from ketenradar.core.errors import DataError, NotFoundError, UsageError
from ketenradar.core.safe_yaml import load_yaml
from ketenradar.core.settings import settings

#: The 27 EU member states since 1 February 2020 (after the United Kingdom left).
EU27: tuple[str, ...] = (
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
)  # fmt: skip


@dataclass(frozen=True)
class Group:
    """A named set of countries (ISO3 codes)."""

    name: str
    members: frozenset[str]
    description: str = ""
    source: str = "built-in"

    def __contains__(self, iso3: object) -> bool:
        return iso3 in self.members


def _packaged_file() -> Path:
    return Path(str(files("ketenradar") / "data" / "groups.yaml"))


def _parse(path: Path) -> dict[str, dict]:
    # syntax errors (with the line) and YAML that would explode are refused here
    doc = load_yaml(path.read_text(encoding="utf-8"), file=path) or {}
    groups = doc.get("groups") if isinstance(doc, dict) else None
    if not isinstance(groups, dict):
        raise DataError("expected a top-level mapping 'groups:'", file=path, field="groups")
    out = {}
    for name, spec in groups.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("members"), list):
            raise DataError(
                f"group '{name}' needs a list 'members'", file=path, field=f"groups.{name}"
            )
        out[str(name).upper()] = {
            "members": [str(m).strip().upper() for m in spec["members"]],
            "description": str(spec.get("description", "")),
            "source": str(path),
        }
    return out


def user_groups_file(data_dir: Path | None = None) -> Path | None:
    """The user's groups file, if any (env var first, then the data directory)."""
    p = settings().groups_file
    if p is not None:
        if not p.is_file():
            raise NotFoundError(f"KETENRADAR_GROUPS_FILE points to {p}, which does not exist")
        return p
    if data_dir is not None and (data_dir / "groups.yaml").is_file():
        return data_dir / "groups.yaml"
    return None


class GroupRegistry:
    """All known groups, resolved to ISO3 member sets."""

    def __init__(self, extra_file: Path | None = None) -> None:
        raw: dict[str, dict] = {
            "EU27": {
                "members": list(EU27),
                "description": "European Union, 27 member states (since 2020-02-01)",
                "source": "built-in",
            }
        }
        raw.update(_parse(_packaged_file()))
        if extra_file is not None:
            raw.update(_parse(extra_file))
        raw["EU27"]["source"] = "built-in"
        raw["EU27"]["members"] = list(EU27)  # EU27 is built in and cannot be redefined
        self._raw = raw
        self._resolved: dict[str, Group] = {}

    def names(self) -> list[str]:
        """Names of all groups."""
        return sorted(self._raw)

    def get(self, name: str) -> Group:
        """The group called ``name`` (case-insensitive)."""
        key = name.upper()
        if key not in self._raw:
            raise NotFoundError(
                f"unknown country group '{name}' (known: {', '.join(self.names())})"
            )
        if key not in self._resolved:
            self._resolved[key] = self._resolve(key, ())
        return self._resolved[key]

    def _resolve(self, key: str, stack: tuple[str, ...]) -> Group:
        if key in stack:
            raise DataError(f"group '{key}' refers to itself via {' -> '.join(stack)}")
        spec = self._raw[key]
        members: set[str] = set()
        for m in spec["members"]:
            if m in self._raw and m != key:
                members |= self._resolve(m, (*stack, key)).members
            elif len(m) == 3 and m.isalnum():
                members.add(m)
            else:
                raise DataError(
                    f"group '{key}': member '{m}' is neither an ISO3 code nor a group",
                    file=spec["source"] if spec["source"] != "built-in" else None,
                    field=f"groups.{key}.members",
                )
        return Group(key, frozenset(members), spec["description"], spec["source"])

    def resolve(self, spec: str) -> Group:
        """Turn ``NLD``, ``EU27``, ``g7`` or ``DEU,FRA`` into a :class:`Group`.

        A single ISO3 code becomes a one-member group named after it; a comma-separated list
        becomes an ad-hoc group named by the list.
        """
        spec = spec.strip()
        if not spec:
            raise UsageError("empty country or group")
        if "," in spec:
            parts = [p.strip().upper() for p in spec.split(",") if p.strip()]
            members: set[str] = set()
            for p in parts:
                members |= self.resolve(p).members
            return Group("+".join(parts), frozenset(members), "ad-hoc group", "command line")
        key = spec.upper()
        if key in self._raw:
            return self.get(key)
        if len(key) == 3 and key.isalnum():
            return Group(key, frozenset({key}), "", "country")
        raise NotFoundError(
            f"'{spec}' is neither an ISO3 country code nor a known group "
            f"(groups: {', '.join(self.names())})"
        )
