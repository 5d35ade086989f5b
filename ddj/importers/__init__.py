"""Turn the formats journalists bring into ddj packages or frames.

- :mod:`ddj.importers.acled` and :mod:`ddj.importers.ucdp`: an ACLED export or a UCDP GED CSV into an
  incident package (``ddj import acled|ucdp``).
- :mod:`ddj.importers.named_deaths`: a list of named deaths (one row per person) and official claims of the dead
  into a personnel tally package (``ddj import named-deaths``).
- :mod:`ddj.importers.genstaff` and :mod:`ddj.importers.oryx`: the Ukrainian General Staff's JSON files and the
  Oryx CSV files into long frames with the raw row of every value, for the tally build.
- :mod:`ddj.importers.findings`: the dirty-data checks run on raw tally files (duplicate rows, falling counts,
  spikes, misspelt categories...), each a frame of findings, by the tally build and the named-deaths importer.
"""
