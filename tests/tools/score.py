"""Score the reader against a hand-built truth list: who was found, what was
said by whom, where they come from, and where each article came from.

    python tests/tools/score.py SEEDS_DIR TRUTH_JSON [-v] [--json]

It builds a store from SEEDS_DIR in a temporary directory (the same
``build_store`` as ``lianghui-bot ingest``) and compares the store with the
truth file, printing each measure of issue 11's target table. ``-v`` adds a
line per article and lists what was missed.

The truth file is ``{"articles": [...]}``, one entry per article file:
``file``, ``outlet``, ``date``, ``title`` (null when the text has no
headline), optionally ``source_stated`` (false when the outlet is known only
from outside the text), ``people`` (``name``, ``role``, ``level``,
``region``, ``city``, ``affiliation``) and ``statements`` (``speaker``, null
for no one, optionally ``co_speakers``, and ``text``, an exact substring of
the article); optionally ``mentioned``, the names of members the article
names with their role but who say nothing in it (a photo caption's), whom
the store may hold without their being false people.

How each measure is counted:

* **quoted people found**: a truth person counts when the store has a person
  of that name who speaks in that article.
* **false people**: store people that no truth article lists as a person or
  as mentioned.
* **statement recall**: a statement counts when an item of its article
  contains its text under the right speaker; a statement of no one counts
  when no item gives it to anyone. ASCII and full-width punctuation are
  treated alike on both sides (the real pages mix them).
* **attribution precision**: of the statements that an item gives to
  someone, those given only to the right people. A ``fact`` item gives its
  words to no one: it is the article's own sentence (figures, or reporting
  with no cue) stored in a person's section and shown as reported, so a
  truth statement of no one found in one counts as no one's, and a person's
  statement found only in one is not found. How many statements sit in
  someone's section that way is printed as "reporting in a section".
* **city**: of the truth people with a city, those stored with it.
* **role level wrong**: stored levels that differ from the truth's (a stored
  role with no level of its own is read by its prefix: 全国, 省, 市, 区/县).
* **source and date**: of the articles whose text states the outlet or a full
  date, those stored with both as stated. The title is scored beside it.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Full-width punctuation and its ASCII twin are the same mark for matching.
_PUNCTUATION = str.maketrans("，：；！？（）", ",:;!?()")


def normal(text: str) -> str:
    return "".join(text.translate(_PUNCTUATION).split())


def level_of_role(role: str | None) -> str | None:
    """The level a role's own words give: 全国政协委员 national, 湖北省人大代表
    provincial, 武汉市… city, …区/县… county, a bare 委员 none."""
    if not role:
        return None
    if role.startswith("全国") or "全国" in role:
        return "national"
    for marker, level in (("区", "county"), ("县", "county"), ("市", "city"), ("省", "provincial")):
        if marker in role:
            return level
    return None


@dataclass
class Score:
    people: int = 0
    people_found: int = 0
    false_people: list[str] = field(default_factory=list)
    statements: int = 0
    statements_right: int = 0
    attributed: int = 0
    attributed_right: int = 0
    cities: int = 0
    cities_right: int = 0
    levels_stated: int = 0
    levels_wrong: list[str] = field(default_factory=list)
    sourced: int = 0
    sourced_right: int = 0
    titles: int = 0
    titles_right: int = 0
    homonyms: list[str] = field(default_factory=list)  # names two stored people share
    in_sections: int = 0  # truth statements stored only as facts in someone's section
    lines: list[str] = field(default_factory=list)

    def measures(self) -> dict[str, object]:
        def percent(part: int, whole: int) -> float | None:
            return round(100.0 * part / whole, 1) if whole else None

        return {
            "people_found": percent(self.people_found, self.people),
            "false_people": len(self.false_people),
            "attribution_precision": percent(self.attributed_right, self.attributed),
            "statement_recall": percent(self.statements_right, self.statements),
            "city": percent(self.cities_right, self.cities),
            "level_wrong": len(self.levels_wrong),
            "source_date": percent(self.sourced_right, self.sourced),
            "title": percent(self.titles_right, self.titles),
        }


class Store:
    """The built store, read as the scorer needs it."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path)
        self.articles = {
            file: (article_id, title, source, date)
            for article_id, file, title, source, date in self.db.execute("select id, file, title, source, date from articles")
        }
        self.people: dict[int, str] = dict(self.db.execute("select id, name from people"))
        self.facts: dict[int, dict[str, str]] = {}
        for person_id, key, value in self.db.execute("select person_id, field, value from person_facts"):
            self.facts.setdefault(person_id, {})[key] = value
        # Every item of every article it appears in, with all who speak in it
        # (none for a fact) and whose section it is in.
        self.items: dict[int, list[tuple[str, set[str], str | None]]] = {}
        joint: dict[int, set[str]] = {}
        for item_id, person_id in self.db.execute("select item_id, person_id from item_people where joint = 1") if self._has_joint() else ():
            joint.setdefault(item_id, set()).add(self.people[person_id])
        self.speaker_ids: dict[int, set[int]] = {}
        for item_id, article_id, text, speaker_id, kind in self.db.execute(
            "select items.id, item_sources.article_id, item_texts.text, items.speaker_id, items.kind "
            "from items join item_texts on item_texts.id = items.id join item_sources on item_sources.item_id = items.id"
        ):
            section = self.people[speaker_id] if speaker_id else None
            speakers = set() if kind == "fact" else ({section} if section else set()) | joint.get(item_id, set())
            self.items.setdefault(article_id, []).append((normal(text), speakers, section))
            if speaker_id:
                self.speaker_ids.setdefault(article_id, set()).add(speaker_id)

    def _has_joint(self) -> bool:
        return any(row[1] == "joint" for row in self.db.execute("pragma table_info(item_people)"))

    def speakers_in(self, article_id: int) -> set[str]:
        return {name for _, speakers, _ in self.items.get(article_id, ()) for name in speakers}

    def people_named(self, name: str, article_id: int) -> list[int]:
        """The people of that name who speak in the article; all of that name
        when none does (two people of one name are kept apart)."""
        named = [person_id for person_id, person in self.people.items() if person == name]
        speaking = [person_id for person_id in named if person_id in self.speaker_ids.get(article_id, ())]
        return speaking or named


