"""Near-duplicate wire copies: stored and listed, counted as evidence once, whichever
arrives first; removing the counted copy promotes the next."""

from __future__ import annotations

from datetime import date

import pytest

from detente.analysis.ledger import Ledger
from detente.analysis.multigraph import who_backs_whom
from detente.analysis.views import relation_graph
from detente.extract import read_article
from detente.graph.duplicates import THRESHOLD, DuplicateIndex, _values, signature
from detente.graph.oxigraph import OxigraphStore
from detente.ingest import Ingestor

# A wire story of our own writing, long enough to be a copy (50 words and more).
STORY = (
    "Chile is arming the rebels in Peru, officials in Santiago said on Monday. The shipment "
    "of rifles and mortars crossed the border last week, according to two diplomats who "
    "spoke on condition of anonymity. Bolivia condemned the deliveries and called for talks. "
    "Argentina has offered to mediate between the two governments, and Brazil imposed "
    "sanctions on Chile over the arms transfers. Peru's army said it would resist."
)
OTHER = (
    "Norway and Sweden signed a defence pact in Oslo on Tuesday, pledging to share air "
    "patrols over the Baltic. Finland welcomed the agreement and said it would join the "
    "exercises next spring. Russia criticised the pact as a provocation and summoned the "
    "Norwegian ambassador. Denmark said it was studying the text before deciding whether "
    "to take part in the patrols, officials in Copenhagen said."
)


def wire_copy(text: str, byline: str) -> str:
    """The same story as another site runs it: its own byline and trailing links."""
    return (
        f"By {byline}\n\n{text}\n\nRead more: https://news.test/world/latest\n"
        "Follow our coverage of the region for updates."
    )


def similarity(a: str, b: str) -> float:
    x, y = _values(signature(a)), _values(signature(b))
    return float((x == y).mean())


def test_a_copy_with_another_byline_and_links_is_similar_and_another_story_is_not():
    assert (
        similarity(wire_copy(STORY, "Jane Roe, Wire Service"), wire_copy(STORY, "Staff"))
        >= THRESHOLD
    )
    assert similarity(STORY, wire_copy(STORY, "Staff")) >= THRESHOLD
    assert similarity(STORY, OTHER) < 0.3
    assert signature("Chile is arming the rebels in Peru, report 3 says.") is None  # too short


def evidence(store) -> dict[tuple[str, str, str], int]:
    rows = who_backs_whom(relation_graph(store))
    return {
        (r["subject"]["id"], r["predicate"], r["object"]["id"]): r["evidence_count"] for r in rows
    }


def ingest(store, extractor, items, **options):
    return list(
        Ingestor(store, extractor, **options).ingest_many(
            (read_article(text), source, published) for text, source, published in items
        )
    )


def quads(store: OxigraphStore) -> list[str]:
    return sorted(str(q) for q in store.native)


ITEMS = [
    (wire_copy(STORY, "Jane Roe, Wire Service"), "https://a.test/story", date(2022, 3, 2)),
    (wire_copy(STORY, "Staff Reporter"), "https://b.test/story", date(2022, 3, 1)),
    (STORY, "https://c.test/story", date(2022, 3, 1)),
    (OTHER, "https://d.test/pact", date(2022, 3, 1)),
]


@pytest.mark.slow
@pytest.mark.parametrize("bulk", [0, 2])
def test_copies_count_once_whatever_the_order_and_every_copy_is_listed(tmp_path, extractor, bulk):
    alone = OxigraphStore(None)
    ingest(alone, extractor, [ITEMS[2], ITEMS[3]])
    expected = evidence(alone)
    assert expected  # the story says something

    stores = []
    for n, order in enumerate([ITEMS, ITEMS[::-1], [ITEMS[1], ITEMS[3], ITEMS[0], ITEMS[2]]]):
        store = OxigraphStore(str(tmp_path / f"s{n}"))
        results = ingest(store, extractor, order, bulk=bulk)
        assert sorted(r.status for r in results) == ["added"] * 4
        assert evidence(store) == expected
        listed = {d["source"]: d["duplicate_of"] for d in Ingestor(store).documents()}
        assert len(listed) == 4
        # The earliest copy counts; between the two of 1 March, the lower content hash.
        counted = {d for d, c in listed.items() if c is None}
        assert "https://d.test/pact" in counted and len(counted) == 2
        assert "https://a.test/story" not in counted
        stores.append(store)
    assert quads(stores[0]) == quads(stores[1]) == quads(stores[2])
    for store in stores:
        store.close()


def test_removing_the_counted_copy_promotes_the_next_and_the_ledger_follows(tmp_path, extractor):
    store = OxigraphStore(str(tmp_path / "store"))
    ingest(store, extractor, ITEMS[:3])
    ledger = Ledger.from_store(store)
    base = evidence(store)
    ingestor = Ingestor(store, extractor)
    listed = {d["source"]: d for d in ingestor.documents()}
    counted = next(d for d in listed.values() if d["duplicate_of"] is None)
    removed, promoted = ingestor.retract(counted["id"])
    assert removed == [counted["id"]] and len(promoted) == 1
    ledger.apply(store, added=[f"https://w3id.org/detente/doc/{promoted[0]}"], removed=removed)
    assert evidence(store) == base  # still counted once, now from the promoted copy
    assert ledger.canonical() == Ledger.from_store(store).canonical()
    remaining = {d["id"]: d["duplicate_of"] for d in ingestor.documents()}
    assert remaining[promoted[0]] is None
    assert list(remaining.values()).count(promoted[0]) == 1  # the last copy points to it
    # A fresh index read from the store agrees with the one kept in step.
    assert DuplicateIndex.from_store(store).links == ingestor.copies().links
    store.close()


