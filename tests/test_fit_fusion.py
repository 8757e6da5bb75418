"""`python -m eval.fit_fusion`'s choice: the best grid weight, and its number cross-validated by article."""

import numpy as np
import pytest

from eval.fit_fusion import report

GRID = (0.0, 0.5, 1.0)


def test_the_best_weight_is_chosen_and_each_article_is_scored_at_the_weight_the_others_chose():
    ranks = {
        "a": np.array([[0.5, 1.0, 0.2], [0.5, 1.0, 0.2]]),
        "b": np.array([[0.5, 1.0, 0.2]]),
        "c": np.array([[0.5, 1.0, 0.2]]),
        "d": np.array([[1.0, 0.2, 0.2]]),  # prefers another weight; scored at the one a, b, c chose
    }
    best, mrr, held_out = report(ranks, GRID)
    assert best == 0.5 and mrr == pytest.approx((1.0 * 4 + 0.2) / 5)
    assert held_out == pytest.approx(mrr)
    ranks["d"] = np.array([[1.0, 0.2, 0.2]] * 3)  # now d outweighs the rest, except when it is held out
    best, mrr, held_out = report(ranks, GRID)
    assert best == 0.0 and mrr == pytest.approx((0.5 * 4 + 3.0) / 7)
    assert held_out == pytest.approx((0.5 * 4 + 0.2 * 3) / 7)  # the tuned number flatters
