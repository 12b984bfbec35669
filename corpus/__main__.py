from corpus.cli.main import run

run()
