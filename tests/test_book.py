"""The book (book/make_book.py, `make book`): it builds from the committed notebooks with Sphinx warnings as errors,
every internal link, anchor and image of the site resolves, every notebook is placed in the navigation, the syllabus
covers the seed article's topics and points at notebooks and sections that exist, the glossary covers the package's
metric functions, and every citation in the notebooks has a reference. Where Debian's `chromium` is installed, the
front page and a notebook page are opened headless and their figures must load."""

import importlib
import inspect
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from finrisk_utils.workbench.runner import discover_notebooks

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
sys.path.insert(0, str(BOOK))
import make_book  # noqa: E402  (book/ is not a package)

ARTICLE = ROOT.parent / "shared" / "reference" / "seed-article-zh.md"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """The book built into a temporary folder (strict: a Sphinx warning fails the build): (html dir, problems)."""
    work = tmp_path_factory.mktemp("book")
    problems, seconds = make_book.build(work / "html", work)
    print(f"book built in {seconds:.1f} s")
    return work / "html", problems


# --- links and images ---------------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Ids of a page and the targets of its href/src attributes."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.targets: list[tuple[str, str]] = []  # (tag, url)
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("id", "name"):
            if attrs.get(name):
                self.ids.add(attrs[name])
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                self.targets.append((tag, attrs[name]))
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _internal(url: str) -> bool:
    parts = urlsplit(url)
    return not (parts.scheme or parts.netloc or url.startswith(("javascript:", "data:")))


