"""Many runs and what they add up to.

``compare`` (one request on several targets), ``batch/`` (suites, the runner, checks, reports),
``tally`` (counts and cost), ``timeline`` (a stream's arrival times), ``stats``, ``stamp`` (the
reproducibility stamp), ``diff`` (two runs side by side). Reads the layers below.
"""
