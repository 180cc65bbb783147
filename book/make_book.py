"""Build the book: a static HTML site of the committed notebooks (their stored outputs; nothing is executed).

``python book/make_book.py [--out build/book/html]`` (``make book``) stages the sources into ``build/book/src``
and runs Sphinx (MyST-NB, ``nb_execution_mode = "off"``, sphinx-book-theme) with warnings as errors:

- the pages of ``book/`` (``conf.py``, ``index.md``, ``glossary.md``, ``references.md``, ``teachers.md``);
- every numbered notebook of ``notebooks/`` (``discover_notebooks``: new notebooks appear by themselves), copied
  into ``src/notebooks/`` (a copy keeps its modification time, so an unchanged notebook is not re-read);
- generated at staging time into ``index.md``: the syllabus (``book/syllabus.yaml``: the seed article's topics ->
  notebook and section, links checked against the notebooks' headings) and the navigation by risk type
  (``book/parts.yaml``); into ``references.md``: which notebooks cite each reference; into ``teachers.md``: each
  notebook's exercises (number and levels) and whether its worked solutions exist in ``solutions/``.

Problems a reader would meet (a notebook in no part, a syllabus notebook or section that does not exist) are
printed as warnings and shown in the page; ``tests/test_book.py`` turns them into failures.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from myst_parser.slugs import github_slugify

from finrisk_utils.workbench.runner import discover_notebooks

BOOK_DIR = Path(__file__).resolve().parent
ROOT = BOOK_DIR.parent
NOTEBOOKS_DIR = ROOT / "notebooks"
PAGES = ("conf.py", "index.md", "glossary.md", "references.md", "teachers.md")
SYLLABUS_MARK = "<!-- syllabus -->"
NAVIGATION_MARK = "<!-- navigation -->"
EXERCISES_MARK = "<!-- exercises -->"
SOLUTIONS_DIR = ROOT / "solutions"
OTHER_PART = "Other notebooks"
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)[a-z]?\b")

__all__ = [
    "Problems",
    "build",
    "citations",
    "cites",
    "exercises",
    "find_section",
    "load_parts",
    "load_syllabus",
    "notebook_headings",
    "notebook_number",
    "notebook_title",
    "parts_of",
    "stage",
]


@dataclass
class Problems:
    """What the staging found wrong: notebooks in no part, syllabus targets that do not exist."""

    unplaced: list[str] = field(default_factory=list)
    missing_notebooks: list[str] = field(default_factory=list)
    missing_sections: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One readable line per problem."""
        return (
            [
                f"notebook {nb} is in no part of book/parts.yaml (shown under '{OTHER_PART}')"
                for nb in self.unplaced
            ]
            + [
                f"book/syllabus.yaml names notebook {nb}, which does not exist yet"
                for nb in sorted(set(self.missing_notebooks))
            ]
            + [
                f"book/syllabus.yaml names a section that does not exist: {s}"
                for s in sorted(set(self.missing_sections))
            ]
        )


def notebook_number(path: Path) -> str:
    """The two-digit number of ``NN_topic.ipynb``."""
    return Path(path).name[:2]


def _markdown_sources(path: Path) -> list[str]:
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "markdown"
    ]


def notebook_headings(path: Path) -> list[tuple[int, str]]:
    """Markdown headings of a notebook as (level, text), in order; fenced code blocks are skipped."""
    headings, fenced = [], False
    for source in _markdown_sources(path):
        for line in source.splitlines():
            if _FENCE.match(line):
                fenced = not fenced
            elif not fenced and (m := _HEADING.match(line)):
                headings.append((len(m.group(1)), m.group(2)))
        fenced = False
    return headings


def _plain(heading: str) -> str:
    """Heading text as the reader sees it (inline code, emphasis and link markup removed)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return re.sub(r"[`*_]", "", text).strip()


def notebook_title(path: Path) -> str:
    """The notebook's first heading without its ``NN ·`` prefix (else its file name)."""
    headings = notebook_headings(path)
    if not headings:
        return Path(path).stem
    return re.sub(r"^\d\d\s*[·:.-]\s*", "", _plain(headings[0][1]))


