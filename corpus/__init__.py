"""idcorpus: Indonesian documents -> Indonesian-English parallel corpus (Hugging Face dataset).

`import corpus` imports no torch and does no work; the stages live in their own modules:
read -> clean -> segment -> (translate/) -> pairs -> dataset, orchestrated by corpus.pipeline.
"""

__version__ = "0.1.0"
