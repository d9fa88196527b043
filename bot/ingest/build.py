"""Build the store from the seed articles.

Ingest is the only writer. It reads every seed and sidecar (failing with the
file and line on bad input), rebuilds paragraphs, discovers the speakers,
extracts and attributes quotes, statements and facts, links them to people,
cities, topics and keywords, and writes one SQLite file with sqlite-utils.

The file is built under a temporary name beside the store and renamed over
it at the end, so a running bot never sees a half-built store and a failed
build leaves the old one untouched.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import logging
import os
import pickle
import re
import shutil
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO


from ..errors import SeedError, StoreError, StoreWriteError
from ..regexes import compiled
from ..text import display_width, has_cjk
from . import dictionary, gazetteer, roles
from .extract import COMPOUND_SURNAMES, SINGLE_SURNAMES, Extractor, discover_people
from .freshness import check_store_path, mark_built, store_is_current
from .layout import rebuild
from .records import BuildReport, ParsedArticle, PersonRecord, citation
from .seeds import PersonMeta, Seed, find_seeds, read_seed, seed_size_limit
from .segmenter import jieba
from .tokens import suggested_frequency
from .workers import Workers, fewer_collections, worker_count
from .write import LinkedArticle, Linker, article_digest, article_terms, extract_items, link_article, progress_bar, write_store

log = logging.getLogger(__name__)

TEMPORARY_SUFFIX = ".tmp"
_ROLE_WORDS = compiled("代表|委员")


# Seeds and freshness --------------------------------------------------------


def ensure_store(db_path: Path, seeds_dir: Path, progress: bool | None = None) -> BuildReport | None:
    """Build the store when it is missing, corrupt or older than its seeds.
    Returns the build report, or None when the store was already current."""
    check_store_path(db_path)
    if store_is_current(db_path, seeds_dir):
        return None
    if not seeds_dir.is_dir():
        raise StoreError(f"{db_path} is missing or unreadable, and there is no seeds directory at {seeds_dir} to build it from")
    log.info("building the store %s from %s", db_path, seeds_dir)
    return build_store(seeds_dir, db_path, progress=progress)


# The build ------------------------------------------------------------------


def build_store(
    seeds_dir: Path, db_path: Path, progress: bool | None = None, max_seed_bytes: int | None = None, workers: int | None = None
) -> BuildReport:
    """Ingest every seed in seeds_dir into a new store at db_path, atomically.
    max_seed_bytes overrides LIANGHUI_MAX_SEED_MB; workers, how many worker
    processes share the work (fewer than 2: none; None: as many as
    workers.worker_count says, which spawns them only for 400 articles or
    more: a script that calls this must start from ``if __name__ == "__main__":``).

    Two passes, so no article is held in memory: the first reads and
    rebuilds each one and finds its people, and leaves its text in a spill
    file beside the store; once everyone is known, the second reads each
    article back (earliest first), extracts and links it, and the writer
    commits its rows a batch of articles at a time.

    Every process of the build reads jieba's dictionary, word tags and IDF
    table from the words file (dictionary.py), a word as the articles ask
    for it, and never loads them whole: loaded, the dictionary alone is
    63 MB in each of the three processes of a build with two workers, and
    10,000 articles ask about 12,000 of its 498,000 entries."""
    started = time.perf_counter()
    check_store_path(db_path)
    # Read once, not once per seed and sidecar (each read of the settings reads .env).
    max_seed_bytes = seed_size_limit() if max_seed_bytes is None else max_seed_bytes
    paths = find_seeds(seeds_dir, max_seed_bytes)
    if not paths:
        raise SeedError(seeds_dir, None, "no articles (*.txt, *.md, *.html) to ingest")
    workers = worker_count(len(paths)) if workers is None else (workers if workers > 1 else 0)

    with _temporary_store(db_path) as temporary_path, _spill_file(db_path) as spill, fewer_collections():
        if workers:
            # Written here when this machine has none yet, not by each worker at once; and its warning, if it cannot be, is logged here.
            dictionary.words()
            with Workers(workers, _start_survey, (max_seed_bytes,)) as surveying:
                surveyed = _survey(
                    progress_bar(surveying.in_order(_survey_in_worker, paths, size=_seed_bytes), progress, "reading", len(paths)), spill, db_path
                )
            tokenizer = dictionary.words().tokenizer()
        else:
            # The first pass's tokenizer, not yet taught the names (as finding them needs), is taught them after it.
            tokenizer = dictionary.words().tokenizer()
            discovery = Discovery(tokenizer)
            surveyed = _survey(progress_bar((survey_article(path, discovery, max_seed_bytes) for path in paths), progress, "reading", len(paths)), spill, db_path)
            del discovery
        people, terms = _people_spilled(surveyed, spill)
        taught = _teach(tokenizer, people, terms)
        names = {record.name for record in people.values()}
        linker = Linker(tokenizer, Extractor(names), people)
        # Earliest first: a quote reprinted by several outlets is the item of the
        # first to publish it, and lists the others after it.
        order = sorted(surveyed, key=lambda survey: (survey.date or "9999", survey.slug))
        del surveyed
        tasks = ((_spilled(spill, survey.article_at), survey.homonyms) for survey in order)
        # Every word of the articles' paragraphs, counted where they are cut.
        vocabulary: Counter[str] = Counter()
        with contextlib.ExitStack() as stack:
            spelling_file = None
            if workers:
                linking = stack.enter_context(Workers(workers, _start_linking, (taught, tokenizer.total, names)))
                linked = _linked_in_workers(linking, tasks, vocabulary)
                # Where a helper writes the people's spellings while the store is ranked (write.spelt_apart).
                spelling_file = stack.enter_context(_temporary_store(db_path))
            else:
                linked = (link_spilled(task, linker, vocabulary) for task in tasks)
            try:
                report = write_store(
                    temporary_path,
                    progress_bar(linked, progress, "indexing", len(order)),
                    linker,
                    seeds_dir,
                    taught,
                    terms,
                    vocabulary,
                    spelling_file,
                )
                os.replace(temporary_path, db_path)
            except (OSError, sqlite3.Error) as error:
                raise StoreWriteError(_write_failure(db_path, error)) from None
    try:
        mark_built(db_path)
    except OSError as error:
        # The new store is in place and whole; unrecorded, it is only page-checked at each start.
        log.warning("could not record %s as built (%s)", db_path, error.strerror)
    report.path = db_path
    report.seconds = time.perf_counter() - started
    return report


@dataclass(slots=True)
class Surveyed:
    """What the first pass keeps of an article: enough to tell copies apart
    and put it in order. The rest waits in the spill file, as (offset,
    length): what it says of its people and the terms it quotes at
    ``people_at``, the rebuilt article at ``article_at``."""

    id: int
    slug: str
    file: str
    date: str | None
    mtime_ns: int
    digest: str
    has_sidecar: bool
    people_at: tuple[int, int] = (0, 0)  # where _survey spilled them
    article_at: tuple[int, int] = (0, 0)
    homonyms: dict[str, str] = field(default_factory=dict)  # filled when its people are merged


@contextmanager
def _spill_file(db_path: Path) -> Iterator[BinaryIO]:
    """An unnamed file beside the store that the articles wait in between
    the passes: gone when closed, or when a killed ingest's process ends."""
    try:
        spill = tempfile.TemporaryFile(dir=db_path.parent, prefix=db_path.name + ".")
    except OSError as error:
        raise StoreWriteError(_write_failure(db_path, error)) from None
    with spill:
        yield spill