def load_parts(book_dir: Path = BOOK_DIR) -> list[dict]:
    """``book/parts.yaml``: a list of {caption, notebooks: [two-digit numbers]}."""
    return yaml.safe_load((Path(book_dir) / "parts.yaml").read_text(encoding="utf-8"))


def load_syllabus(book_dir: Path = BOOK_DIR) -> list[dict]:
    """``book/syllabus.yaml``: a list of {part, topics: [{zh, en, links: [{notebook, section?}], note?}]}."""
    return yaml.safe_load((Path(book_dir) / "syllabus.yaml").read_text(encoding="utf-8"))


def parts_of(
    notebooks: list[Path], parts: list[dict]
) -> tuple[list[tuple[str, list[Path]]], list[str]]:
    """Group notebooks by part (order of ``parts.yaml``, notebooks in teaching order); parts with no notebook yet
    are left out. Returns the groups and the numbers of notebooks in no part (grouped under ``OTHER_PART``)."""
    by_number = {notebook_number(p): p for p in notebooks}
    groups, placed = [], set()
    for part in parts:
        members = [by_number[n] for n in part["notebooks"] if n in by_number]
        placed.update(part["notebooks"])
        if members:
            groups.append((part["caption"], members))
    unplaced = [n for n in by_number if n not in placed]
    if unplaced:
        groups.append((OTHER_PART, [by_number[n] for n in unplaced]))
    return groups, unplaced


def _navigation(groups: list[tuple[str, list[Path]]]) -> str:
    blocks = []
    for caption, members in groups:
        entries = "\n".join(f"notebooks/{p.stem}" for p in members)
        blocks.append(f"```{{toctree}}\n:caption: {caption}\n:hidden:\n\n{entries}\n```")
    blocks.append(
        "```{toctree}\n:caption: Reference\n:hidden:\n\nglossary\nreferences\nteachers\n```"
    )
    return "\n\n".join(blocks)


def _link(link: dict, by_number: dict[str, Path], problems: Problems) -> str:
    number = link["notebook"]
    path = by_number.get(number)
    if path is None:
        problems.missing_notebooks.append(number)
        return f"{number} (notebook not written yet)"
    section = link.get("section")
    if section is None:
        return f"[{number} · {notebook_title(path)}](notebooks/{path.name})"
    heading = find_section(path, section)
    if heading is None:
        problems.missing_sections.append(f"{path.name}: {section!r}")
        return f"[{number}](notebooks/{path.name}) (section “{section}” not found)"
    return f"[{number} › {heading}](notebooks/{path.name}#{github_slugify(heading)})"


def find_section(path: Path, section: str) -> str | None:
    """The heading of notebook ``path`` named ``section``: the heading equal to it, else the only heading that starts
    with it (so that ``Inflation expectations`` finds ``Inflation expectations in T-bill rates (1950–1990)``);
    None when there is none or the prefix is ambiguous."""
    headings = [_plain(text) for _, text in notebook_headings(path)]
    if section in headings:
        return section
    starting = [h for h in dict.fromkeys(headings) if h.startswith(section)]
    return starting[0] if len(starting) == 1 else None


def _syllabus(syllabus: list[dict], notebooks: list[Path], problems: Problems) -> str:
    by_number = {notebook_number(p): p for p in notebooks}
    out = []
    for part in syllabus:
        out += [
            f"## {part['part']}",
            "",
            "| in the article | topic | where the workbench teaches it |",
            "|---|---|---|",
        ]
        for topic in part["topics"]:
            where = "<br>".join(_link(link, by_number, problems) for link in topic.get("links", []))
            if topic.get("note"):
                where = f"{where}<br>*{topic['note']}*" if where else f"*{topic['note']}*"
            out.append(f"| {topic['zh']} | {topic['en']} | {where} |")
        out.append("")
    return "\n".join(out)


README_MARKERS = (
    "<!-- syllabus: generated by `python book/make_book.py --readme`; do not edit -->",
    "<!-- /syllabus -->",
)


