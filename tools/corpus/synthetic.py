"""Generate the synthetic training corpus for the relation model from hand-made templates.

Usage, from the repository root::

    python tools/corpus/synthetic.py --seed 20261207 --paragraphs 1000

The approach is Halterman (2023), "Synthetically generated text for supervised text
analysis": short news paragraphs written from construction templates
(``tools/corpus/synthetic/templates.toml``) over an inventory of real actors
(``tools/corpus/synthetic/actors.toml``), so that the label of every pair is known by
construction. The events are fictional.

Each paragraph is one story: an optional context sentence and a window of one or two
sentences. For every pair of distinct actors mentioned in the window (the nearest two
mentions where an actor is mentioned twice; A is the earlier) one record is written, in
the format of ``corpus/voa/candidates.jsonl`` plus the labels of ``corpus/GUIDELINES.md``.
Pairs the template does not relate are ``none``: most windows have some.

Writes ``--out`` (default ``corpus/synthetic/examples.jsonl``) and a README.md beside it,
and prints the counts. The standard library only; a rerun with the same arguments gives
the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import tomllib
from corpus_files import marked

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "synthetic"
OUT = ROOT / "corpus" / "synthetic" / "examples.jsonl"
SOURCE = "synthetic: detente templates"
LICENCE = "Apache-2.0 (written for detente)"
ANNOTATOR = "template"
SEED = 20261207
PARAGRAPHS = 1000

LABELS = ("none", "a_backs_b", "b_backs_a", "mutual", "opposition")
STATUSES = ("asserted", "reported", "negated", "hypothetical")
STATUS_CODES = {"ast": "asserted", "rep": "reported", "neg": "negated", "hyp": "hypothetical"}
# Forms that mention an actor which is not acting (a place, a product, people): every
# pair they are in is none with the flag not_actor, and they may share a window with a
# government of the same state.
NOT_ACTOR_FORMS = frozenset({"in", "cap", "made", "dp"})
TEXT_FORMS = frozenset({"x", "hx"})  # plain text, no mention (context sentences)
SLOT = re.compile(r"\{([^{}]+)\}")
ALTERNATIVE = re.compile(r"<([^<>]*)>")
VOCAB = re.compile(r"\{@(\w+)\}")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NUMBERS = ("two", "three", "four", "five", "six", "seven", "eight", "10", "12", "15", "20", "30")
MONEY = (
    "$20 million",
    "$50 million",
    "$75 million",
    "$120 million",
    "$250 million",
    "$300 million",
    "$500 million",
    "$1.2 billion",
)


# ----------------------------------------------------------------------------- inventory


@dataclass(frozen=True)
class Actor:
    id: str
    type: str
    region: str
    names: tuple[str, ...]
    short: str
    adj: str | None
    capitals: tuple[str, ...]
    desc: tuple[str, ...]
    forces: tuple[str, ...]
    pron: str
    plural: bool
    home: str | None
    family: str
    spans: tuple[tuple[int, int], ...]

    @property
    def label(self) -> str:
        return _bare(self.names[0])

    def active(self, year: int) -> bool:
        return any(a <= year <= b for a, b in self.spans)


@dataclass(frozen=True)
class Leader:
    id: str
    name: str
    short: str
    title: str
    actor: str
    terms: tuple[tuple[int, int], ...]

    def active(self, year: int) -> bool:
        return any(a <= year <= b for a, b in self.terms)


@dataclass
class Inventory:
    actors: dict[str, Actor]
    leaders: dict[str, list[Leader]]
    pools: dict[str, list[str]]
    theatres: list[dict]


def _bare(name: str) -> str:
    """A name without its leading article, as it stands in a mention span."""
    return name[4:] if name.startswith("the ") else name


def _spans(value: list) -> tuple[tuple[int, int], ...]:
    if value and isinstance(value[0], int):
        return ((value[0], value[1]),)
    return tuple((a, b) for a, b in value)


def load_inventory(path: Path = DATA / "actors.toml") -> Inventory:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    actors: dict[str, Actor] = {}
    for row in data["actor"]:
        name = row["name"]
        adj = row.get("adj")
        if row["type"] == "State":
            forces = tuple(f"{adj} {n}" for n in ("troops", "forces", "soldiers")) if adj else ()
            desc = tuple(row.get("desc", ["the country"]))
        else:
            forces = tuple(row.get("forces", ()))
            desc = tuple(row.get("desc", ()))
        actors[row["id"]] = Actor(
            id=row["id"],
            type=row["type"],
            region=row["region"],
            names=(name, *row.get("alt", ())),
            short=row.get("short", _bare(name)),
            adj=adj,
            capitals=tuple(row.get("capital", ())),
            desc=desc,
            forces=forces,
            pron=row.get("pron", "it"),
            plural=row.get("plural", False),
            home=row.get("home"),
            family=row.get("family", row["id"]),
            spans=_spans(row["years"]),
        )
    leaders: dict[str, list[Leader]] = {}
    for row in data["leader"]:
        if row["for"] not in actors:
            raise ValueError(f"leader {row['id']} speaks for unknown actor {row['for']}")
        leaders.setdefault(row["for"], []).append(
            Leader(
                row["id"], row["name"], row["short"], row["title"], row["for"], _spans(row["terms"])
            )
        )
    pools = {k: list(v) for k, v in data["pools"].items()}
    for theatre in data["theatre"]:
        for key, value in theatre.items():
            if key in ("id", "region", "years", "places", "dispute"):
                continue
            for actor_id in value:
                if actor_id not in actors:
                    raise ValueError(f"theatre {theatre['id']}: unknown actor {actor_id}")
    return Inventory(actors, leaders, pools, data["theatre"])


# ----------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class Spec:
    """The relation a template states between two roles."""

    first: str
    op: str
    second: str
    status: str
    mediation: bool
    evidence: int | None
    doubt: bool


@dataclass
class Template:
    id: str
    family: str
    case: str
    style: str
    sym: bool
    roles: dict[str, str]
    text: list[str]
    context: list[str]
    specs: dict[frozenset[str], Spec]
    dispute: bool = False
    forms: dict[str, set[str]] = field(default_factory=dict)


def _parse_spec(line: str, roles: dict[str, str], two: bool, tid: str) -> Spec:
    parts = line.split()
    if len(parts) < 3 or parts[1] not in ("x", "=", ">", "<"):
        raise ValueError(f"{tid}: bad label {line!r}")
    first, op, second = parts[0], parts[1], parts[2]
    if op == "<":  # written as "R1 < R2": R2 backs R1
        first, op, second = second, ">", first
    status, mediation, evidence, doubt = "asserted", False, None, False
    for token in parts[3:]:
        if token in STATUS_CODES:
            status = STATUS_CODES[token]
        elif token == "med":
            mediation = True
        elif token == "doubt":
            doubt = True
        elif re.fullmatch(r"ev[01]", token):
            evidence = int(token[2])
        else:
            raise ValueError(f"{tid}: bad token {token!r} in {line!r}")
    for role in (first, second):
        if role not in roles:
            raise ValueError(f"{tid}: label names unknown role {role}")
    if two and evidence is None:
        raise ValueError(f"{tid}: a two-sentence window needs evN on {line!r}")
    if mediation and op != ">":
        raise ValueError(f"{tid}: mediation is backing by the mediator: {line!r}")
    return Spec(first, op, second, status, mediation, evidence if two else 0, doubt)


def load_templates(path: Path = DATA / "templates.toml") -> tuple[list[Template], dict]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    templates: list[Template] = []
    for row in data["template"]:
        two = len(row["text"]) == 2
        specs: dict[frozenset[str], Spec] = {}
        for line in row.get("labels", []):
            spec = _parse_spec(line, row["roles"], two, row["id"])
            key = frozenset((spec.first, spec.second))
            if key in specs:
                raise ValueError(f"{row['id']}: two labels for {sorted(key)}")
            specs[key] = spec
        template = Template(
            id=row["id"],
            family=row["family"],
            case=row["case"],
            style=row["style"],
            sym=row.get("sym", False),
            roles=dict(row["roles"]),
            text=list(row["text"]),
            context=list(row.get("context", [])),
            specs=specs,
            dispute=row.get("dispute", False),
        )
        for sentence in template.text + template.context:
            for slot in SLOT.findall(sentence):
                role, form, _ = _slot_parts(slot)
                if role is not None:
                    if role not in template.roles:
                        raise ValueError(f"{template.id}: slot names unknown role {role}")
                    template.forms.setdefault(role, set()).add(form)
        if len(template.text) not in (1, 2):
            raise ValueError(f"{template.id}: a window has one or two sentences")
        templates.append(template)
    ids = [t.id for t in templates]
    if len(ids) != len(set(ids)):
        raise ValueError("template ids repeat")
    return templates, data


def _slot_parts(slot: str) -> tuple[str | None, str, str | None]:
    """(role, form, misread role) of a slot; role None for fillers and agreement."""
    if slot[0] in "%@~":
        return None, "", None
    role, _, form = slot.partition(":")
    form, _, misread = form.partition(">")
    return role, form, misread or None


# ----------------------------------------------------------------------------- rendering


@dataclass
class Mention:
    text: str
    start: int
    end: int
    actor: str
    role: str
    via: str
    flag: str | None
    sentence: int


class Filler:
    """Fills one template once: the theatre, the year, the actor of every role."""

    def __init__(self, inv: Inventory, vocab: dict, contexts: dict, rng: random.Random):
        self.inv, self.vocab, self.contexts, self.rng = inv, vocab, contexts, rng

    # ---------------------------------------------------------------- choosing actors

    def _pool(self, theatre: dict, name: str, swap: bool) -> list[str]:
        if swap and name in ("s1", "s2", "b1", "b2"):
            name = {"s1": "s2", "s2": "s1", "b1": "b2", "b2": "b1"}[name]
        if name == "obs":
            sides = {
                self.inv.actors[a].family
                for k in ("s1", "s2", "b1", "b2")
                for a in theatre.get(k, [])
            }
            seen: list[str] = []
            for a in theatre.get("obs", []) + self.inv.pools["observers"]:
                if a not in seen and self.inv.actors[a].family not in sides:
                    seen.append(a)
            return seen
        if name == "lenders":
            return [
                a
                for a in self.inv.pools["lenders"]
                if self.inv.actors[a].type == "State"
                or self.inv.actors[a].region in ("Global", theatre["region"])
            ]
        if name in self.inv.pools:
            return list(self.inv.pools[name])
        return list(theatre.get(name, []))

    def _candidates(
        self, theatre: dict, kind: str, swap: bool, chosen: dict[str, Actor]
    ) -> list[str]:
        if kind.startswith("home:"):  # the state an earlier role belongs to
            home = chosen[kind[5:]].home
            return [home] if home in self.inv.actors else []
        expr, _, types = kind.partition("@")
        names = expr.split("&")
        ids = self._pool(theatre, names[0], swap)
        for other in names[1:]:
            keep = set(self._pool(theatre, other, swap))
            ids = [a for a in ids if a in keep]
        if types:
            if types.startswith("!"):
                drop = set(types[1:].split("|"))
                ids = [a for a in ids if self.inv.actors[a].type not in drop]
            else:
                allowed = set(types.split("|"))
                ids = [a for a in ids if self.inv.actors[a].type in allowed]
        return ids

    def _capable(self, actor: Actor, form: str, year: int) -> bool:
        if form == "f":
            return bool(actor.forces)
        if form in ("d", "ad"):
            return actor.adj is not None
        if form == "l":
            return any(x.active(year) for x in self.inv.leaders.get(actor.id, []))
        if form == "o":
            return actor.adj is not None or bool(actor.short)
        if form == "desc":
            return bool(actor.desc)
        if form == "cap":
            return any(not c.startswith("the ") for c in actor.capitals)
        if form in ("made", "dp"):
            return actor.type == "State" and actor.adj is not None
        if form == "in":
            return actor.type == "State"
        if form == "hx":
            return actor.home in self.inv.actors
        return True

    def cast(self, template: Template, theatre: dict, year: int, swap: bool) -> dict | None:
        """An actor for every role, or None when the theatre cannot fill the template."""
        chosen: dict[str, Actor] = {}
        families: set[str] = set()
        for role, kind in template.roles.items():
            forms = template.forms.get(role, set())
            inert = bool(forms) and forms <= NOT_ACTOR_FORMS | TEXT_FORMS
            options = []
            for actor_id in self._candidates(theatre, kind, swap, chosen):
                actor = self.inv.actors[actor_id]
                if not actor.active(year) or any(c.id == actor_id for c in chosen.values()):
                    continue
                if not inert and actor.family in families:
                    continue
                if all(self._capable(actor, f, year) for f in forms):
                    options.append(actor)
            if not options:
                return None
            pick = self.rng.choice(options)
            chosen[role] = pick
            if not inert:
                families.add(pick.family)
        return chosen

    # ---------------------------------------------------------------- surface forms

    def _leader(self, actor: Actor, year: int) -> Leader:
        return self.rng.choice([x for x in self.inv.leaders[actor.id] if x.active(year)])

    def surface(self, actor: Actor, form: str, year: int) -> tuple[str, str, str, str, bool]:
        """(text before the span, span, text after, via, plural) of one mention."""
        rng = self.rng
        if form in ("", "a", "p"):
            choices = ["name", "name", "name"]
            if actor.capitals:
                choices.append("capital")
            if form in ("a", "p") and self._capable(actor, "l", year):
                choices += ["leader", "leader"]
            if form == "a" and self._capable(actor, "o", year):
                choices.append("official")
            kind = rng.choice(choices)
            if kind == "capital":
                pre, span, post = self._article(rng.choice(actor.capitals))
                via, plural = "capital", False
            elif kind == "leader":
                pre, span, post, via, plural = self._leader_form(actor, year)
            elif kind == "official":
                pre, span, post, via, plural = self._official(actor)
            else:
                pre, span, post = self._article(rng.choice(actor.names))
                via, plural = "name", actor.plural
            if form == "p":
                post = self._possessive(span) + post
            return pre, span, post, via, plural
        if form in ("n", "pn", "in"):
            pre, span, post = self._article(rng.choice(actor.names))
            if form == "pn":
                post = self._possessive(span)
            return pre, span, post, "name", actor.plural
        if form == "bk":
            return "", actor.short, "", "name", False
        if form == "l":
            return self._leader_form(actor, year)
        if form == "o":
            return self._official(actor)
        if form == "f":
            phrase = rng.choice(actor.forces)
            pre, span, post = self._article(phrase)
            return pre, span, post, "sector", True
        if form in ("d", "ad"):
            adj = actor.adj or ""
            article = ("an " if adj[:1].lower() in "aeiou" else "a ") if form == "ad" else ""
            return article, adj, "", "demonym" if actor.type == "State" else "name", False
        if form in ("made", "dp"):
            return "", actor.adj or "", "", "demonym", False
        if form == "cap":
            capital = rng.choice([c for c in actor.capitals if not c.startswith("the ")])
            return "", capital, "", "capital", False
        if form == "desc":
            phrase = rng.choice(actor.desc)
            last = phrase.split()[-1]
            plural = last.endswith("s") and not last.endswith(("ss", "us"))
            return "", phrase, "", "coref", plural
        if form == "it":
            return "", actor.pron, "", "coref", actor.pron == "they"
        if form == "obj":
            return "", "them" if actor.pron == "they" else "it", "", "coref", actor.pron == "they"
        raise ValueError(f"unknown form {form!r}")

    @staticmethod
    def _article(name: str) -> tuple[str, str, str]:
        return ("the ", name[4:], "") if name.startswith("the ") else ("", name, "")

    @staticmethod
    def _possessive(span: str) -> str:
        return "'" if span.endswith("s") else "'s"

    def _leader_form(self, actor: Actor, year: int) -> tuple[str, str, str, str, bool]:
        leader = self._leader(actor, year)
        style = self.rng.choice(("title", "title", "full", "short", "short"))
        if style == "title" and leader.title:
            return f"{leader.title} ", leader.name, "", "leader", False
        if style == "short":
            return "", leader.short, "", "leader", False
        return "", leader.name, "", "leader", False

    def _official(self, actor: Actor) -> tuple[str, str, str, str, bool]:
        if actor.type == "State" and actor.adj:
            noun = self.rng.choice(
                ("foreign ministry", "defence ministry", "government", "officials")
            )
            pre = "" if noun == "officials" else "the "
            return pre, f"{actor.adj} {noun}", "", "official", noun == "officials"
        if actor.type == "ArmedGroup":
            name = actor.adj or actor.short
            article = "an " if name[0].lower() in "aeiou" else "a "
            return article, f"{name} spokesman", "", "official", False
        name = actor.adj or actor.short
        return "", f"{name} officials", "", "official", True

    # ---------------------------------------------------------------- filling text

    def _filler(self, name: str, theatre: dict, year: int, used: list[str]) -> str:
        rng = self.rng
        if name == "date":
            month = rng.choice(MONTHS)
            return rng.choice(
                (
                    f"on {rng.choice(WEEKDAYS)}",
                    f"on {rng.choice(WEEKDAYS)}",
                    "last week",
                    f"on {rng.randint(1, 28)} {month}",
                    f"on {rng.randint(1, 28)} {month} {year}",
                    f"in {month} {year}",
                    "earlier this month",
                    "overnight",
                    f"late on {rng.choice(WEEKDAYS)}",
                    "this week",
                )
            )
        if name == "weekday":
            return rng.choice(WEEKDAYS)
        if name == "year":
            return str(year)
        if name == "yearpast":  # not before the theatre's first year where possible
            return str(max(year - rng.randint(2, 12), min(theatre["years"][0], year - 1)))
        if name == "decade":
            return f"{(year - 5) // 10 * 10}s"
        if name == "num":
            return rng.choice(NUMBERS)
        if name == "money":
            return rng.choice(MONEY)
        if name == "place":
            options = [p for p in theatre["places"] if p not in used] or theatre["places"]
            place = rng.choice(options)
            used.append(place)
            return place
        if name == "city":
            return rng.choice(self.inv.pools["venues"])
        raise ValueError(f"unknown filler {name!r}")

    def _expand(self, text: str) -> str:
        """Words from the vocabulary and inline alternatives, left to right."""
        for _ in range(3):  # a vocabulary entry may itself hold slots
            text = VOCAB.sub(lambda m: self.rng.choice(self.vocab[m.group(1)]), text)
        return ALTERNATIVE.sub(lambda m: self.rng.choice(m.group(1).split("|")), text)

    def render(
        self,
        raw: str,
        cast: dict[str, Actor],
        theatre: dict,
        year: int,
        sentence: int,
        headline: bool,
        used: list[str],
        plural_of: dict[str, bool],
    ) -> tuple[str, list[Mention]]:
        text = self._expand(raw)
        out: list[str] = []
        length = 0
        mentions: list[Mention] = []
        position = 0
        for match in SLOT.finditer(text):
            literal = text[position : match.start()]
            out.append(literal)
            length += len(literal)
            position = match.end()
            slot = match.group(1)
            if slot.startswith("%"):
                piece = self._filler(slot[1:], theatre, year, used)
            elif slot.startswith("~"):
                role, _, choices = slot[1:].partition(":")
                one, _, two = choices.partition("|")
                plural = plural_of.get(role, cast[role].pron == "they")
                piece = two if plural else one
            else:
                role, form, misread = _slot_parts(slot)
                assert role is not None
                actor = cast[role]
                if form == "x":
                    piece = (
                        _bare(actor.names[0])
                        if not actor.names[0].startswith("the ")
                        else actor.names[0]
                    )
                elif form == "hx":
                    piece = self.inv.actors[actor.home or ""].names[0]
                else:
                    pre, span, post, via, plural = self.surface(actor, form, year)
                    read = cast[misread] if misread else actor
                    flag = (
                        "wrong_actor"
                        if misread
                        else ("not_actor" if form in NOT_ACTOR_FORMS else None)
                    )
                    start = length + len(pre)
                    mentions.append(
                        Mention(span, start, start + len(span), read.id, role, via, flag, sentence)
                    )
                    plural_of[role] = plural
                    piece = pre + span + post
            out.append(piece)
            length += len(piece)
        out.append(text[position:])
        rendered = "".join(out)
        # Sentence case: the first letter is upper case, inside a mention or not.
        for i, ch in enumerate(rendered):
            if ch.isalpha():
                if ch.islower():
                    rendered = rendered[:i] + ch.upper() + rendered[i + 1 :]
                    for m in mentions:
                        if m.start <= i < m.end:
                            m.text = rendered[m.start : m.end]
                break
        if headline:
            rendered = rendered.rstrip(".")
        return rendered, mentions


# ----------------------------------------------------------------------------- pairs


def _pairs(mentions: list[Mention]) -> list[tuple[Mention, Mention]]:
    """Every pair of distinct actors, by their nearest two mentions; A is the earlier."""
    by_actor: dict[str, list[Mention]] = {}
    for m in mentions:
        by_actor.setdefault(m.actor, []).append(m)
    actors = sorted(by_actor, key=lambda a: min(m.start for m in by_actor[a]))
    pairs = []
    for i, x in enumerate(actors):
        for y in actors[i + 1 :]:
            best = None
            for mx in by_actor[x]:
                for my in by_actor[y]:
                    first, second = (mx, my) if mx.start < my.start else (my, mx)
                    key = (second.start - first.end, first.start)
                    if best is None or key < best[0]:
                        best = (key, first, second)
            assert best is not None
            pairs.append((best[1], best[2]))
    pairs.sort(key=lambda p: (p[0].start, p[1].start))
    return pairs


def _label(template: Template, a: Mention, b: Mention) -> dict:
    flags = sorted({f for f in (a.flag, b.flag) if f})
    none = {"label": "none", "status": "", "mediation": False, "evidence": None, "flags": flags}
    if flags:
        return none
    spec = template.specs.get(frozenset((a.role, b.role)))
    if spec is None:
        return none
    if spec.op == "x":
        label = "opposition"
    elif spec.op == "=":
        label = "mutual"
    else:
        label = "a_backs_b" if spec.first == a.role else "b_backs_a"
    return {
        "label": label,
        "status": spec.status,
        "mediation": spec.mediation,
        "evidence": spec.evidence,
        "flags": ["doubt"] if spec.doubt else [],
    }


def _mention_record(m: Mention, inv: Inventory) -> dict:
    actor = inv.actors[m.actor]
    return {
        "text": m.text,
        "start": m.start,
        "end": m.end,
        "actor": actor.id,
        "label": actor.label,
        "type": actor.type,
        "via": m.via,
    }


# ----------------------------------------------------------------------------- generation


def _paragraph(
    filler: Filler, template: Template, story: str, attempts: int = 80
) -> list[dict] | None:
    """The records of one story written from ``template``, or None if it cannot be cast."""
    rng = filler.rng
    inv = filler.inv
    pools = {
        k
        for kind in template.roles.values()
        if not kind.startswith("home:")
        for k in kind.partition("@")[0].split("&")
    }
    theatres = [
        t
        for t in inv.theatres
        if (template.dispute or not t.get("dispute"))
        and all(
            t.get(p) or p in inv.pools or p in ("obs", "lenders", "s1", "s2", "b1", "b2")
            for p in pools
        )
    ]
    for _ in range(attempts):
        theatre = rng.choice(theatres)
        year = rng.randint(theatre["years"][0], theatre["years"][1])
        swap = template.sym and rng.random() < 0.5
        cast = filler.cast(template, theatre, year, swap)
        if cast is not None:
            break
    else:
        return None
    used: list[str] = []
    plural_of: dict[str, bool] = {}
    headline = template.style == "headline"
    context = ""
    contexts = template.context or filler.contexts.get(template.family, [])
    if contexts and not headline and rng.random() < 0.7:
        context, _ = filler.render(rng.choice(contexts), cast, theatre, year, -1, False, used, {})
    sentences: list[str] = []
    mentions: list[Mention] = []
    offset = 0
    for i, raw in enumerate(template.text):
        text, found = filler.render(raw, cast, theatre, year, i, headline, used, plural_of)
        for m in found:
            m.start += offset
            m.end += offset
        mentions.extend(found)
        sentences.append(text)
        offset += len(text) + 1
    window = " ".join(sentences)
    window_start = len(context) + 1 if context else 0
    sentence_break = len(sentences[0]) + 1 if len(sentences) == 2 else None
    records = []
    for a, b in _pairs(mentions):
        ra, rb = _mention_record(a, inv), _mention_record(b, inv)
        key = f"{story}:{window_start}:{a.start}:{a.end}:{b.start}:{b.end}"
        labels = _label(template, a, b)
        records.append(
            {
                "id": hashlib.sha1(key.encode()).hexdigest()[:12],
                "story": story,
                "source": SOURCE,
                "licence": LICENCE,
                "window_start": window_start,
                "window": window,
                "sentence_break": sentence_break,
                "context": context,
                "a": ra,
                "b": rb,
                "marked": marked(window, ra, rb),
                "label": labels["label"],
                "status": labels["status"],
                "mediation": labels["mediation"],
                "evidence": labels["evidence"],
                "flags": labels["flags"],
                "annotator": ANNOTATOR,
                "template": template.id,
                "case": template.case,
            }
        )
    return records


def generate(seed: int, paragraphs: int) -> tuple[list[dict], list[Template], Inventory]:
    """Records of ``paragraphs`` stories. Templates are drawn in turn, the least used
    first, so that every construction is about equally frequent."""
    inv = load_inventory()
    templates, data = load_templates()
    rng = random.Random(seed)
    filler = Filler(inv, data["vocab"], data["contexts"], rng)
    windows: Counter[str] = Counter()
    dead: set[str] = set()
    records: list[dict] = []
    story_number = 0
    while story_number < paragraphs:
        live = [t for t in templates if t.id not in dead]
        if not live:
            raise RuntimeError("no template can be cast")
        fewest = min(windows[t.id] for t in live)
        template = rng.choice([t for t in live if windows[t.id] == fewest])
        story = f"syn-{story_number + 1:06d}"
        out = _paragraph(filler, template, story)
        if out is None:
            dead.add(template.id)
            continue
        windows[template.id] += 1
        story_number += 1
        records.extend(out)
    return records, templates, inv


# ----------------------------------------------------------------------------- counts


def counts(records: list[dict], templates: list[Template]) -> dict[str, Counter]:
    family = {t.id: t.family for t in templates}
    return {
        "label": Counter(r["label"] for r in records),
        "status": Counter(r["status"] or "(none)" for r in records),
        "case": Counter(r["case"] for r in records),
        "family": Counter(family[r["template"]] for r in records),
        "flags": Counter(f for r in records for f in r["flags"]),
        "via": Counter(m["via"] for r in records for m in (r["a"], r["b"])),
        "mediation": Counter(str(r["mediation"]).lower() for r in records),
        "evidence": Counter(str(r["evidence"]) for r in records),
        "template": Counter(r["template"] for r in records),
    }


def _table(title: str, counter: Counter, total: int, unit: str = "pairs") -> list[str]:
    lines = [f"### {title}", "", f"| value | {unit} | share |", "|---|---:|---:|"]
    for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"| {key} | {n} | {100 * n / total:.1f}% |")
    return [*lines, ""]


README = """# Synthetic relation corpus

