"""The roster: the children's records as a spreadsheet, in and out (import, export, template)."""
