"""Document text -> cleaned text: Unicode repaired, boilerplate dropped with reasons.

config (CleanConfig) -> repair (characters) -> cleaner (lines, with rules and context) ;
repeats: the lines repeated across documents, decided in input order."""