Training pairs for detente's relation model, written by
`tools/corpus/synthetic.py` from hand-made templates, following Halterman (2023),
"Synthetically generated text for supervised text analysis": short news paragraphs whose
labels are known by construction.

**The events are fictional.** The actors are real states, governments, organisations,
armed groups and leaders (`tools/corpus/synthetic/actors.toml`), so that the model meets
the names it meets in news; what a paragraph says they did is made up by a template. No
sentence is copied from any news text. Do not read these paragraphs as facts.

## How it is made

* `actors.toml`: {n_actors} actors (states with demonym, capital and seats of power;
  governments and juntas with their descriptions; IGOs, blocs, alliances, peacekeeping
  missions and development banks; rebels, separatists, guerrillas, militias and jihadist
  groups) and {n_leaders} leaders with the years they held office, grouped into
  {n_theatres} theatres (the actors that plausibly meet in one story: the two sides of a
  conflict, their backers, mediators, observers, an organisation and its members) from
  the 1990s to the 2020s.
* `templates.toml`: {n_templates} construction templates (headlines, ledes and body
  sentences; active, passive, adjectival "X-backed", nominal "X's support for Y",
  appositives, lists, reported speech, accusations and denials, threats, sanctions,
  mediation, pronoun and description chains across two sentences, hypotheticals,
  negations, past relations), each with the label of every pair of roles it relates.
  Every other pair in the window is `none`.
