"""`idcorpus evaluate`: the translation quality a corpus will have, on standard test sets."""