@dataclass(slots=True)
class SurveyedArticle:
    """What the first pass makes of one seed: what it keeps of it, and the
    rest pickled for the spill file."""

    kept: Surveyed  # its places in the spill file not yet known
    people: bytes  # what it says of its people, its sidecar's people, the terms it quotes
    article: bytes  # the rebuilt article


def survey_article(path: Path, discovery: Discovery, max_seed_bytes: int | None) -> SurveyedArticle:
    """A seed read, checked and rebuilt, and its people found (by a tokenizer
    not yet taught them)."""
    article = read_article(path, max_seed_bytes)
    sidecar = article.seed.meta.people if article.seed.meta else []
    kept = Surveyed(
        id=article.id,
        slug=article.seed.slug,
        file=article.seed.path.name,
        date=article.date,
        mtime_ns=article.seed.path.stat().st_mtime_ns,
        digest=article_digest(article),
        has_sidecar=bool(sidecar),
    )
    return SurveyedArticle(
        kept,
        people=pickle.dumps((discovery.people_of(article), sidecar, article_terms(article)), pickle.HIGHEST_PROTOCOL),
        article=pickle.dumps(article, pickle.HIGHEST_PROTOCOL),
    )


def _survey(read: Iterable[SurveyedArticle], spill: BinaryIO, db_path: Path) -> list[Surveyed]:
    """The first pass: each seed as survey_article made it, written to the
    spill file; one of each article kept."""
    surveyed = []
    for survey in read:
        survey.kept.people_at = _spill(spill, db_path, survey.people)
        survey.kept.article_at = _spill(spill, db_path, survey.article)
        surveyed.append(survey.kept)
    try:
        spill.flush()
    except OSError as error:
        raise StoreWriteError(_write_failure(db_path, error)) from None
    return _one_of_each(surveyed)


