import numpy as np
import pandas as pd
import pytest

from finrisk_utils.credit.scorecard import WoEEncoder, make_scorecard, points_scale, scorecard_table


def toy():
    X = pd.DataFrame(
        {"housing": ["own"] * 6 + ["rent"] * 4, "age": [20, 25, 30, 35, 40, 45, 50, 55, 60, 65]}
    )
    y = np.array([0, 0, 0, 0, 0, 1, 1, 1, 0, 1])
    return X, y


def test_woe_and_iv_hand_computed():
    X, y = toy()
    enc = WoEEncoder(n_bins=2, smoothing=0.0).fit(X, y)
    # housing=own: 5 goods of 6, 1 bad of 4; rent: 1 good, 3 bads
    g, b = np.array([5 / 6, 1 / 6]), np.array([1 / 4, 3 / 4])
    np.testing.assert_allclose(enc.woe_["housing"].to_numpy(), np.log(g / b))
    assert enc.iv_["housing"] == pytest.approx(np.sum((g - b) * np.log(g / b)))
    out = enc.transform(pd.DataFrame({"housing": ["rent", "castle"], "age": [21, 64]}))
    assert out.loc[0, "housing"] == pytest.approx(np.log(g[1] / b[1]))
    assert out.loc[1, "housing"] == 0.0  # unseen category: average risk
    assert enc.bin_labels("age")[0].startswith("[-inf")


def test_woe_learns_only_from_training_rows():
    X, y = toy()
    enc = WoEEncoder(n_bins=2).fit(X.iloc[:8], y[:8])
    edges = enc.bins_["age"].copy()
    enc2 = WoEEncoder(n_bins=2).fit(pd.concat([X.iloc[:8]]), y[:8])
    np.testing.assert_array_equal(edges, enc2.bins_["age"])
    assert enc.bins_["age"][1] == pytest.approx(np.median(X["age"].iloc[:8]))


def test_woe_bad_input():
    X, y = toy()
    with pytest.raises(TypeError, match="DataFrame"):
        WoEEncoder().fit(X.to_numpy(), y)
    with pytest.raises(ValueError, match="0/1"):
        WoEEncoder().fit(X, y + 1)
    with pytest.raises(ValueError, match="missing column"):
        WoEEncoder().fit(X, y).transform(X[["age"]])


def test_points_scale():
    offset, factor = points_scale(600, 19, 50)
    assert offset + factor * np.log(19) == pytest.approx(600)
    assert offset + factor * np.log(38) == pytest.approx(650)
    with pytest.raises(ValueError):
        points_scale(pdo=0)


def test_scorecard_points_add_up_to_the_model_score():
    rng = np.random.default_rng(0)
    n = 400
    X = pd.DataFrame({"a": rng.choice(["x", "y", "z"], n), "b": rng.normal(size=n)})
    logit = -1 + (X["a"] == "z") * 1.5 + 0.8 * X["b"]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    card = make_scorecard(n_bins=4).fit(X, y)
    table = scorecard_table(card)
    woe = card.named_steps["woe"].transform(X)
    offset, factor = points_scale()
    log_odds_bad = card.named_steps["logit"].decision_function(woe)
    expected = offset - factor * log_odds_bad
    points = np.zeros(n)
    for col in ["a", "b"]:
        lookup = dict(
            zip(
                table.loc[table["attribute"] == col, "woe"],
                table.loc[table["attribute"] == col, "points"],
                strict=True,
            )
        )
        points += woe[col].map(lookup).to_numpy()
    np.testing.assert_allclose(points, expected)
