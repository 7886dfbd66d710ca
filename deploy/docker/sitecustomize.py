"""Imported by every Python process in the stack's images as it starts (Python's `site` imports
`sitecustomize` from PYTHONPATH, which is /opt/dagster/lib; it shadows Debian's, which only
installs apport's hook, absent here).

Starting a Dagster process (a run worker, a code server, the webserver, the daemon) creates
millions of objects that all live as long as the process: its modules, classes and functions. At
CPython's default threshold the cyclic garbage collector runs after every 700 new objects and
walks them over and over, finding nothing to free; that is 10-15% of a run worker's start here.
A higher first threshold lets it run a seventieth as often; garbage cycles are still collected."""

import gc

gc.set_threshold(50_000, 20, 20)
