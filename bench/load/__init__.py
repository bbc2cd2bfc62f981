"""The classroom load benchmark's parts; ``bench/bench_load.py`` is the entry point.

- ``client``: a minimal HTTP/1.1 keep-alive client and an SSE event parser.
- ``learners``: one simulated learner, and the load worker process that drives many.
- ``servers``: the two servers under test, and their CPU and memory read from /proc.
- ``rounds``: one round of learners against one server, under the run's hard deadline.
- ``report``: percentiles, the summary per server and level, the tables and the targets.
"""