def score(store: Store, truth: dict) -> Score:
    result = Score()
    truth_names = {person["name"] for article in truth["articles"] for person in article["people"]}
    truth_names |= {name for article in truth["articles"] for name in article.get("mentioned", ())}
    result.false_people = sorted(set(store.people.values()) - truth_names)
    result.homonyms = sorted(name for name in set(store.people.values()) if list(store.people.values()).count(name) > 1)
    for article in truth["articles"]:
        stored = store.articles.get(article["file"])
        if stored is None:
            result.lines.append(f"{article['file']}: not in the store")
            continue
        article_id, title, source, date = stored
        speakers = store.speakers_in(article_id)
        items = store.items.get(article_id, [])
        missed: list[str] = []

        found = [person["name"] for person in article["people"] if person["name"] in speakers]
        result.people += len(article["people"])
        result.people_found += len(found)
        missed += [f"person {person['name']}" for person in article["people"] if person["name"] not in speakers]

        right = 0
        for statement in article["statements"]:
            expected = {statement["speaker"], *statement.get("co_speakers", ())} - {None}
            holding = [(speakers_of, section) for text, speakers_of, section in items if normal(statement["text"]) in text]
            given = [speakers_of for speakers_of, _ in holding]
            attributed = [names for names in given if names]
            result.in_sections += bool(holding) and not attributed and any(section for _, section in holding)
            if attributed:
                result.attributed += 1
                if all(names <= expected for names in attributed):
                    result.attributed_right += 1
            if expected:
                ok = any(statement["speaker"] in names for names in given)
            else:
                ok = not attributed
            right += ok
            if not ok:
                said = "、".join(sorted(set().union(*attributed))) if attributed else ("no one" if given else "no item")
                missed.append(f"statement {statement['text']!r}: {statement['speaker'] or 'no one'}, stored {said}")
        result.statements += len(article["statements"])
        result.statements_right += right

        for person in article["people"]:
            ids = store.people_named(person["name"], article_id)
            facts = [store.facts.get(person_id, {}) for person_id in ids]
            if person.get("city"):
                result.cities += 1
                if any(fact.get("city") == person["city"] for fact in facts):
                    result.cities_right += 1
                else:
                    missed.append(f"city of {person['name']}: {person['city']}, stored {[fact.get('city') for fact in facts]}")
            for fact in facts:
                level = fact.get("level") or level_of_role(fact.get("role"))
                if level and person.get("level"):
                    result.levels_stated += 1
                    if level != person["level"]:
                        result.levels_wrong.append(f"{person['name']} ({article['file']}): {fact.get('role')} stored {level}, truth {person['level']}")

        outlet_stated = bool(article.get("outlet")) and article.get("source_stated", True)
        if outlet_stated or article.get("date"):
            result.sourced += 1
            source_ok = not outlet_stated or (source is not None and (source in article["outlet"] or article["outlet"] in source))
            date_ok = not article.get("date") or date == article["date"]
            result.sourced_right += source_ok and date_ok
            if not (source_ok and date_ok):
                missed.append(f"source/date: {article.get('outlet')} {article.get('date')}, stored {source} {date}")
        if "title" in article:
            result.titles += 1
            title_ok = (title or None) == (article["title"] or None) or (
                title and article["title"] and normal(title) == normal(article["title"])
            )
            result.titles_right += bool(title_ok)
            if not title_ok:
                missed.append(f"title: {article['title']!r}, stored {title!r}")

        result.lines.append(
            f"{article['file']}: people {len(found)}/{len(article['people'])}, statements {right}/{len(article['statements'])}"
        )
        result.lines.extend(f"    {line}" for line in missed)
    return result