def _spill(spill: BinaryIO, db_path: Path, data: bytes) -> tuple[int, int]:
    """Pickled data written to the end of the spill file: where it is. A
    full disk is said as for the store, which it is beside."""
    try:
        offset = spill.tell()
        spill.write(data)
    except OSError as error:
        raise StoreWriteError(_write_failure(db_path, error)) from None
    return offset, len(data)


def _unspill(spill: BinaryIO, at: tuple[int, int]) -> Any:
    """A value _spill wrote."""
    return pickle.loads(_spilled(spill, at))


def _spilled(spill: BinaryIO, at: tuple[int, int]) -> bytes:
    """The bytes _spill wrote at (offset, length); the file's buffer was flushed after the first pass."""
    offset, length = at
    return os.pread(spill.fileno(), length, offset)


def link_spilled(task: tuple[bytes, dict[str, str]], linker: Linker, vocabulary: Counter[str]) -> LinkedArticle:
    """The second pass's work on one article, (the article pickled, the
    homonyms it names): checked against its sidecar, its items extracted
    and linked, its words counted in vocabulary."""
    spilled, homonyms = task
    article: ParsedArticle = pickle.loads(spilled)
    article.homonyms = homonyms
    _check_named(article, linker.extractor)
    extract_items(article, linker.extractor)
    return link_article(article, linker, vocabulary)


def _linked_in_workers(linking: Workers, tasks: Iterable[tuple[bytes, dict[str, str]]], vocabulary: Counter[str]) -> Iterator[LinkedArticle]:
    """The articles linked by the workers, in order; after the last, each
    worker's count of the words it cut added to vocabulary, and the workers ended."""
    yield from linking.in_order(_link_in_worker, tasks, size=_spilled_bytes, then_each=True)
    for counted in linking.from_each(_words_cut_in_worker):
        vocabulary.update(counted)


# What a worker process works with in the pass it works in, made once by
# _start_survey or _start_linking (see workers.py).
_discovery: Discovery | None = None
_max_seed_bytes: int | None = None
_linker: Linker | None = None
_words_cut: Counter[str] = Counter()  # every word a linking worker cut, over its tasks


def _start_survey(max_seed_bytes: int | None) -> None:
    """A worker's discovery, over jieba's dictionary and word tags in the words file."""
    global _discovery, _max_seed_bytes
    tokenizer = dictionary.words().tokenizer()
    _discovery = Discovery(tokenizer)
    _max_seed_bytes = max_seed_bytes


def _survey_in_worker(path: Path) -> SurveyedArticle:
    assert _discovery is not None, "made by _start_survey"
    return survey_article(path, _discovery, _max_seed_bytes)


