"""One dictionary pattern as the nodes below its verb:

* words after the verb become the object and its modifiers ("impose SANCTIONS", "send
  {MEDICAL AID}"), particles ("put UP resistance") or prepositional phrases with their
  object ("(TO BORDER)", "(AGAINST)");
* a word before the verb is its subject ("&MILITARY *": "troops rushed ...");
* '$' and '+' say which slot holds the source and the target; without them the slots
  are read from the parse when matching (:mod:`.slots`).

What a dependency parse cannot express is dropped with a reason (:class:`Drop`), which
the compile report counts."""

from __future__ import annotations

from .data import Element, Marker, NounPhrase, Pattern, PrepPhrase
from .grammar import (
    MODIFIER_DEPS,
    OBJECT_DEPS,
    PARTICLE_DEPS,
    PARTICLES,
    POBJ_DEPS,
    PREP_DEPS,
    PREPOSITIONS,
    SUBJECT_DEPS,
    WEIGHT,
)
from .nodes import Node
from .vocabulary import Vocabulary


def _simple_word(element: Element) -> str | None:
    """The single plain word of a bare noun phrase, if that is what the element is."""
    if isinstance(element, NounPhrase) and not element.braced and len(element.terms) == 1:
        alts = element.terms[0].alternatives
        if len(alts) == 1 and len(alts[0]) == 1 and not alts[0][0].startswith("&"):
            return alts[0][0]
    return None


class Drop(Exception):
    """A pattern that cannot be expressed over a dependency parse; the message says why."""


