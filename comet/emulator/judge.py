"""The emulator as a judge: deterministic verdicts for model-graded checks (``comet.runs.judge``).

A request is a judge's when its last user text holds the tags of a judge prompt, each on a line
of its own (the default templates have them; a user's own template must keep them for the
emulator to judge it):

- ``<rubric>`` and ``<output>`` (``llm-rubric``): the words the rubric puts in double quotes are
  looked for in the output, ignoring case; the score is the share found, and it passes when all
  are (a rubric quoting nothing passes with score 1);
- ``<reference>`` and ``<output>`` (``factuality``): the words of four letters or more of each,
  ignoring case: the same set is ``consistent``, the reference's set inside the output's
  ``superset``, the other way round ``subset``, anything else ``contradicting``;
- ``<criterion>`` and ``<reply n="...">`` (``select-best``): the longest reply wins (the first of
  equals).

The fault model ``fault-bad-verdict`` answers a judge request with a verdict of the wrong shape
(``{"pass": "probably", ...}``: no score, pass not a boolean), for the malformed-judge path.
"""

from __future__ import annotations

import json
import re

BAD_VERDICT_MODEL = "fault-bad-verdict"
BAD_VERDICT = {"pass": "probably", "reason": "it reads well enough to me"}
WORD = re.compile(r"[^\W\d_]{4,}|\d+")


def _section(prompt: str, tag: str) -> str | None:
    found = re.search(rf"^<{tag}>\n(.*?)\n</{tag}>$", prompt, re.S | re.M)  # tags on lines of their own
    return None if found is None else found.group(1)


def _rubric(rubric: str, output: str) -> dict:
    quoted = [q for q in re.findall(r'"([^"\n]+)"|“([^”\n]+)”', rubric) for q in q if q]
    found = [q for q in quoted if q.casefold() in output.casefold()]
    missing = [q for q in quoted if q not in found]
    score = len(found) / len(quoted) if quoted else 1.0
    if not quoted:
        reason = "the rubric quotes no words to look for"
    else:
        reason = (f"found {', '.join(map(repr, found)) or 'none'} of the quoted words"
                  + (f"; missing {', '.join(map(repr, missing))}" if missing else ""))
    return {"pass": not missing, "score": round(score, 4), "reason": reason}


def _words(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(text)}


def _factuality(reference: str, output: str) -> dict:
    ref, out = _words(reference), _words(output)
    if ref == out:
        category, reason = "consistent", "the reply has the same words as the reference"
    elif ref <= out:
        category, reason = "superset", "the reply has every word of the reference, and more"
    elif out <= ref:
        category, reason = "subset", "every word of the reply is in the reference"
    else:
        category, reason = "contradicting", "the reply lacks " + ", ".join(sorted(ref - out)[:5])
    return {"category": category, "reason": reason}


def _best(prompt: str) -> dict:
    replies = re.findall(r'^<reply n="(\d+)">\n(.*?)\n</reply>$', prompt, re.S | re.M)
    if not replies:
        return {"choice": 1, "reason": "there were no numbered replies"}
    n, text = max(replies, key=lambda r: len(r[1]))  # max keeps the first of equals
    return {"choice": int(n), "reason": f"reply {n} is the longest ({len(text)} characters)"}


def verdict(prompt: str, model: str) -> str | None:
    """The verdict's JSON text for a judge request's prompt, or None when it is not one."""
    output = _section(prompt, "output")
    if output is not None and (rubric := _section(prompt, "rubric")) is not None:
        found = _rubric(rubric, output)
    elif output is not None and (reference := _section(prompt, "reference")) is not None:
        found = _factuality(reference, output)
    elif _section(prompt, "criterion") is not None and re.search(r'^<reply n="1">$', prompt, re.M):
        found = _best(prompt)
    else:
        return None
    return json.dumps(BAD_VERDICT if model == BAD_VERDICT_MODEL else found)
