"""Imported last by the job server's fork server, after its other imports (a side effect).

It collects garbage once and then freezes every object the fork server holds
(:func:`gc.freeze`): the processes forked from the server inherit them, and without the freeze
each process's first full garbage collection walks the two hundred thousand objects of the
imported libraries (about 0.2 s of CPU) and touches, hence copies, the memory pages that hold
them. Frozen objects are never collected (they live as long as the process anyway), so nothing
else changes for a step. See :mod:`govcluster.job_server`.
"""

import gc

gc.collect()
gc.freeze()
