"""`plume eval`: rule compliance, closeness to the house voice, length, cost — per audience × format.

Light at import time: scikit-learn, matplotlib and the model backends are imported inside functions.
"""

from plume.evaluate.briefs import EvalBrief, load_briefs
from plume.evaluate.metrics import summarize, group_summaries
from plume.evaluate.records import EvalRecord

__all__ = ["EvalBrief", "EvalRecord", "load_briefs", "summarize", "group_summaries", "run_eval",
           "compare_reports", "write_chart"]


def __getattr__(name: str):
    if name == "run_eval":
        from plume.evaluate.run import run_eval

        return run_eval
    if name == "compare_reports":
        from plume.evaluate.compare import compare_reports

        return compare_reports
    if name == "write_chart":
        from plume.evaluate.chart import write_chart

        return write_chart
    raise AttributeError(name)
