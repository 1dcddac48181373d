"""The page of ``glyce-allennlp serve`` in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``, driven by selenium) loads it from a server started here (the real command, small trained
models: UD POS tagger, parser, NER tagger, text classifier), submits text, and the DOM must show what the API
returned: words with POS, highlighted entities, one drawn dependency arc per word, class probabilities; clicking a
character shows its glyph images and its nearest characters. A screenshot is taken (``GLYCE_SERVE_SCREENSHOT=PATH``
also writes it there, e.g. docs/serve_page.png).

``make test`` installs Chromium and its driver when they are missing and it runs as root (``make browser``).
"""
import os
import shutil
import struct
from pathlib import Path

import httpx
import pytest

from reliability_support import trained_small_model
from serve_support import running_server, trained_ner, trained_ud_pos

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1400", "--lang=zh-CN"]
TEXTS = ["张伟今天在北京工作。", "高翔是工商银行的老师。"]
WAIT = 60  # seconds for the page to show a result (the server runs four models on a busy CPU)


@pytest.fixture(scope="module")
def server():
    specs = [str(trained_ud_pos()), str(trained_small_model("dependency_parser")), str(trained_ner()),
             str(trained_small_model("text_classifier"))]
    with running_server(specs) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.fail(f"the page test needs {CHROMIUM} and {CHROMEDRIVER}: apt-get install chromium chromium-driver "
                    f"(`make test` does it when run as root)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, condition, message):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT, poll_frequency=0.2).until(lambda d: condition(d), message)


def image_loaded(driver, element_id):
    return driver.execute_script(
        "const i = document.getElementById(arguments[0]); return i.complete && i.naturalWidth > 0;", element_id)


def png_size(path: Path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_page_shows_words_entities_tree_classes_and_glyphs(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    expected = httpx.post(server + "/pipeline", json={"lines": TEXTS}, timeout=120, trust_env=False).json()["results"]
    entities = [e["text"] for record in expected for e in record["ner"]["entities"]]
    assert entities, "the NER fixture model finds an entity in these sentences"

    browser.get(server + "/")
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#model option"), "model list")
    assert browser.find_element(By.CSS_SELECTOR, "#model option").text.startswith("pipeline (segment: pos")
    text = browser.find_element(By.ID, "text")
    text.clear()
    text.send_keys("\n".join(TEXTS))
    browser.find_element(By.ID, "submit").click()
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results .sentence")) == len(TEXTS), "results")
    sentences = browser.find_elements(By.CSS_SELECTOR, "#results .sentence")

    shown_entities = []
    for sentence, record in zip(sentences, expected):
        # words and their POS, from the segmenter
        words = sentence.find_elements(By.CSS_SELECTOR, ".step:first-child .word")
        assert [w.find_element(By.CSS_SELECTOR, ".pos").text for w in words] == [p for _, p in record["segment"]["pos"]]
        # entity highlights
        for mark in sentence.find_elements(By.CSS_SELECTOR, "mark.entity"):
            kind = mark.get_attribute("data-type")
            assert mark.find_element(By.CSS_SELECTOR, ".type").text == kind
            shown_entities.append("".join(c.text for c in mark.find_elements(By.CSS_SELECTOR, ".char")))
        # the dependency tree: one arc per word, the words under it
        tree = sentence.find_element(By.CSS_SELECTOR, "svg.tree")
        arcs = tree.find_elements(By.CSS_SELECTOR, "path.arc")
        assert len(arcs) == len(record["parse"]["words"])
        assert [int(a.get_attribute("data-head")) for a in arcs] == record["parse"]["heads"]
        assert [t.text for t in tree.find_elements(By.CSS_SELECTOR, "text.word-text")] == record["parse"]["words"]
        assert all(a.size["width"] > 0 or a.size["height"] > 0 for a in arcs)  # drawn, not just in the DOM
        # class probabilities
        labels = sentence.find_elements(By.CSS_SELECTOR, ".classes > span:nth-child(3n+1)")
        assert sorted(label.text for label in labels) == sorted(record["classify"][0]["probs"])
    assert shown_entities == entities

    # a click on a character of an entity: its glyphs in every script and its nearest characters
    first = browser.find_element(By.CSS_SELECTOR, "mark.entity .char")
    char = first.text
    first.click()
    wait_for(browser, lambda d: d.find_element(By.ID, "glyph-panel").is_displayed(), "glyph panel")
    assert browser.find_element(By.ID, "glyph-char").text == char
    wait_for(browser, lambda d: image_loaded(d, "glyph-image"), "glyph image")
    wait_for(browser, lambda d: d.find_element(By.ID, "neighbors").get_attribute("data-char") == char, "neighbours")
    neighbors = browser.find_elements(By.CSS_SELECTOR, "#neighbors li .char")
    assert len(neighbors) == 8 and char not in [n.text for n in neighbors]
    wait_for(browser, lambda d: image_loaded(d, "neighbor-image"), "neighbour image")

    # everything came from this server; no script error
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(r.startswith(server + "/") for r in resources), resources
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors

    browser.execute_script("window.scrollTo(0, 0)")
    shot = tmp_path / "serve_page.png"
    assert browser.save_screenshot(str(shot))
    width, height = png_size(shot)
    assert width >= 1000 and height >= 600
    if os.environ.get("GLYCE_SERVE_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["GLYCE_SERVE_SCREENSHOT"])


def test_page_shows_the_error_of_a_refused_request(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(server + "/")
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#model option")) == 5, "model list")
    Select(browser.find_element(By.ID, "model")).select_by_value("classifier")
    browser.find_element(By.ID, "text").clear()
    browser.find_element(By.ID, "submit").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "error").is_displayed(), "error message")
    assert browser.find_element(By.ID, "error").text == "422: lines is an empty list"
