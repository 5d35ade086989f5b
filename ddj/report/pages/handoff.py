"""What a notebook's sections hand to the page exporter, by name: the mimetypes of a page's metadata and of the
scripts a section needs, and those scripts' file names.

These live apart from :mod:`ddj.report.pages.sections` so that the exporter (in every worker) and the front page
(in the runner's own process) do not import the sections, polars and the comparison just to read three names.
"""

#: The mimetype a page's metadata travels under, from the notebook to the page (see :mod:`ddj.report.pages.htmlexport`).
PAGE_MIME = "application/vnd.ddj.page+json"
#: The mimetype under which a section names the scripts of ddj's own it needs on the page (files of the templates
#: folder, listed in :data:`ddj.report.pages.htmlexport.PAGE_SCRIPTS`); the exporter inlines them, hashed in its CSP.
SCRIPTS_MIME = "application/vnd.ddj.scripts+json"
#: The script that searches :func:`ddj.report.pages.sections.incident_finder`'s table.
FINDER_SCRIPT = "incident_finder.js"
