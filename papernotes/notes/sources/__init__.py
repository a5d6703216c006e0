"""Where notes come from besides the template: the paper catalog cards and BibTeX."""
