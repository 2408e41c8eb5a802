"""Downloadable tables (no HTTP): the national tables Skills for Care publishes for a round, under the
disclosure rules of spec section 5, and a council's own results, in full.

National tables (`national_tables`), one sheet each:

- **About**: the round, its period, when the tables were produced, the symbols, the number of accepted
  returns.
- **Pooled counts**: for England, each region and each authority type, each service (adults, children,
  all) and indicator, the summed counts by group and the figures computed on them (spec section 4).
  The counts are cells (scope, area, service, measure, pay band, group) bound by additive relations
  that a reader can use across the whole table: all = adults + children; the pay bands add up to the
  headcount; England = the sum of the regions = the sum of the authority types. They are suppressed
  once, together (`metrics.disclosure.suppress`), and every row is rendered from that one hidden set,
  so a count shown in several rows (headcount is the denominator of m1, m3, m5, m8 and m9) is hidden
  in all of them. The cells of an area and service from fewer than 5 authorities are hidden too (and
  protected like the others, or England minus the other regions would give them back); every figure
  in such a row is "[c]", only the number of authorities is shown. A rate, share or ratio computed
  from a hidden count is "[low]" (`metrics.disclosure.publish_result`).
- **Distribution**: authority-level values per area, service and indicator (`distribution_table`).

Text cells are escaped so a spreadsheet never runs them as formulas; counts are always numbers, the
only text in a count column is a suppression symbol. Ratios are rounded to 2 decimal places and
percentages to 1, half away from zero, as the portal shows them."""

from __future__ import annotations

from metrics.calculations import FOUR_FIFTHS_LABELS

from .columns import (
    AUTHORITIES,
    BAND,
    BAND_SHARE,
    CI_LOWER,
    CI_UPPER,
    COUNCIL_FIGURES,
    COUNT_COLUMNS,
    GAP_POPULATION,
    GAP_WORKFORCE,
    LOW_NUMBERS,
    NATIONAL_FIGURES,
    NHS_DIRECTION,
    POPULATION_SHARE,
    RATE_MINORITY,
    RATE_WHITE,
    REASON,
    RL,
    SENIOR_SHARE,
    SIGNIFICANT,
    UNKNOWN_SHARE,
    WITH_VALUE,
    WORKFORCE_SHARE,
    Cell,
)
from .council import council_results_csv, council_results_tables, council_results_xlsx
from .national import (
    SYMBOL_NOTES,
    about_table,
    distribution_table,
    national_table_csv,
    national_tables,
    national_tables_xlsx,
    pooled_relations,
    pooled_table,
)

__all__ = [
    "AUTHORITIES",
    "BAND",
    "BAND_SHARE",
    "CI_LOWER",
    "CI_UPPER",
    "COUNCIL_FIGURES",
    "COUNT_COLUMNS",
    "FOUR_FIFTHS_LABELS",
    "GAP_POPULATION",
    "GAP_WORKFORCE",
    "LOW_NUMBERS",
    "NATIONAL_FIGURES",
    "NHS_DIRECTION",
    "POPULATION_SHARE",
    "RATE_MINORITY",
    "RATE_WHITE",
    "REASON",
    "RL",
    "SENIOR_SHARE",
    "SIGNIFICANT",
    "SYMBOL_NOTES",
    "UNKNOWN_SHARE",
    "WITH_VALUE",
    "WORKFORCE_SHARE",
    "Cell",
    "about_table",
    "council_results_csv",
    "council_results_tables",
    "council_results_xlsx",
    "distribution_table",
    "national_table_csv",
    "national_tables",
    "national_tables_xlsx",
    "pooled_relations",
    "pooled_table",
]