class PatternCompiler:
    """Turns one pattern into the nodes below its verb, and the slots of its actors."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocab = vocabulary
        self.nodes: list[Node] = []
        self.target: str | None = None
        self.target_is_object = False
        self.source: str | None = None
        self.bare_pobj: str | None = None
        self.object: str | None = None
        self.subject: str | None = None

    # -------------------------------------------------------------- entry
    def compile(self, pattern: Pattern) -> None:
        for element in (*pattern.pre, *pattern.post):
            if isinstance(element, Marker) and element.role == "compound":
                raise Drop("compound-actor marker '%'")
        self._pre(list(pattern.pre))
        self._post(self._bracket_bare_preps(list(pattern.post)))
        if self.target is None and self.bare_pobj is not None:
            self.target = self.bare_pobj

    # -------------------------------------------------------------- before the verb
    def _pre(self, elements: list[Element]) -> None:
        role = None
        if elements and isinstance(marker := elements[0], Marker):
            role = marker.role
            elements.pop(0)
        nps = [e for e in elements if isinstance(e, NounPhrase)]
        if any(isinstance(e, Marker) for e in elements) or len(nps) > 1:
            raise Drop("word sequence before the verb")
        if role == "skip":
            raise Drop("skip marker '^' before the verb")
        if nps and elements[0] is not nps[0]:
            raise Drop("phrase before the subject")
        if nps:
            word = _simple_word(nps[0])
            if word and word.endswith("LY"):  # "SHARPLY *": a manner adverb
                self._add(
                    Node(
                        "adv",
                        "verb",
                        ">",
                        lower=frozenset({word.lower()}),
                        deps=("advmod",),
                        weight=WEIGHT["particle"],
                    )
                )
                if role:
                    raise Drop("marker on an adverb before the verb")
            else:
                self.subject = self._noun_phrase(
                    nps[0], "subj", "verb", SUBJECT_DEPS, WEIGHT["head"]
                )
        elif role in ("source", "target"):
            self.subject = self._add(Node("subj", "verb", ">", deps=SUBJECT_DEPS))
        if role == "target":
            self.target = self.subject
        elif role == "source":
            self.source = self.subject
        for element in elements:
            if isinstance(element, PrepPhrase):
                self._phrase(element, (self.subject or "verb",))

    # -------------------------------------------------------------- after the verb
    def _bracket_bare_preps(self, elements: list[Element]) -> list[Element]:
        """TABARI's unbracketed prepositions ("* WITH", "* TOWARD +") as phrases."""
        out: list[Element] = []
        i = 0
        while i < len(elements):
            element, word = elements[i], _simple_word(elements[i])
            i += 1
            if word in PREPOSITIONS:
                objects: list[NounPhrase | Marker] = []
                while i < len(elements) and _simple_word(elements[i]) not in PREPOSITIONS:
                    if not isinstance(elements[i], Marker | NounPhrase):
                        break
                    objects.append(elements[i])  # type: ignore[arg-type]
                    i += 1
                element = PrepPhrase((word,), tuple(objects))
            elif (
                isinstance(element, PrepPhrase)
                and not element.objects
                and i < len(elements)
                and isinstance(elements[i], Marker)
            ):
                # "(AGAINST) +": the marker is the object of the empty phrase before it
                element = PrepPhrase(element.preps, (elements[i],))  # type: ignore[arg-type]
                i += 1
            out.append(element)
        return out

    def _post(self, elements: list[Element]) -> None:
        for element in elements:
            if isinstance(element, Marker):
                self._post_marker(element, elements)
            elif isinstance(element, PrepPhrase):
                holders = ("verb", self.object) if self.object else ("verb", "holder")
                self._phrase(element, holders)  # type: ignore[arg-type]
            else:
                self._post_word(element)

    def _post_marker(self, marker: Marker, elements: list[Element]) -> None:
        if marker.role == "target":
            if any(isinstance(e, NounPhrase) for e in elements):
                raise Drop("target marker '+' next to an object word")
            self.target_is_object = True
        elif marker.role == "source":
            raise Drop("source marker '$' after the verb outside a phrase")
        else:
            raise Drop("skip marker '^' after the verb outside a phrase")

    def _post_word(self, np: NounPhrase) -> None:
        word = _simple_word(np)
        if word in PARTICLES:
            n = len([x for x in self.nodes if x.id.startswith("prt")])
            self._add(
                Node(
                    f"prt{n}",
                    "verb",
                    ">",
                    lower=frozenset({word.lower()}),
                    deps=PARTICLE_DEPS,
                    weight=WEIGHT["particle"],
                )
            )
            return
        if self.object is not None:
            raise Drop("word sequence after the verb (two object words)")
        self.object = self._noun_phrase(np, "obj", "verb", OBJECT_DEPS, WEIGHT["head"])

    # -------------------------------------------------------------- pieces
    def _add(self, node: Node) -> str:
        self.nodes.append(node)
        return node.id

    def _noun_phrase(
        self, np: NounPhrase, name: str, left: str, deps: tuple[str, ...], weight: int
    ) -> str:
        if self.vocab.is_function_run(np.head):
            raise Drop("word run ending in a function word (TABARI sequence)")
        lexeme = self.vocab.lexeme(np.head)
        head = self._add(Node(name, left, ">", lexeme=lexeme, deps=deps, weight=weight))
        for i, term in enumerate(np.terms[:-1]):
            if self.vocab.is_function_run(term):
                raise Drop("word run ending in a function word (TABARI sequence)")
            self._add(
                Node(
                    f"{name}_mod{i}",
                    head,
                    ">",
                    lexeme=self.vocab.lexeme(term),
                    weight=WEIGHT["modifier"],
                )
            )
        return head

    def _phrase(self, pp: PrepPhrase, holders: tuple[str, ...]) -> None:
        n = len([x for x in self.nodes if x.id.startswith("pp") and "_" not in x.id])
        prep = self._add(
            Node(
                f"pp{n}",
                "verb",
                ">>",
                lower=frozenset(p.lower() for p in pp.preps),
                deps=PREP_DEPS,
                attach=holders,
                weight=WEIGHT["prep"],
            )
        )
        nps = [o for o in pp.objects if isinstance(o, NounPhrase)]
        markers = [o for o in pp.objects if isinstance(o, Marker)]
        if len(markers) > 1:
            raise Drop("two markers in one phrase")
        if nps:
            # "(IN AIR ATTACK)": several bare words in a phrase read as one noun phrase
            merged = NounPhrase(tuple(t for np in nps for t in np.terms), True)
            pobj = self._noun_phrase(merged, f"{prep}_obj", prep, POBJ_DEPS, WEIGHT["pobj"])
        else:
            pobj = self._add(Node(f"{prep}_obj", prep, ">", deps=POBJ_DEPS))
        role = markers[0].role if markers else None
        if role and nps:
            # "(TO + BORDER)": the actor modifies the phrase's noun ("to the Iraqi border")
            slot = self._add(Node(f"{prep}_actor", pobj, ">", deps=MODIFIER_DEPS))
        else:
            slot = pobj
        if role == "target":
            self.target = slot
        elif role == "source":
            self.source = slot
        elif not markers and not nps and self.bare_pobj is None:
            self.bare_pobj = slot  # "(TO)": the object of the phrase is the target
