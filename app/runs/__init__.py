"""A run's whole life in plain Python: specs and ids, kind adapters, execution, pacing on a
shared beat, class batching, admission, the caches and the store."""
