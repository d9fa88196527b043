"""The store opens in Datasette with the metadata the repository ships
(datasette store/lianghui.db -m datasette/metadata.json): labels, facets by
person, city and topic, and full-text search over what was said."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import pytest_asyncio

from conftest import ROOT

datasette_app = pytest.importorskip("datasette.app", reason="datasette is not installed (pip install -e '.[web]')")

METADATA = ROOT / "datasette" / "metadata.json"


@pytest_asyncio.fixture
async def browser(seed_db: Path, tmp_path: Path):
    """Datasette over a copy of the seed store, named as the README's command names it."""
    store = tmp_path / "lianghui.db"
    shutil.copyfile(seed_db, store)
    datasette = datasette_app.Datasette(files=[str(store)], metadata=json.loads(METADATA.read_text(encoding="utf-8")), immutables=[])
    await datasette.invoke_startup()
    return datasette.client


def facet(body: dict, column: str) -> dict[str, int]:
    return {value["label"]: value["count"] for value in body["facet_results"][column]["results"]}


@pytest.mark.asyncio
async def test_items_facet_by_person_with_names_not_ids(browser):
    response = await browser.get("/lianghui/items.json?_labels=on&_size=0")
    assert 200 == response.status_code
    by_person = facet(response.json(), "speaker_id")
    assert by_person["马新强"] == 15
    assert {"quote", "statement", "fact"} == set(facet(response.json(), "kind"))


@pytest.mark.asyncio
async def test_cities_and_topics_facet_by_name(browser):
    cities = facet((await browser.get("/lianghui/item_cities.json?_size=0")).json(), "city")
    topics = facet((await browser.get("/lianghui/item_topics.json?_size=0")).json(), "topic_number")
    assert cities["武汉"] > 0 and topics["人工智能"] > 0


@pytest.mark.asyncio
async def test_full_text_search_and_the_canned_query(browser):
    found = (await browser.get("/lianghui/item_texts.json?_search=DeepSeek&_shape=objects")).json()["rows"]
    assert found and all("deepseek" in row["text"].lower() for row in found)
    asked = (await browser.get("/lianghui/who_said_what.json?person=马新强&city=&topic=人才&_shape=objects")).json()["rows"]
    assert asked and {"马新强"} == {row["speaker"] for row in asked} and all("人才" in row["topics"] for row in asked)


@pytest.mark.asyncio
async def test_internal_tables_are_hidden_and_the_title_is_set(browser):
    page = (await browser.get("/lianghui.json")).json()
    hidden = {table["name"] for table in page["tables"] if table["hidden"]}
    assert {"names", "chars", "vocab", "meta"} <= hidden
    assert "两会 who said what" == (await browser.get("/-/metadata.json")).json()["title"]