def test_every_internal_link_anchor_and_image_resolves(book):
    html, _ = book
    # every page a reader opens (the theme's _static/*.html are Jinja macro files, not pages)
    pages = {
        p: _parse(p) for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts
    }
    assert len(pages) > 5
    broken = []
    for path, page in pages.items():
        for tag, url in page.targets:
            if not url or not _internal(url):
                continue
            parts = urlsplit(url)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.exists():
                broken.append(f"{path.relative_to(html)}: <{tag}> {url} (no file)")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{path.relative_to(html)}: <{tag}> {url} (no anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(broken)


def test_every_notebook_has_a_page_with_its_figures(book):
    html, _ = book
    for nb in discover_notebooks():
        page = html / "notebooks" / f"{nb.stem}.html"
        assert page.exists(), f"{nb.name} has no page in the book"
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        figures = sum(
            "image/png" in out.get("data", {})
            for c in cells
            if c["cell_type"] == "code"
            for out in c["outputs"]
        )
        shown = [src for src in _parse(page).images if src.endswith(".png")]
        assert len(shown) >= figures, f"{nb.name}: {figures} stored figures, {len(shown)} shown"


# --- navigation ---------------------------------------------------------------------------------------------------


def test_every_notebook_is_placed_in_a_part():
    parts = make_book.load_parts()
    numbers = [n for part in parts for n in part["notebooks"]]
    assert all(re.fullmatch(r"\d\d", n) for n in numbers), (
        "parts.yaml lists notebooks by two-digit number"
    )
    assert len(numbers) == len(set(numbers)), "a notebook is in two parts of book/parts.yaml"
    _, unplaced = make_book.parts_of(discover_notebooks(), parts)
    assert not unplaced, f"notebooks in no part of book/parts.yaml: {unplaced}"


def test_the_navigation_links_every_notebook(book):
    html, _ = book
    nav = {url.split("#")[0] for tag, url in _parse(html / "index.html").targets if tag == "a"}
    missing = [nb.name for nb in discover_notebooks() if f"notebooks/{nb.stem}.html" not in nav]
    assert not missing, f"not in the front page's navigation: {missing}"


def test_parts_of_groups_in_order_and_catches_an_unplaced_notebook():
    paths = [Path(f"{n}_x.ipynb") for n in ("00", "01", "02", "12")]
    parts = [
        {"caption": "B", "notebooks": ["02", "01"]},
        {"caption": "A", "notebooks": ["00", "99"]},
    ]
    groups, unplaced = make_book.parts_of(paths, parts)
    assert [(c, [p.name[:2] for p in ps]) for c, ps in groups] == [
        ("B", ["02", "01"]),
        ("A", ["00"]),
        (make_book.OTHER_PART, ["12"]),
    ]
    assert unplaced == ["12"]


# --- syllabus -----------------------------------------------------------------------------------------------------


def test_the_syllabus_points_at_notebooks_and_sections_that_exist(book):
    _, problems = book
    missing = problems.missing_notebooks + problems.missing_sections
    assert not missing, "book/syllabus.yaml: " + "; ".join(problems.lines())


def test_every_syllabus_topic_has_a_place_or_says_why_not():
    for part in make_book.load_syllabus():
        for topic in part["topics"]:
            assert topic.get("zh") and topic.get("en"), topic
            assert topic.get("links") or topic.get("note"), (
                f"{topic['zh']}: no notebook and no note"
            )


def _article_uses() -> list[tuple[str, str]]:
    """(category, item) of the seed article's sections 5.1 and 5.2: ``- 市场风险：预测股票价格、汇率、物价等。``"""
    text = ARTICLE.read_text(encoding="utf-8")
    body = text[text.index("### 5.1") : text.index("## 6.")]
    uses = []
    for line in body.splitlines():
        if m := re.match(r"^- (.+?)：(.+?)等?。\s*$", line):
            for item in m.group(2).split("、"):
                uses.append((m.group(1), item.removeprefix("预测")))
    return uses


@pytest.mark.skipif(not ARTICLE.exists(), reason=f"seed article not found at {ARTICLE}")
def test_the_syllabus_covers_every_topic_of_the_seed_article():
    rows = [t["zh"] for part in make_book.load_syllabus() for t in part["topics"]]
    uses = _article_uses()
    assert len(uses) >= 20, "the article's sections 5.1/5.2 were not parsed"
    missing = [f"{c}：{i}" for c, i in uses if not any(c in r and i in r for r in rows)]
    assert not missing, f"article topics not in book/syllabus.yaml: {missing}"
    text = ARTICLE.read_text(encoding="utf-8")
    for family in ("CNN", "RNN", "AutoEncoder"):
        assert family in text and any(family in r for r in rows), family
    for risk in re.search(r"金融风险主要包括(.+?)等", text).group(1).split("、"):
        assert any(r.startswith(risk) or r == risk for r in rows), risk
    for snippet in ("4.1", "4.2"):
        assert any(r.startswith(snippet) for r in rows), f"the article's snippet {snippet}"


def test_a_missing_section_or_notebook_is_reported(tmp_path):
    nb = tmp_path / "01_x.ipynb"
    nb.write_text(
        json.dumps({"cells": [{"cell_type": "markdown", "source": ["# 01 · T\n", "## Real one"]}]})
    )
    problems = make_book.Problems()
    by_number = {"01": nb}
    assert "#real-one" in make_book._link(
        {"notebook": "01", "section": "Real one"}, by_number, problems
    )
    make_book._link({"notebook": "01", "section": "Not there"}, by_number, problems)
    make_book._link({"notebook": "07"}, by_number, problems)
    assert problems.missing_sections and problems.missing_notebooks == ["07"]


def test_exercises_are_read_with_their_levels(tmp_path):
    cell = "## Exercises\n\n1. **(recall)** a\n   more\n2. **(apply)** b\n3. c\n4. **(extend)** d\n"
    nb = tmp_path / "01_x.ipynb"
    nb.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": cell}]}))
    assert make_book.exercises(nb) == ["recall", "apply", "", "extend"]
    nb.write_text(
        json.dumps({"cells": [{"cell_type": "markdown", "source": "## Conclusion\n\n1. x"}]})
    )
    assert make_book.exercises(nb) == []


def test_the_teachers_page_lists_every_notebook_s_exercises(book):
    html, _ = book
    page = _parse(html / "teachers.html")
    linked = {url for tag, url in page.targets if tag == "a"}
    for nb in discover_notebooks():
        assert f"notebooks/{nb.stem}.html" in linked, f"{nb.name} missing from the teachers' table"
        if make_book.exercises(nb):
            assert f"notebooks/{nb.stem}.html#exercises" in linked, nb.name


# --- glossary -----------------------------------------------------------------------------------------------------

GLOSSARY = BOOK / "glossary.md"

# The brief's list of tests and metrics (issue 17): each must be a glossary term (case-insensitive pattern).
REQUIRED_TERMS = [
    r"kupiec",
    r"christoffersen independence",
    r"conditional coverage",
    r"traffic light",
    r"z2",
    r"fz0",
    r"pinball",
    r"diebold.mariano",
    r"hac",
    r"hln",
    r"clark.west",
    r"model confidence set",
    r"holm",
    r"qlike",
    r"rmse",
    r"mae",
    r"delong",
    r"^auc",
    r"gini",
    r"ks statistic",
    r"brier",
    r"calibration error",
    r"population stability",
    r"information value",
    r"weight of evidence",
    r"pr-auc",
    r"alert budget",
    r"jeffreys",
    r"disparate impact",
    r"kendall",
    r"within-one-notch",
    r"sharpe",
    r"drawdown",
    r"turnover",
    r"ledoit.wolf",
    r"ewma",
    r"^har$",
    r"nelson.siegel",
    r"\(dns\)",
    r"duration",
    r"dv01",
]

# Public functions of the metric modules that compute no test or metric of their own (plumbing, tables, text).
NOT_METRICS = {
    "finrisk_utils.forecasting.metrics": {"forecast_table", "paired_arrays"},
    "finrisk_utils.forecasting.compare": {
        "ablation_reading",  # text from the comparisons' verdicts
        "check_seed_ratios",  # argument checks of the seed readings
        "comparison_table",
        "format_pvalue",  # how readings print a p-value
        "horizon_table",
        "mark_untrained",
        "display_names",  # a reading's model names, refusing marked labels
        "nested_inputs",  # arranges the arrays Clark-West takes
        "pooled_squared_errors",
        "relative_size",  # how readings phrase a loss against the benchmark's
        "relative_spread_reading",  # text from seed spreads (sd / mean)
        "seed_ratio_reading",  # text from per-seed loss ratios and trained flags
        "seed_spread_reading",  # text from seed_spread's numbers
    },
    "finrisk_utils.market.backtest": {"backtest_table"},
    "finrisk_utils.market.var_models": {"classical_var_forecasts"},
    "finrisk_utils.credit.metrics": {"check_pd_values", "labels_and_scores"},
    "finrisk_utils.credit.validation": {
        "age_groups",
        "comparison_text",
        "disparate_impact_reading",
        "german_credit_groups",
    },
    "finrisk_utils.rates.bonds": {"price_from_curve", "price_from_yield", "portfolio_value"},
    "finrisk_utils.rates.nelson_siegel": {"maturity_label"},
    "finrisk_utils.portfolio.backtest": {"rebalance_dates", "weights_at"},
    "finrisk_utils.portfolio.evaluation": {"comparison_metrics"},
    "finrisk_utils.portfolio.covariance": {
        "check_covariance",
        "correlation_from_covariance",
        "covariance_forecasts",
        "vol_corr_covariance",
    },
}
# Modules whose every public function is a test, a metric or a model the glossary must explain; besides these, any
# domain module named metrics.py, backtest.py or evaluation.py is checked (new domains are covered by themselves).
METRIC_MODULES = [
    "finrisk_utils.forecasting.metrics",
    "finrisk_utils.forecasting.compare",
    "finrisk_utils.market.backtest",
    "finrisk_utils.market.var_models",
    "finrisk_utils.market.volatility",
    "finrisk_utils.credit.validation",
    "finrisk_utils.credit.scorecard",
    "finrisk_utils.rates.bonds",
    "finrisk_utils.rates.nelson_siegel",
    "finrisk_utils.rates.dns",
]


def _glossary_terms() -> list[str]:
    terms, inside = [], False
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("```{glossary}"):
            inside = True
        elif line.startswith("```"):
            inside = False
        elif inside and line.strip() and not line.startswith((" ", "\t")):
            terms.append(line.strip())
    return terms


def test_the_glossary_has_every_required_term():
    terms = _glossary_terms()
    assert len(terms) == len(set(terms)), "a glossary term appears twice"
    missing = [p for p in REQUIRED_TERMS if not any(re.search(p, t, re.IGNORECASE) for t in terms)]
    assert not missing, f"no glossary term matches: {missing}"


def test_every_glossary_entry_has_a_line_and_a_reference_or_code():
    text = GLOSSARY.read_text(encoding="utf-8")
    blocks = re.findall(r"```\{glossary\}\n(.*?)```", text, re.DOTALL)
    entries = [e for b in blocks for e in re.split(r"\n(?=\S)", b.strip())]
    assert len(entries) == len(_glossary_terms())
    for entry in entries:
        term, _, body = entry.partition("\n")
        assert body.strip(), f"{term}: no definition"
        assert re.search(r"\((1[89]|20)\d\d\)", body) or "Code:" in body, (
            f"{term}: no reference and no code"
        )


def _metric_modules() -> list[str]:
    found = set(METRIC_MODULES)
    for path in (ROOT / "finrisk_utils").glob("*/*.py"):
        if path.stem in ("metrics", "backtest", "evaluation"):
            found.add(f"finrisk_utils.{path.parent.name}.{path.stem}")
    return sorted(found)


def test_every_metric_function_of_the_package_is_in_the_glossary():
    text = GLOSSARY.read_text(encoding="utf-8")
    missing = []
    for name in _metric_modules():
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if not inspect.isfunction(obj) or attr in NOT_METRICS.get(name, set()):
                continue
            if f"`{name}.{attr}`" not in text:
                missing.append(f"{name}.{attr}")
    assert not missing, (
        "public functions of metric modules that the glossary (book/glossary.md) does not name; add an entry "
        f"(or list them in NOT_METRICS of this test if they compute no test or metric): {missing}"
    )


def test_every_function_the_glossary_names_exists():
    text = GLOSSARY.read_text(encoding="utf-8")
    names = set(re.findall(r"`(finrisk_utils(?:\.\w+)+)`", text))
    assert len(names) > 50
    missing = []
    for dotted in sorted(names):
        module, _, attr = dotted.rpartition(".")
        try:
            getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            missing.append(dotted)
    assert not missing, f"the glossary names functions that do not exist: {missing}"


# --- references ---------------------------------------------------------------------------------------------------

REFERENCES = BOOK / "references.md"
# Author-year patterns in the notebooks' markdown that are not citations (data periods and names).
NOT_CITATIONS: set[tuple[tuple[str, ...], str]] = set()


def _reference_entries() -> list[str]:
    return [
        line
        for line in REFERENCES.read_text(encoding="utf-8").splitlines()
        if line.startswith("- ")
    ]


def test_every_citation_has_a_reference():
    entries = _reference_entries()
    sources = {nb.name: "\n".join(make_book._markdown_sources(nb)) for nb in discover_notebooks()}
    sources["book/glossary.md"] = GLOSSARY.read_text(encoding="utf-8")
    missing = [
        f"{where}: {' '.join(names)} {year}"
        for where, text in sources.items()
        for names, year in make_book.citations(text)
        if (names, year) not in NOT_CITATIONS
        and not any(make_book.cites(e, (names, year)) for e in entries)
    ]
    assert not missing, f"citations with no entry in book/references.md: {sorted(set(missing))}"


def test_every_reference_is_cited():
    texts = ["\n".join(make_book._markdown_sources(nb)) for nb in discover_notebooks()]
    texts.append(GLOSSARY.read_text(encoding="utf-8"))
    cited = {c for text in texts for c in make_book.citations(text)}
    orphans = [
        e[:80] for e in _reference_entries() if not any(make_book.cites(e, c) for c in cited)
    ]
    assert not orphans, (
        f"book/references.md entries no notebook and no glossary entry cites: {orphans}"
    )


def test_references_are_sorted_and_unique():
    entries = _reference_entries()
    keys = [make_book._ascii(e).lower() for e in entries]
    assert keys == sorted(keys), "book/references.md is not in alphabetical order"
    assert len(set(keys)) == len(keys)
    assert all(re.search(r"\((1[89]|20)\d\d[a-z]?\)", e) for e in entries), "an entry has no (year)"


def test_citations_are_read_in_the_notebooks_styles():
    text = (
        "as in Kupiec (1995); HAR (Corsi 2009), Z2 (Acerbi and Szekely, 2014), the MCS (Hansen, Lunde and Nason "
        "2011), GRU (Cho et al. 2014), linear (CAViaR-style, Engle and Manganelli 2004); data from September 1985."
    )
    found = make_book.citations(text)
    assert found == [
        (("Kupiec",), "1995"),
        (("Corsi",), "2009"),
        (("Acerbi", "Szekely"), "2014"),
        (("Hansen", "Lunde", "Nason"), "2011"),
        (("Cho",), "2014"),
        (("CAViaR", "Engle", "Manganelli"), "2004"),
    ]
    entry = (
        "- Acerbi, C. and Székely, B. (2014). Backtesting expected shortfall. *Risk* 27(11), 76–81."
    )
    assert make_book.cites(entry, (("Acerbi", "Szekely"), "2014"))
    assert not make_book.cites(entry, (("Acerbi",), "2002"))
    assert not make_book.cites(entry, (("Kupiec",), "2014"))


# --- the rendered pages in a headless browser ---------------------------------------------------------------------

PROBE = (
    "<script>window.addEventListener('load', function () { var imgs = Array.from(document.images);"
    " document.body.setAttribute('data-probe', JSON.stringify({images: imgs.length, loaded: imgs.filter("
    "function (i) { return i.complete && i.naturalWidth > 0; }).length, title: document.title,"
    " tables: document.querySelectorAll('article table').length,"
    " nav: document.querySelectorAll('nav a[href*=\"notebooks/\"]').length})); });</script>"
)


def _render(page: Path) -> dict:
    """Open ``page`` (a copy with a probe script, next to the original so relative links hold) in headless
    chromium and return what the probe saw after the load event: images, loaded images, title, tables, nav links."""
    probe = page.with_name(f"_probe_{page.name}")
    probe.write_text(
        page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--virtual-time-budget=20000",
        "--dump-dom",
    ]
    result = subprocess.run(
        [*cmd, probe.as_uri()], capture_output=True, text=True, timeout=180, check=False
    )
    probe.unlink()
    m = re.search(r'data-probe="([^"]*)"', result.stdout)
    assert m, f"chromium rendered no probe (exit {result.returncode}): {result.stderr[-2000:]}"
    return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def test_front_page_and_a_notebook_page_render_with_their_figures(book):
    if CHROMIUM is None:
        pytest.skip(
            "no headless browser: `chromium` is not installed (Debian: apt-get install chromium)"
        )
    html, _ = book
    front = _render(html / "index.html")
    assert "syllabus" in front["title"].lower()
    assert front["tables"] >= 5, front
    assert front["nav"] >= len(discover_notebooks()), front
    assert front["loaded"] == front["images"], front
    with_figures = [
        nb for nb in discover_notebooks() if '"image/png"' in nb.read_text(encoding="utf-8")
    ]
    assert with_figures, "no notebook has a stored figure"
    nb = with_figures[0]
    page = _render(html / "notebooks" / f"{nb.stem}.html")
    print(f"{nb.stem}: {page}")
    assert page["images"] >= 1 and page["loaded"] == page["images"], page


def test_readme_syllabus_is_the_generated_one():
    """The README's syllabus table is generated from book/syllabus.yaml (one source with the book's front page)."""
    readme = (ROOT / "README.md").read_text()
    table = make_book.readme_syllabus(make_book.load_syllabus(), discover_notebooks())
    assert table in readme, (
        "README syllabus is stale: run python book/make_book.py --readme and paste it"
    )
    for number in ("09", "10", "11"):
        assert f"[{number}](notebooks/" in table