@pytest.mark.slow
def test_without_dedup_every_copy_counts(extractor):
    store = OxigraphStore(None)
    ingest(store, extractor, ITEMS[:2], dedup=False)
    single = OxigraphStore(None)
    ingest(single, extractor, ITEMS[:1])
    assert {k: 2 * v for k, v in evidence(single).items()} == evidence(store)
    assert all(d["duplicate_of"] is None for d in Ingestor(store).documents())


def test_the_service_ledger_counts_a_posted_copy_once(tmp_path, extractor):
    from detente.live.service import KnowledgeService

    svc = KnowledgeService(OxigraphStore(str(tmp_path / "store")), extractor)
    text, source, published = ITEMS[0]
    svc.ingest(read_article(text), source, published)
    before = svc.ledger().canonical()
    assert before
    for text, source, published in ITEMS[1:3]:  # earlier copies: each takes over the count
        result, _ = svc.ingest(read_article(text), source, published)
        assert result.status == "added"
        assert svc.ledger().canonical() == Ledger.from_store(svc.store).canonical()
        assert len(svc.ledger().canonical()) == len(before)
    counted = next(d["id"] for d in svc.documents() if d["duplicate_of"] is None)
    assert svc.remove(counted) == [counted]
    assert svc.ledger().canonical() == Ledger.from_store(svc.store).canonical()
    assert len(svc.ledger().canonical()) == len(before)
    svc.close()


def _literal(values) -> str:
    import base64

    import numpy as np

    return "mh1:" + base64.b64encode(np.asarray(values, dtype="<u4").tobytes()).decode()


def test_a_bridging_copy_merges_two_clusters_and_its_removal_splits_them():
    import numpy as np

    rng = np.random.default_rng(7)
    x = rng.integers(0, 2**32, 128)
    y = x.copy()
    y[:32] = rng.integers(0, 2**32, 32)  # 75 % like x
    z = y.copy()
    z[96:] = rng.integers(0, 2**32, 32)  # 75 % like y, 50 % like x
    index = DuplicateIndex()
    for doc, day, sig in (("doc-x", "2020-01-03", x), ("doc-z", "2020-01-01", z)):
        change = index.plan([(doc, doc, day, _literal(sig))])
        index.commit()
        assert change.update == "" and not change.counted  # not copies of each other
    change = index.plan([("doc-y", "doc-y", "2020-01-02", _literal(y))])
    index.commit()
    assert change.counted == {"doc-y": "doc-z"}  # the first published of the three
    assert change.demoted == ["doc-x"] and change.promoted == []
    assert index.links == {"doc-x": "doc-z", "doc-y": "doc-z"}
    change = index.plan([], ["doc-y"])
    index.commit()
    assert change.promoted == ["doc-x"] and index.links == {}
    assert "DELETE DATA" in change.update and "INSERT DATA" not in change.update


def links(store) -> dict[str, str]:
    from detente.graph.duplicates import DUPLICATES_GRAPH

    rows = store.values(f"SELECT ?c ?k WHERE {{ GRAPH <{DUPLICATES_GRAPH}> {{ ?c ?p ?k }} }}")
    return {c.rsplit("/", 1)[1]: k.rsplit("/", 1)[1] for c, k in rows}


def test_a_replacement_without_dedup_takes_its_links_along(extractor):
    store = OxigraphStore(None)
    first = ingest(store, extractor, ITEMS[:2])
    assert len(links(store)) == 1
    edited = (OTHER, ITEMS[0][1], ITEMS[0][2])  # the first source now says something else
    [result] = ingest(store, extractor, [edited], dedup=False)
    assert result.status == "replaced" and result.replaced == [first[0].doc_id]
    assert links(store) == {}  # no link to or from the document that is gone
    listed = {d["id"] for d in Ingestor(store).documents()}
    assert listed == {first[1].doc_id, result.doc_id}


class _FailingStore(OxigraphStore):
    """A store without a journaled bulk loader whose third document write fails."""

    journaled_bulk = False

    def __init__(self) -> None:
        super().__init__(None)
        self.writes = 0

    def replace_graphs(self, drop, graph_iri, triples, *, also: str = "") -> None:
        self.writes += str(graph_iri).startswith("https://w3id.org/detente/doc/")
        if self.writes == 3:
            raise OSError("the endpoint went away")
        super().replace_graphs(drop, graph_iri, triples, also=also)


def test_a_batch_that_fails_midway_on_a_store_without_a_journal_leaves_no_copy_unlinked(extractor):
    store = _FailingStore()
    items = [ITEMS[1], ITEMS[0], ITEMS[3]]
    with pytest.raises(OSError):
        ingest(store, extractor, items, bulk=3)
    assert len(links(store)) == 1  # the two copies went in, each with its link
    again = ingest(store, extractor, items, bulk=3)
    assert sorted(r.status for r in again) == ["added", "unchanged", "unchanged"]
    assert len(links(store)) == 1
