"""The course's ``autograder`` package as a notebook sees it while being graded.

Only ``autograder.checks`` (``check`` and the blank ``___``) and ``autograder.plain``
exist here; exercises, references and hidden tests stay outside this kernel.
"""
