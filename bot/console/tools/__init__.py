"""The console's curation tools: hit test, review list and spreadsheet import (issue 9)."""