def build(seeds: Path, directory: Path) -> Path:
    from bot.ingest.build import build_store

    db_path = directory / "score.db"
    build_store(seeds, db_path, progress=False)
    return db_path


def report(result: Score, verbose: bool) -> str:
    measures = result.measures()

    def shown(value: object, unit: str = "%") -> str:
        return "n/a" if value is None else f"{value}{unit}"

    lines = [
        f"quoted people found      {shown(measures['people_found'])} ({result.people_found} of {result.people})",
        f"false people             {measures['false_people']}" + (f" ({'、'.join(result.false_people)})" if result.false_people else ""),
        f"attribution precision    {shown(measures['attribution_precision'])} ({result.attributed_right} of {result.attributed} statements given to someone)",
        f"statement recall         {shown(measures['statement_recall'])} ({result.statements_right} of {result.statements})",
        f"reporting in a section   {result.in_sections} statements (facts shown as reported in a person's section, no one's words)",
        f"city where stated        {shown(measures['city'])} ({result.cities_right} of {result.cities})",
        f"role level wrong         {measures['level_wrong']} (of {result.levels_stated} stored levels)",
        f"source and date stated   {shown(measures['source_date'])} ({result.sourced_right} of {result.sourced} articles)",
        f"title                    {shown(measures['title'])} ({result.titles_right} of {result.titles} articles)",
        f"names kept apart         {'、'.join(result.homonyms) or 'none'}",
    ]
    if verbose:
        lines += ["", *result.lines, *(f"level: {line}" for line in result.levels_wrong)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score the reader on a seeds folder against its truth list.")
    parser.add_argument("seeds", type=Path, help="the seeds folder")
    parser.add_argument("truth", type=Path, help="the truth list (JSON)")
    parser.add_argument("-v", "--verbose", action="store_true", help="a line per article, and what was missed")
    parser.add_argument("--json", action="store_true", help="print the measures as one JSON object")
    args = parser.parse_args(argv)
    try:
        truth = json.loads(args.truth.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        parser.exit(2, f"score.py: cannot read {args.truth}: {error}\n")
    import logging

    logging.disable(logging.WARNING)
    from bot.errors import BotError

    with tempfile.TemporaryDirectory() as directory:
        try:
            store = Store(build(args.seeds, Path(directory)))
        except BotError as error:
            parser.exit(2, f"score.py: {error}\n")
        result = score(store, truth)
        store.db.close()
    print(json.dumps(result.measures(), ensure_ascii=False) if args.json else report(result, args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
