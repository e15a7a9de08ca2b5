"""How a mention names an actor: the reading behind the words, which the extractor's
confidence, coreference and the search box all weigh."""

from __future__ import annotations

from detente.domain.stance import Term


class Via(Term):
    """The kind of words that stand for an actor in a text or in the gazetteer."""

    name = "name"  # a name of the actor ("Russia", "NATO")
    metonym = "metonym"  # a seat of power standing for it ("the Kremlin")
    capital = "capital"  # its capital city ("Moscow said")
    leader = "leader"  # its head of state or government, in office at the time
    person = "person"  # a person known to belong to it
    demonym = "demonym"  # "Russian", "the Russians"
    official = "official"  # an official of it ("a Russian diplomat")
    sector = "sector"  # a part of its population or forces ("Syrian rebels", "civilians")
    place = "place"  # its territory as a place, not as an agent
    event = (
        "event"  # its act standing for it where one reacts to the act ("condemned Peru's raids")
    )
    cessation = "cessation"  # the stopping of its act ("an end to Peru's raids")
    coref = "coref"  # a pronoun or description resolved to an earlier mention
    author = "author"  # the document's author, outside quotes ("we", in a statement)
    ner = "ner"  # a name the statistical recogniser found and the gazetteer did not