def _start_linking(taught: dict[str, tuple[int, str, str]], total: int, names: set[str]) -> None:
    """A worker's linker: a tokenizer taught what the main process's was, in
    the same order, with its total, so it cuts the same words."""
    global _linker
    _linker = Linker(taught_tokenizer(taught, total), Extractor(names), {})


def taught_tokenizer(taught: dict[str, tuple[int, str, str]], total: int) -> jieba.Tokenizer:
    """jieba over the words file, taught these words (in _teach's order), its total as _teach left it."""
    tokenizer = dictionary.words().tokenizer()
    for word, (freq, tag, _) in taught.items():
        tokenizer.add_word(word, freq, tag)
    tokenizer.total = total
    return tokenizer


def _seed_bytes(path: Path) -> int:
    """A seed's size, which its survey's size follows."""
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read_article says why


def _spilled_bytes(task: tuple[bytes, dict[str, str]]) -> int:
    return len(task[0])


def _link_in_worker(task: tuple[bytes, dict[str, str]]) -> LinkedArticle:
    assert _linker is not None, "made by _start_linking"
    return link_spilled(task, _linker, _words_cut)


def _words_cut_in_worker() -> Counter[str]:
    return _words_cut


def _people_spilled(surveyed: list[Surveyed], spill: BinaryIO) -> tuple[dict[str, PersonRecord], Counter[str]]:
    """Everyone the first pass found speaking, merged (see _merged_people),
    and the terms the articles quote, with how many quote each."""
    terms: Counter[str] = Counter()

    def found() -> Iterator[tuple[list[PersonRecord], str, dict[str, str]]]:
        for survey in surveyed:
            records, _, quoted = _unspill(spill, survey.people_at)
            terms.update(quoted)
            yield records, survey.slug, survey.homonyms

    sidecars = ((_unspill(spill, survey.people_at)[1], survey.id) for survey in surveyed if survey.has_sidecar)
    return _merged_people(found(), sidecars), terms


@contextmanager
def _temporary_store(db_path: Path) -> Iterator[Path]:
    """A new file beside the store to build into, held locked while it is
    written and removed unless it was renamed into place. Files a killed
    ingest left behind (no process holds their lock) are removed first."""
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(db_path)
        handle, temporary = tempfile.mkstemp(prefix=db_path.name + ".", suffix=TEMPORARY_SUFFIX, dir=db_path.parent)
    except OSError as error:
        raise StoreWriteError(_write_failure(db_path, error)) from None
    temporary_path = Path(temporary)
    try:
        # flock, not SQLite's own fcntl locks: the two never interfere.
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield temporary_path
    finally:
        os.close(handle)
        temporary_path.unlink(missing_ok=True)


def remove_leftovers(db_path: Path) -> list[Path]:
    """Remove the temporary files of ingests that were killed mid-build (up to
    a whole store each) beside db_path; a build still running holds a lock on
    its file and is left alone. Returns the files removed."""
    removed = []
    for path in db_path.parent.glob(f"{glob.escape(db_path.name)}.*{TEMPORARY_SUFFIX}"):
        try:
            handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # another ingest is writing it
        else:
            path.unlink(missing_ok=True)
            removed.append(path)
        finally:
            os.close(handle)
    if removed:
        log.info("removed %d temporary files a killed ingest left: %s", len(removed), ", ".join(p.name for p in removed))
    return removed


def _write_failure(db_path: Path, error: OSError | sqlite3.Error) -> str:
    """One line on why the store could not be written, and that the old one stands."""
    kept = " (the old store is unchanged)" if db_path.is_file() else ""
    full = getattr(error, "errno", None) == errno.ENOSPC or "disk is full" in str(error)
    if full:
        free = shutil.disk_usage(db_path.parent).free / 1e6
        return f"cannot write the store {db_path}: the disk is full ({free:.1f} MB free in {db_path.parent}){kept}"
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    if isinstance(error, OSError) and error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason += " (a read-only folder or file system, or a file marked immutable?)"
    return f"cannot write the store {db_path}: {reason}{kept}"


