"""The build on Ray Data (`--executor ray`): the same stages, run on a cluster."""