def readme_syllabus(syllabus: list[dict], notebooks: list[Path]) -> str:
    """The syllabus as one Markdown table for the README (links relative to the repository root): each topic of the
    article, the notebook(s) and the section that teach it."""
    by_number = {notebook_number(p): p for p in notebooks}
    rows = ["| article | topic | notebook › section |", "|---|---|---|"]
    for part in syllabus:
        for topic in part["topics"]:
            where = []
            for link in topic.get("links", []):
                path = by_number.get(link["notebook"])
                target = (
                    f"[{link['notebook']}](notebooks/{path.name})" if path else link["notebook"]
                )
                section = (
                    find_section(path, link["section"]) if path and link.get("section") else None
                )
                where.append(f"{target} › {section}" if section else target)
            if topic.get("note"):
                where.append(f"*{topic['note']}*")
            rows.append(f"| {part['part']}: {topic['zh']} | {topic['en']} | {'<br>'.join(where)} |")
    return "\n".join([README_MARKERS[0], *rows, README_MARKERS[1]])


def exercises(path: Path) -> list[str]:
    """The levels (``recall``, ``apply``, ``extend``) of the numbered items of the notebook's ``## Exercises`` cell,
    in order; an item without a level tag counts as ``""``. Empty when the notebook has no such cell."""
    for source in _markdown_sources(path):
        if re.match(
            r"^#{2}\s+Exercises\s*$", source.lstrip().splitlines()[0] if source.strip() else ""
        ):
            items = re.findall(r"^\s*\d+\.\s+(.*)$", source, re.MULTILINE)
            return [
                (re.search(r"\((recall|apply|extend)\)", item) or [None, ""])[1] for item in items
            ]
    return []


def _exercise_table(notebooks: list[Path], solutions_dir: Path) -> str:
    rows = ["| notebook | exercises (levels) | solutions file |", "|---|---|---|"]
    for path in notebooks:
        levels = exercises(path)
        number = notebook_number(path)
        if levels:
            where = f"[{len(levels)}](notebooks/{path.name}#exercises) ({', '.join(lv or '?' for lv in levels)})"
        else:
            where = "none yet"
        solution = solutions_dir / f"{path.stem}_solutions.ipynb"
        solved = "yes" if solution.exists() else "not written yet"
        rows.append(
            f"| [{number} · {notebook_title(path)}](notebooks/{path.name}) | {where} | {solved} |"
        )
    return "\n".join(rows)


_NOT_NAMES = frozenset(
    "January February March April May June July August September October November December "
    "In The From Since Until By Before After Between And Or Of On At For To Up".split()
)


def citations(text: str) -> list[tuple[tuple[str, ...], str]]:
    """Author-year citations in a markdown text as (names, year), the names being every capitalised word group of
    the author list: ``Kupiec (1995)``, ``(Corsi 2009)``, ``(Acerbi and Szekely, 2014)``, ``Cho et al. 2014``,
    ``(CAViaR-style, Engle and Manganelli 2004)`` -> ``(("CAViaR", "Engle", "Manganelli"), "2004")``.
    Institutional authors count too (``BCBS 2019``); a date such as ``September 1985`` or ``In 2006`` does not."""
    name = r"[A-Z][\w'’\-–&]*(?:\s+[A-Z][\w'’\-–&]*)?"
    authors = rf"{name}(?:(?:,\s*|\s+and\s+|\s*&\s*){name})*(?:\s+et\s+al\.?)?"
    pattern = re.compile(rf"({authors}),?\s+\(?((?:1[89]|20)\d\d)[a-z]?(?=[\s),;:.])")
    found = []
    for m in pattern.finditer(re.sub(r"\s+", " ", text)):
        groups = re.split(
            r",\s*|\s+and\s+|\s*&\s*", m.group(1).replace(" et al.", "").replace(" et al", "")
        )
        names = tuple(
            w
            for g in groups
            for w in re.split(r"[\s–-]", g)
            if w and w[0].isupper() and w.removesuffix("'s").removesuffix("’s") not in _NOT_NAMES
        )
        names = tuple(w.removesuffix("'s").removesuffix("’s") for w in names)
        if names:
            found.append((names, m.group(2)))
    return found


def cites(entry: str, citation: tuple[tuple[str, ...], str]) -> bool:
    """Does the reference ``entry`` (one line of references.md) match ``citation``: its year in parentheses and
    one of the citation's names as a word?"""
    names, year = citation
    entry = _ascii(entry)
    return re.search(rf"\({year}[a-z]?\)", entry) is not None and any(
        re.search(rf"(?<![\w]){re.escape(_ascii(n))}(?![\w])", entry) for n in names
    )


