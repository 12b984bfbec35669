"""Document text -> cleaned text: Unicode repaired, boilerplate dropped with reasons.

config (CleanConfig) -> repair (characters) -> cleaner (lines, with rules, patterns and context)
-> result (CleanResult); span, runs: where the article is;
repeats: the lines repeated across documents, decided in input order."""
