"""Sphinx configuration of the book (built by book/make_book.py from a staged copy of book/ and notebooks/)."""

project = "finrisk-workbench"
author = "finrisk-workbench contributors"
copyright = "finrisk-workbench contributors"
html_title = "Deep learning in financial risk management"

extensions = ["myst_nb"]
# The notebooks are shown with the outputs committed with them (full-profile renders): nothing is executed.
nb_execution_mode = "off"
# $...$ and $$...$$ maths as the notebooks write it; heading anchors so that the syllabus links to sections.
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
}
html_last_updated_fmt = None