def _ascii(text: str) -> str:
    """Accents removed (Székely -> Szekely), so that either spelling matches."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _cited_in(references: str, notebooks: list[Path], glossary: str) -> str:
    """``references.md`` with, after each entry (a line ``- Author, ... (YEAR). ...``), the notebooks and the
    glossary citing it."""
    cited = {p: set(citations("\n".join(_markdown_sources(p)))) for p in notebooks}
    in_glossary = set(citations(glossary))
    out = []
    for line in references.splitlines():
        if line.startswith("- "):
            where = [
                f"[{notebook_number(p)}](notebooks/{p.name})"
                for p in notebooks
                if any(cites(line, c) for c in cited[p])
            ]
            if any(cites(line, c) for c in in_glossary):
                where.append("[the glossary](glossary.md)")
            if where:
                line += f" *Cited in {', '.join(where)}.*"
        out.append(line)
    return "\n".join(out) + "\n"


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _copy_if_changed(source: Path, target: Path) -> None:
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copy2(source, target)


def stage(
    src: Path,
    book_dir: Path = BOOK_DIR,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    solutions_dir: Path = SOLUTIONS_DIR,
) -> Problems:
    """Write the Sphinx source folder ``src``: the book's pages (syllabus and navigation filled in) and copies of
    the notebooks. Files that did not change keep their modification time (Sphinx then skips them)."""
    src, book_dir = Path(src), Path(book_dir)
    (src / "notebooks").mkdir(parents=True, exist_ok=True)
    notebooks = discover_notebooks(Path(notebooks_dir))
    problems = Problems()
    groups, problems.unplaced = parts_of(notebooks, load_parts(book_dir))
    for name in PAGES:
        text = (book_dir / name).read_text(encoding="utf-8")
        if name == "index.md":
            text = text.replace(
                SYLLABUS_MARK, _syllabus(load_syllabus(book_dir), notebooks, problems)
            )
            text = text.replace(NAVIGATION_MARK, _navigation(groups))
        elif name == "references.md":
            glossary = (book_dir / "glossary.md").read_text(encoding="utf-8")
            text = _cited_in(text, notebooks, glossary)
        elif name == "teachers.md":
            text = text.replace(EXERCISES_MARK, _exercise_table(notebooks, Path(solutions_dir)))
        _write_if_changed(src / name, text)
    for path in notebooks:
        _copy_if_changed(path, src / "notebooks" / path.name)
    keep = {p.name for p in notebooks}
    for stale in (src / "notebooks").glob("*.ipynb"):
        if stale.name not in keep:
            stale.unlink()
    return problems


def build(out: Path, work: Path, strict: bool = True, quiet: bool = True) -> tuple[Problems, float]:
    """Stage into ``work/src`` and build the HTML into ``out`` (doctrees in ``work/doctrees``).
    ``strict``: Sphinx warnings are errors. Returns the staging problems and the build time in seconds;
    raises ``RuntimeError`` with Sphinx's output when the build fails."""
    start = time.perf_counter()
    work = Path(work)
    problems = stage(work / "src")
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-d",
        str(work / "doctrees"),
        str(work / "src"),
        str(out),
    ]
    if strict:
        cmd[3:3] = ["-W", "--keep-going"]
    if quiet:
        cmd.insert(3, "-q")
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"sphinx-build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    if result.stderr.strip():
        print(result.stderr, file=sys.stderr)
    return problems, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "build" / "book" / "html", help="HTML folder"
    )
    parser.add_argument(
        "--work", type=Path, default=None, help="staged sources and doctrees (default: OUT/..)"
    )
    parser.add_argument("--no-strict", action="store_true", help="Sphinx warnings are not errors")
    parser.add_argument(
        "--readme", action="store_true", help="print the README's syllabus table and build nothing"
    )
    args = parser.parse_args(argv)
    if args.readme:
        print(readme_syllabus(load_syllabus(), discover_notebooks()))
        return 0
    try:
        problems, seconds = build(args.out, args.work or args.out.parent, strict=not args.no_strict)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    for line in problems.lines():
        print(f"warning: {line}", file=sys.stderr)
    print(f"book built in {seconds:.1f} s: {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