def read_articles(paths: Iterable[Path], max_seed_bytes: int | None = None) -> list[ParsedArticle]:
    """Each seed read and its paragraphs rebuilt, checked (see read_article)."""
    return [read_article(path, max_seed_bytes) for path in paths]


def read_article(path: Path, max_seed_bytes: int | None = None) -> ParsedArticle:
    """A seed read and its paragraphs rebuilt, checked: an article with no
    text, or a sidecar naming a city the gazetteer does not know, is an error
    naming the file."""
    article = _parsed(read_seed(path, max_seed_bytes))
    if not article.layout.paragraphs:
        raise SeedError(article.seed.path, None, "no paragraphs of text after the title")
    cities_by_spelling = gazetteer.city_by_name()
    for person in article.seed.meta.people if article.seed.meta else []:
        city = person.facts.get("city")
        if city and city.value not in cities_by_spelling:
            raise SeedError(article.seed.meta_path or article.seed.path, city.line or person.line, f"unknown city {city.value!r} for {person.name}")
    return article


def _parsed(seed: Seed) -> ParsedArticle:
    """An article with its paragraphs rebuilt, keeping only what ingest reads
    later: a full ingest spills every article to disk between its passes,
    and an add holds its articles until their items are written; the raw
    text, each paragraph's source lines and the page furniture would be
    about half of that for nothing."""
    layout = rebuild(seed.text)
    for paragraph in layout.paragraphs:
        paragraph.lines = []
    layout.furniture = []
    seed.text = ""
    return ParsedArticle(seed, layout)


def _one_of_each(surveyed: list[Surveyed]) -> list[Surveyed]:
    """The same article under two file names is one article: the earliest
    (by date, then the file that came first, then name) is kept, and the copy
    is logged. A copy added later never takes the place, and the links, of
    the article the store already had. Texts are compared by digest, so no
    second copy of every article is held."""
    kept: dict[str, Surveyed] = {}
    for survey in sorted(surveyed, key=lambda survey: (survey.date or "9999", survey.mtime_ns, survey.slug)):
        if survey.digest in kept:
            log.info("%s is the same article as %s: ingested once", survey.file, kept[survey.digest].file)
            continue
        kept[survey.digest] = survey
    kept_ids = {id(survey) for survey in kept.values()}
    return [survey for survey in surveyed if id(survey) in kept_ids]


def part_of_speech(tokenizer: jieba.Tokenizer) -> dictionary.Tagger:
    """jieba's part-of-speech tagger over tokenizer, with the word tags of
    jieba's dictionary read from the words file as they are asked for."""
    return dictionary.Tagger(tokenizer, dictionary.words().tags())


