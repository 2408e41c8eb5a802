"""Building the return from a council's own HR, recruitment and staff-survey extracts, in its own
browser (spec hr-extract.md). The extracts never reach the server: the page's worker
(assets/js/hr-extract/) reads and counts them, and only the counts are posted, through the same
checks as an upload. This package holds what the server needs for that: the vocabulary the
worker starts from (`vocabulary`), the council's saved mappings (`services`, `selectors`), the
extract templates (`templates`), and the pages and API (`views`, `apis`)."""