* The generator draws a template (the least used first), a theatre, a year, the sides
  and an actor for every role (only actors that exist that year, a leader only in office),
  fills in surface forms (name, capital, leader, official, forces, demonym, description,
  pronoun), dates, places and reporting verbs, and writes one record per candidate pair:
  every pair of distinct actors in the window, by their nearest two mentions, A the
  earlier. A mention of a place or product ("fighting in Sudan", "Chinese-made drones")
  is flagged `not_actor`; a pronoun or description read as the wrong actor is flagged
  `wrong_actor`; both are `none`.
* Labels follow `corpus/GUIDELINES.md` (version 1); `annotator` is `template`,
  `template` and `case` name the construction and the hard case it teaches.

The record format is that of `corpus/voa/candidates.jsonl` (written by
`tools/corpus/voa_candidates.py`) plus the label fields, `template` and `case`.

## Command

```
python tools/corpus/synthetic.py --seed {seed} --paragraphs {paragraphs}
```

A rerun gives the same bytes. `tests/corpus/test_synthetic.py` checks determinism,
offsets, the label vocabulary, the share of each template and the hard cases.

## Counts

{n_records} pairs in {paragraphs} windows.

{tables}
## Licence

Apache-2.0, written for detente (the same licence as the project). Actor names are facts;
the templates and the generated text are original.
"""


def write(
    records: list[dict],
    templates: list[Template],
    inv: Inventory,
    out: Path,
    seed: int,
    paragraphs: int,
) -> dict[str, Counter]:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    table = counts(records, templates)
    total = len(records)
    tables: list[str] = []
    for key, title in (
        ("label", "By label"),
        ("status", "By status"),
        ("case", "By case"),
        ("family", "By template family"),
        ("flags", "By flag"),
        ("via", "Mentions by surface form (via)"),
    ):
        if key == "via":  # two mentions a pair
            tables += _table(title, table[key], 2 * total, "mentions")
        else:
            tables += _table(title, table[key], total)
    top = table["template"].most_common(1)[0]
    tables.append(f"Largest template: `{top[0]}`, {top[1]} pairs ({100 * top[1] / total:.1f}%).\n")
    readme = README
    for key, value in {
        "n_actors": len(inv.actors),
        "n_leaders": sum(len(v) for v in inv.leaders.values()),
        "n_theatres": len(inv.theatres),
        "n_templates": len(templates),
        "seed": seed,
        "paragraphs": paragraphs,
        "n_records": total,
        "tables": "\n".join(tables),
    }.items():
        readme = readme.replace("{" + key + "}", str(value))
    (out.parent / "README.md").write_text(readme, encoding="utf-8")
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--paragraphs", type=int, default=PARAGRAPHS)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    records, templates, inv = generate(args.seed, args.paragraphs)
    table = write(records, templates, inv, args.out, args.seed, args.paragraphs)
    total = len(records)
    print(
        f"{total} pairs in {args.paragraphs} windows from {len(templates)} templates -> {args.out}"
    )
    for key in ("label", "status", "case", "family", "flags"):
        parts = ", ".join(
            f"{k} {v} ({100 * v / total:.1f}%)"
            for k, v in sorted(table[key].items(), key=lambda kv: -kv[1])
        )
        print(f"{key}: {parts}")
    top = table["template"].most_common(1)[0]
    print(f"largest template: {top[0]} {top[1]} ({100 * top[1] / total:.1f}%)")


if __name__ == "__main__":
    main()