class Discovery:
    """What finding an article's speakers needs, made once: the words that
    only look like names, and jieba's part of speech to read a name that no
    cue follows."""

    def __init__(self, tokenizer: jieba.Tokenizer, tagger: dictionary.Tagger | None = None):
        self.tokenizer = tokenizer
        # jieba's part-of-speech tagger over tokenizer: the caller's, or one over the words file's tags.
        self.tagger = tagger or part_of_speech(tokenizer)
        self.spellings = gazetteer.city_by_name()
        self.provinces = gazetteer.provinces()
        self.topic_terms = {term for topic in gazetteer.topics() for term in (topic.name, *topic.synonyms)}
        # name_at's answer for each text it was asked about: the tagger's HMM
        # costs about a millisecond a call, and a name with the words after it
        # recurs across the articles that quote them.
        self._names_at: dict[str, str | None] = {}

    def rejects(self, name: str) -> bool:
        # Place names and common words sit before speech verbs too: 武汉还提出…… / 安徽表示…… / 公司表示……
        return name in self.spellings or name in self.provinces or name in self.topic_terms or self.tokenizer.FREQ.get(name, 0) >= 2000

    def name_at(self, text: str) -> str | None:
        """The name a role is followed by. jieba's part of speech is the
        second signal: the word it tags nr; or a surname it leaves alone and
        the word after it (卞 + 海虹, 欧阳 + 宏伟)."""
        if text not in self._names_at:
            self._names_at[text] = self._tagged_name(text)
        return self._names_at[text]

    def _tagged_name(self, text: str) -> str | None:
        words = list(islice(self.tagger.cut(text), 2))
        if words and words[0].flag == "nr" and 2 <= len(words[0].word) <= 4:
            return words[0].word
        if len(words) == 2 and (words[0].word in COMPOUND_SURNAMES or (len(words[0].word) == 1 and words[0].word in SINGLE_SURNAMES)):
            if 1 <= len(words[1].word) <= 2 and has_cjk(words[1].word):
                return words[0].word + words[1].word
        return None

    def people_of(self, article: ParsedArticle) -> list[PersonRecord]:
        """Everyone the article shows speaking, with what it alone says of
        them (role, level, region, affiliation, city), each fact citing it."""
        records = []
        texts = [paragraph.text for paragraph in article.layout.paragraphs]
        session = roles.session_of([article.layout.title, article.layout.subtitle or "", *texts])
        bare_titles = roles.BARE_TITLES[session.level] if session else {}
        residents = roles.lead_city([article.layout.title, article.layout.subtitle or "", *texts[:1]])
        cities_named = _cities_from_text(texts)
        for name, evidence in discover_people(texts, self.rejects, bare_titles, self.name_at).items():
            record = PersonRecord(name, discovered=True)
            where = citation(article)
            role_city = None
            for role, phrase in list(evidence.roles.items())[:1]:
                record.facts.setdefault("role", (role, f"{where}: “{phrase}”", article.id))
                facts = roles.role_facts(role, session)
                # A level or place the role takes from the session cites the session too.
                own = roles.role_facts(role, None)
                quoted = f"“{phrase}”" if (facts.level, facts.region, facts.city) == (own.level, own.region, own.city) else f"“{phrase}”“{session.phrase}”"
                for key, value in (("level", facts.level), ("region", facts.region)):
                    if value:
                        record.facts.setdefault(key, (value, f"{where}: {quoted}", article.id))
                if facts.city:
                    role_city = (facts.city, f"{where}: {quoted}", article.id)
            for affiliation, phrase in evidence.affiliations.items():
                record.facts.setdefault("affiliation", (affiliation, f"{where}: “{phrase}”", article.id))
            said, city = next(((said, found) for said, found in cities_named.items() if said.startswith(name)), ("", None))
            if city:
                # The phrase ends with the name, not with what follows it (柯云舟表示 -> 柯云舟).
                phrase = city[1][: len(city[1]) - len(said) + len(name)]
                record.facts.setdefault("city", (city[0], f"{where}: “{phrase}”", article.id))
            if role_city:
                record.facts.setdefault("city", role_city)
            stated = roles.cities_stated(texts, name)
            if stated:
                record.facts.setdefault("city", (stated[0], f"{where}: “{stated[1]}”", article.id))
            for affiliation, phrase in evidence.affiliations.items():
                if found := roles.city_of_affiliation(affiliation):
                    record.facts.setdefault("city", (found, f"{where}: “{phrase}”", article.id))
            if residents:
                record.facts.setdefault("city", (residents[0], f"{where}: “{residents[1]}”", article.id))
            records.append(record)
        return records


def _people(
    articles: list[ParsedArticle], tokenizer: jieba.Tokenizer, tagger: dictionary.Tagger | None = None
) -> dict[str, PersonRecord]:
    """Everyone who speaks in these articles, merged (see _merged_people).
    tagger: jieba's part-of-speech tagger over tokenizer, when the caller
    keeps one."""
    discovery = Discovery(tokenizer, tagger)
    found = ((discovery.people_of(article), article.seed.slug, article.homonyms) for article in articles)
    sidecars = ((article.seed.meta.people if article.seed.meta else [], article.id) for article in articles)
    return _merged_people(found, sidecars)


