"""Several servers on one machine, from Debian's packages: `make cluster` / `make cluster-stop` (docs/deploy.md).

    python -m portal.cluster start [--apps 3]   # everything below, on loopback
    python -m portal.cluster stop [--clean]     # stops exactly what start started (pid files)
    python -m portal.cluster status
    python -m portal.cluster roll               # rolling release: drain, restart, re-enable, one by one
    python -m portal.cluster restore-drill      # base backup, restore into a fresh cluster, compare
    python -m portal.cluster test               # make cluster-test: own cluster, short fault drill, removed

What runs (ports in portal/cluster/stack.py, state under CLUSTER_DIR, default /tmp/portal-cluster):
a PostgreSQL 15 primary of its own (5433) and a streaming replica made with pg_basebackup (5434),
PgBouncer in transaction pooling in front of the primary (6432), a Redis of its own (6380), two or
three gunicorn app servers with the production settings (8101…) behind HAProxy (8100, health checks
on /healthz/, stats on 8199), and two background workers. The machine's own PostgreSQL (5432) and
Redis (6379) are never touched.
"""
