"""What the grader puts inside a learner's sandboxed kernel.

* :mod:`sandbox` (``sandbox.py``): the launcher the grader starts as the kernel command.
  Standard library only.  It enters new mount, network and PID namespaces, hides the
  project tree and everything the learner must not read behind empty file systems, puts
  itself into the memory and pids cgroups the grader made, lowers the resource limits,
  drops to an unprivileged user and finally runs ``ipykernel``.  What it could not do is
  written to ``launch.json`` for the grader's report.
* :mod:`template` (``template.py``) and :mod:`proxy` (``proxy.py``): when a run grades
  enough notebooks, one warm process imports the lessons' modules once and forks every
  sandbox, through ``sandbox.py``'s same steps; the kernel command the grader launches is
  then ``proxy.py``, which asks the template for a sandbox and stands for it.
* ``stub/autograder``: the ``autograder`` package the kernel imports instead of the real
  one.  ``check(...)`` only says that checks run at grading time, ``___`` is the same blank
  as in the course; the package holds no exercises, references or hidden tests.
* :mod:`harness` (``harness.py``): the code the grader runs in the kernel to call a
  learner's function or re-run an answer cell on case inputs, and to return the outputs as
  plain data.  The grader treats everything it sends back as untrusted.

Nothing here imports the rest of :mod:`autograder`: these files are copied into the
sandbox as they are.
"""