def _merged_people(
    found: Iterable[tuple[list[PersonRecord], str, dict[str, str]]], sidecars: Iterable[tuple[list[PersonMeta], int]]
) -> dict[str, PersonRecord]:
    """Everyone who speaks: what each article's text shows of its people
    (records, slug, homonyms), merged in the order the articles come, the
    names that mean a homonym noted in that article's homonyms (see _merge); then what each
    sidecar (people, article id) says, which wins over what the text implies
    and keeps its source. Both are read in that order, one after the other."""
    people: dict[str, PersonRecord] = {}
    for records, slug, homonyms in found:
        for record in records:
            _merge(people, record, slug, homonyms)
    for sidecar, article_id in sidecars:
        _apply_sidecar(people, sidecar, article_id)
    return people


def _apply_sidecar(people: dict[str, PersonRecord], sidecar: list[PersonMeta], article_id: int) -> None:
    """What an article's sidecar says of its people, over what the text implies."""
    spellings = gazetteer.city_by_name()
    for person in sidecar:
        record = people.setdefault(person.name, PersonRecord(person.name))
        if "role" in person.facts:
            # The level and region the text's role gave go with the role the sidecar replaces.
            record.facts.pop("level", None)
            record.facts.pop("region", None)
        for key, fact in person.facts.items():
            value = spellings[fact.value].name if key == "city" else fact.value
            record.facts[key] = (value, fact.source, article_id)
        record.aliases.extend(alias for alias in person.aliases if alias not in record.aliases)


def _merge(people: dict[str, PersonRecord], found: PersonRecord, slug: str, homonyms: dict[str, str]) -> None:
    """What one article (of this slug) says about a person, merged into
    everyone found so far: into the person of that name, unless their cities
    or role levels conflict; then into (or as) a homonym told apart by city
    or level, noted in the article's homonyms."""
    target = people.get(found.name)
    if target is not None and target.conflicts_with(found):
        city, level = found.facts.get("city"), found.facts.get("level")
        found.homonym = city[0] if city else level[0] if level else slug
        target = people.get(found.key)
        homonyms[found.name] = found.key
    if target is None:
        people[found.key] = found
        return
    for key, fact in found.facts.items():
        target.facts.setdefault(key, fact)
    target.discovered = target.discovered or found.discovered


def _check_named(article: ParsedArticle, extractor: Extractor) -> None:
    """Every person the sidecar lists must be named in the article's rebuilt
    paragraphs, as a name of its own: 王行 inside 王行环 names no one, and a
    name broken across a column line break (王/行环) is named once the lines
    are joined."""
    meta = article.seed.meta
    if not meta:
        return
    named = {name for paragraph in article.layout.paragraphs for _, name in extractor.names_in(paragraph.text)}
    for person in meta.people:
        if person.name in named:
            continue
        inside = sorted(name for name in named if person.name in name)
        where = f" except inside {'、'.join(inside)}" if inside else ""
        raise SeedError(
            article.seed.meta_path or article.seed.path, person.line, f"person {person.name} never appears in {article.seed.path.name}{where}"
        )


def _cities_from_text(texts: list[str]) -> dict[str, tuple[str, str]]:
    """Cities the text gives people: 来自武汉的全国人大代表张三 / 武汉市人大代表张三.
    Maps the characters after the role (the name and perhaps more) to the
    city and the phrase that says so."""
    spellings = gazetteer.city_by_name()
    found: dict[str, tuple[str, str]] = {}
    for text in texts:
        if "代表" not in text and "委员" not in text:
            continue  # the pattern ends on a role: the city names of the rest need not be tried
        for match in _city_roles(text):
            found.setdefault(match.group("name"), (spellings[match.group("city")].name, match.group(0)))
    return found


@cache
def city_role() -> tuple[re.Pattern[str], int, int]:
    """A city before a role and a name (武汉市人大代表张三), made once: the
    gazetteer's names make a large pattern; and how far before its 代表 or
    委员 a match may start, at most and at least: the longest city name, 的
    and 全国人大; the shortest name."""
    spellings = sorted(gazetteer.city_by_name(), key=len, reverse=True)
    pattern = compiled(
        "(?P<city>{})的?(?:全国人大代表|全国政协委员|人大代表|政协委员|代表|委员)[、，]?(?P<name>[\u4e00-\u9fff]{{2,4}})".format(
            "|".join(map(re.escape, spellings))
        )
    )
    return pattern, len(spellings[0]) + len("的全国人大"), len(spellings[-1])


