"""Reward quality as tests: ``@evaluation_test`` gates, ``assert_score`` and pytest fixtures.

Example::

    from reward_kit.testing import assert_score, build_messages, evaluation_test

    @evaluation_test(dataset="data.jsonl", reward=exact_answer, threshold="mean >= 0.8")
    def test_exact_answer_quality(row, result):
        assert result.reason  # anything to check on every row

    def test_a_right_answer_scores_one():
        assert_score(exact_answer(build_messages("2+2?", "4"), ground_truth="4"), 1.0)

The fixtures ``reward_kit_messages`` and ``reward_kit_worker`` come from the pytest plugin
(``reward_kit.testing.plugin``), which pytest loads by itself once reward-kit is installed.
This package sits at the top of the layers, beside the CLI: it uses the pipeline's datasets,
generation and statistics, so a gate measures what ``reward-kit run`` measures.
"""

from reward_kit.testing._assertions import assert_score, build_messages
from reward_kit.testing._evaluation import evaluation_test
from reward_kit.testing._thresholds import Threshold, parse_threshold

__all__ = ["Threshold", "assert_score", "build_messages", "evaluation_test", "parse_threshold"]