def _city_roles(text: str) -> Iterator[re.Match[str]]:
    """city_role's pattern's finditer(text), the pattern tried only where a
    match may start: a city name (and 的, and 全国人大) before each 代表 or
    委员, not at every character, each against some 400 names (0.6 s of a
    10,000-article first pass, against 1.3). Tried in order, after the last
    match's end, the first to match is the one finditer finds."""
    pattern, farthest, nearest = city_role()
    starts = {start for role in _ROLE_WORDS.finditer(text) for start in range(max(0, role.start() - farthest), role.start() - nearest + 1)}
    free = 0
    for start in sorted(starts):
        if start >= free and (match := pattern.match(text, start)):
            free = match.end()
            yield match


def _teach(tokenizer: jieba.Tokenizer, people: dict[str, PersonRecord], terms: Iterable[str]) -> dict[str, tuple[int, str, str]]:
    """Teach jieba every name it must keep whole: its dictionary splits
    罗卫东 into 罗/卫东 and 王行环 into 王行/环; and the short terms the text
    quotes, which it would split too (六小龙 into 六/小龙), so the index and
    the vocabulary queries are cut with hold them whole. Names and terms go
    in name order, so the frequencies jieba suggests for them do not depend
    on the order articles came in. Returns each word taught: its frequency,
    tag and why (person, term, gazetteer), which the store keeps."""
    taught: dict[str, tuple[int, str, str]] = {}
    names = sorted({record.name for record in people.values()})
    terms = sorted(set(terms))
    if isinstance(tokenizer.FREQ, dictionary.LookedUp):
        # What cutting the names and terms asks the words file, read together.
        tokenizer.FREQ.prefetch([*names, *terms])

    def add(word: str, freq: int, tag: str, source: str) -> None:
        tokenizer.add_word(word, freq, tag)
        taught[word] = (freq, tag, source)

    for name in names:
        add(name, max(suggested_frequency(tokenizer, name), 1000), "nr", "person")
    for term in terms:
        if tokenizer.lcut(term, HMM=False) != [term]:
            add(term, suggested_frequency(tokenizer, term), "n", "term")
    for city in gazetteer.cities():
        for spelling in (city.name, *city.aliases):
            if tokenizer.FREQ.get(spelling, 0) == 0:
                add(spelling, suggested_frequency(tokenizer, spelling), "ns", "gazetteer")
    for compound in gazetteer.CITY_COMPOUNDS:
        if tokenizer.FREQ.get(compound, 0) == 0:
            add(compound, suggested_frequency(tokenizer, compound), "ns", "gazetteer")
    for topic in gazetteer.topics():
        for term in (topic.name, *topic.synonyms):
            if has_cjk(term) and tokenizer.FREQ.get(term, 0) == 0:
                add(term, suggested_frequency(tokenizer, term), "n", "gazetteer")
    return taught


# Writing --------------------------------------------------------------------


def summary(report: BuildReport) -> str:
    items = report.items
    return (
        f"{report.path}: {report.articles} articles, {report.paragraphs} paragraphs, {report.people} people, "
        f"{items['quote']} quotes, {items['statement']} statements, {items['fact']} facts in {report.seconds:.2f} s"
    )


def per_person_table(report: BuildReport) -> str:
    """Counts per person in columns. Names are padded by display width (a Han
    character takes two columns), so the counts line up under their heads."""
    width = max([display_width("person"), *map(display_width, report.per_person)])

    def padded(name: str) -> str:
        return name + " " * (width - display_width(name))

    lines = [f"{padded('person')} {'quotes':>6} {'statements':>10} {'facts':>5}"]
    for name, counts in report.per_person.items():
        lines.append(f"{padded(name)} {counts['quote']:>6} {counts['statement']:>10} {counts['fact']:>5}")
    return "\n".join(lines)

