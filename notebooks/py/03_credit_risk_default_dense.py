# %% [markdown] tags=[]
# # 03 · Credit risk: default prediction with dense networks against a logistic scorecard
#
# **Question.** Does a dense neural network predict default better than the logistic scorecard a bank would
# actually use, and can its PDs be trusted: calibrated, stable, explainable, mapped to monotone rating grades?
#
# **Data.** `german_credit`: 1,000 applicants, 20 attributes, 30% bad; the documented cost matrix charges 5 for
# accepting a bad applicant and 1 for rejecting a good one (`cost_fn`).
#
# **Models.** The seed article's network done right (Dense(100) → Dropout(0.5) → sigmoid, binary cross-entropy,
# class weights, early stopping on a validation split of the training rows) and a tuned dense network whose settings
# are chosen on log loss on a validation split inside each training set (nested: never on a test fold). **Baselines.** The points-based scorecard
# (logistic regression on weight-of-evidence bins; 600 points at odds 1:19, 50 points to double the odds), plain
# logistic regression on one-hot attributes, and gradient boosting.
# **Evaluation.** Repeated stratified 5-fold CV (`n_repeats`): AUC, Gini, KS, Brier, log loss, ECE, expected cost at
# the cost-optimal threshold, mean ± std; a DeLong test of the network's AUC against the scorecard's; on a holdout
# split (`test_size`): ROC, calibration, score distributions, PSI, permutation importance and reason codes; rating
# grades on the out-of-fold PDs. A last section reads credit spreads as a market signal of default risk.
#
# **Runtime** (2 CPU cores): about 1 min in the quick profile (one CV repeat), about 7 min in the full profile.

# %% tags=["parameters"]
seed = 42
profile = "full"  # "quick": fewer epochs and a one-point tuning grid (CI); "full": the teaching run
output_dir = None  # where metrics.json and figures go (None: runs/interactive/<notebook>)
test_size = 0.3  # share of applicants in the holdout split
n_repeats = 0  # repeats of stratified 5-fold cross-validation; 0: by profile (quick 1, full 5)
cost_fn = 5.0  # cost of accepting a bad applicant, relative to rejecting a good one

# %% tags=[]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from finrisk_utils import load, record_metrics, setup
from finrisk_utils.core import by_profile, plot_series, save_figure, shade_periods
from finrisk_utils.credit import (
    classification_metrics,
    credit_models,
    delong_test,
    goal_table,
    grade_table,
    one_hot_preprocessor,
    plot_calibration,
    plot_roc,
    plot_score_distributions,
    psi,
    reason_codes,
    repeated_cv,
    scorecard_table,
    split_features_label,
    summarize_cv,
)
from finrisk_utils.data import nber_recessions
from finrisk_utils.forecasting import ar_one_step_forecast, diebold_mariano, rmse
from finrisk_utils.workbench import resolve_output_dir

setup(seed)
out = resolve_output_dir(output_dir)
epochs = by_profile(profile, quick=30, full=300)
n_repeats = n_repeats or by_profile(profile, quick=1, full=5)
mlp_grid = by_profile(
    profile,
    quick=[{"hidden": (32,), "dropout": 0.3, "l2": 1e-3}],
    full=[
        {"hidden": (32,), "dropout": 0.3, "l2": 1e-3},
        {"hidden": (100,), "dropout": 0.5, "l2": 1e-3},
    ],
)
pd.set_option("display.precision", 4)
pd.set_option("display.width", 200)

# %% [markdown] tags=[]
# ## Data

# %% tags=[]
# NBVAL_CHECK_OUTPUT
credit = load("german_credit")
X, y = split_features_label(credit)
categorical = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
print(
    f"{len(X)} applicants, {X.shape[1]} attributes ({len(categorical)} categorical), bad rate {y.mean():.1%}"
)

# %% [markdown] tags=[]
# ## What is wrong with the seed article's recipe, in numbers
#
# The seed trains `Dense(100) → Dropout(0.5) → Dense(1, sigmoid)` on `data / np.max(data)` with
# `model.fit(data, data)`. On this table it cannot even run (the categories are text; `astype('float32')` fails),
# but its two ideas leak even after the text is encoded:
#
# 1. **The target is among the inputs.** `data` still holds the label column, and `fit(data, data)` asks the model
#    to reproduce its input. Any model then "predicts" default perfectly, because it reads the answer.
# 2. **Scaling with statistics of the whole set.** `np.max(data)` is one number over every row *and* column, so it
#    uses the test rows, and it is the largest credit amount, which squashes every other attribute to nearly 0.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_size, stratify=y, random_state=seed)
leaky = Pipeline(
    [("pre", one_hot_preprocessor(X.assign(label=y))), ("m", LogisticRegression(max_iter=2000))]
)
leaky.fit(X_tr.assign(label=y_tr), y_tr)
auc_leak = roc_auc_score(y_te, leaky.predict_proba(X_te.assign(label=y_te))[:, 1])
print(f"1. label among the inputs: holdout AUC {auc_leak:.3f} -- perfect, and meaningless")
numeric = X.select_dtypes("number")
global_max = numeric.to_numpy().max()
print(f"2. np.max over the whole table = {global_max:.0f} (a credit amount); scaled column maxima:")
print((numeric.max() / global_max).round(4).to_string())
whole = StandardScaler().fit(numeric)
train_only = StandardScaler().fit(numeric.loc[X_tr.index])
shift = pd.Series(whole.mean_ - train_only.mean_, index=numeric.columns)
print("   means used by a scaler fitted on all rows minus train-only means (test rows leak in):")
print(shift.round(3).to_string())

# %% [markdown] tags=[]
# The second leak is real but small here (1,000 rows drawn from one population, so test means are close to training
# means); in time-ordered data it is not small (see notebook 01). Below, every statistic (one-hot categories,
# scaling, WoE bins, early stopping) is learned inside a `Pipeline` on training rows only.

# %% [markdown] tags=[]
# ## Holdout split: fit once, look closely
#
# A stratified holdout (`test_size`) lets us draw the curves and tables a validator reads. Headline numbers come from
# the repeated cross-validation further down, which uses every applicant as a test case once per repeat.

# %% tags=[]
models = credit_models(X, seed=seed, epochs=epochs, mlp_grid=mlp_grid, inner_folds=1)
fitted = {name: m.fit(X_tr, y_tr) for name, m in models.items()}
pd_test = {name: m.predict_proba(X_te)[:, 1] for name, m in fitted.items()}
pd_train = {name: m.predict_proba(X_tr)[:, 1] for name, m in fitted.items()}
for name, p in pd_test.items():
    assert np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all(), name
holdout = pd.DataFrame(
    {name: classification_metrics(y_te, p, cost_fn=cost_fn) for name, p in pd_test.items()}
).T
holdout["psi_train_test"] = [psi(pd_train[n], pd_test[n]) for n in holdout.index]
print(
    "tuned network's settings (chosen on log loss, inner validation split):",
    fitted["mlp_tuned"].best_params_,
)
holdout

# %% tags=[]
fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
plot_roc(y_te, pd_test, ax=axes[0])
plot_calibration(y_te, pd_test, ax=axes[1])
plot_score_distributions(
    y_te, pd_test["mlp"], title="mlp (class weights): PDs of goods and bads", ax=axes[2]
)
fig.tight_layout()
save_figure(fig, out, "roc_calibration_scores")

# %% [markdown] tags=[]
# The class-weighted network (`mlp`) ranks applicants about as well as the others, but its PDs are inflated:
# class weights train it as if half the applicants were bad, so its calibration curve lies below the diagonal and
# its Brier score and ECE are worse. A bank uses PDs, not only rankings (pricing, provisions, capital), so this is a
# real defect, not a detail. The tuned network (no class weights, chosen on log loss) does not have it.
#
# PSI compares each model's score distribution on training and holdout applicants; values below 0.1 mean stable.

# %% [markdown] tags=[]
# ## The scorecard a bank would use
#
# Each attribute is binned (categories as they are, numbers in quintiles), each bin gets its weight of evidence,
# and a logistic regression on the WoE values gives points per bin: an applicant's score is the sum of their bins'
# points, 600 at odds 1:19 and 50 more points per doubling of the odds. Information value ranks the attributes.

# %% tags=[]
scorecard = fitted["scorecard"]
iv = (
    pd.Series(scorecard.named_steps["woe"].iv_)
    .sort_values(ascending=False)
    .rename("information_value")
)
card = scorecard_table(scorecard, points0=600, odds0=19, pdo=50)
print(iv.round(3).head(8).to_string())
card[card["attribute"].isin(iv.index[:3])].round(2)

# %% [markdown] tags=[]
# ## Which attributes drive each model, and why one applicant scores badly
#
# Permutation importance: how much the holdout AUC drops when one attribute's values are shuffled. Reason codes:
# for the three applicants the tuned network thinks riskiest, the attributes that push their PD up most (each is set
# to the typical applicant's value and the fall in PD is its contribution). These are the "principal reasons" an
# adverse-action notice has to state.

# %% tags=[]
importance = pd.DataFrame(
    {
        name: permutation_importance(
            m,
            X_te,
            y_te,
            scoring="roc_auc",
            n_repeats=by_profile(profile, quick=2, full=5),
            random_state=seed,
        ).importances_mean
        for name, m in fitted.items()
    },
    index=X.columns,
)
importance.sort_values("scorecard", ascending=False).head(8)

# %% tags=[]
riskiest = X_te.iloc[np.argsort(-pd_test["mlp_tuned"])[:3]]
reason_codes(fitted["mlp_tuned"], riskiest, reference=X_tr, top=3)

# %% [markdown] tags=[]
# ## Repeated cross-validation: the headline numbers
#
# Every model, every preprocessing step and (for `mlp_tuned`) the hyper-parameter search is refitted inside each
# training set of a stratified 5-fold split, repeated `n_repeats` times with reshuffling: mean ± standard deviation
# over the folds. The DeLong test compares the networks' AUC with the scorecard's on the out-of-fold predictions of
# the first repeat (every applicant scored once, by models that never saw them).

# %% tags=[]
folds, oof = repeated_cv(models, X, y, n_repeats=n_repeats, seed=seed, cost_fn=cost_fn)
cv_table = summarize_cv(folds)
first = oof[oof["repeat"] == 0]
delong = {
    name: delong_test(first["y"].to_numpy(), first[name].to_numpy(), first["scorecard"].to_numpy())
    for name in ["mlp", "mlp_tuned", "gbm", "logit"]
}
print(
    pd.DataFrame(
        {
            k: {
                "auc_diff": d.difference,
                "ci95_low": d.ci95[0],
                "ci95_high": d.ci95[1],
                "pvalue": d.pvalue,
            }
            for k, d in delong.items()
        }
    )
    .T.round(4)
    .to_string()
)
cv_table[["auc", "auc_std", "gini", "ks", "brier", "brier_std", "log_loss", "ece", "expected_cost"]]

# %% [markdown] tags=[]
# ## Rating grades
#
# A master scale maps PDs to grades with fixed PD bands. A validator checks that the observed default rate rises
# from grade to grade (monotone) and that no grade is empty or holds most applicants. We grade the out-of-fold PDs
# of the first CV repeat: all 1,000 applicants, each scored by models that never saw them (a 300-applicant holdout
# leaves too few defaults per grade for the check to mean much).

# %% tags=[]
master_scale = [0.03, 0.06, 0.10, 0.15, 0.22, 0.32, 0.50, 1.0]
grades = {
    name: grade_table(first["y"].to_numpy(), first[name].to_numpy(), master_scale)
    for name in ["scorecard", "mlp", "mlp_tuned"]
}
for name, table in grades.items():
    print(f"{name}: observed default rate monotone across grades: {table.attrs['monotone']}")
pd.concat({name: t[["pd_band", "n", "default_rate"]] for name, t in grades.items()}, axis=1)

# %% [markdown] tags=[]
# Reference figures on this data (5×5 CV): logistic regression AUC ≈ 0.780 (Gini 0.56, KS 0.44, Brier 0.169),
# gradient boosting ≈ 0.775, an untuned MLP(32) ≈ 0.710. Our logistic regression and scorecard land on them;
# gradient boosting with scikit-learn's defaults lands within one standard deviation of its reference. The goal
# set for the network was AUC ≥ 0.77 and Brier ≤ 0.17 without tuning on test folds:

# %% tags=[]
goals = goal_table(
    cv_table, ["mlp", "mlp_tuned"], "scorecard", delong, auc_min=0.77, brier_max=0.17
)
goals

# %% [markdown] tags=[]
# **Reading the numbers.** With 1,000 applicants and 20 attributes there is little room for a network to find
# structure a logistic regression on well-binned attributes has missed: the networks' AUC sits within a standard
# deviation of the scorecard's and the DeLong test cannot separate them. The seed's class-weighted design ranks
# about as well but misses the Brier goal, because class weights distort its PDs; the tuned network, chosen on log
# loss inside each training set, is calibrated. Monotone grades are a property to check, not to assume: with 300
# defaults spread over eight grades, a grade's observed rate can dip below its neighbour's for any model; a bank
# would merge such grades or recalibrate the bands. What the scorecard keeps is what a bank needs besides accuracy:
# points a loan officer can read, monotone grades, and reason codes that fall straight out of the model. A network
# needs the permutation importance and reason-code machinery above to offer the same, and on this data buys no
# accuracy for it.

# %% [markdown] tags=[]
# ## Credit spreads: the market's price of default risk
#
# The spread of BAA over AAA corporate yields widens when investors fear defaults: in every recession (shaded,
# NBER dates). A simple forecast of next month's change: a rolling AR(1) on monthly changes against "no change".

# %% tags=[]
yields = load("corporate_yields")
spread = (yields["baa"] - yields["aaa"]).rename("BAA - AAA (pp)")
fig = plot_series(
    spread, title="BAA - AAA corporate bond spread and US recessions", ylabel="percentage points"
)
shade_periods(fig.axes[0], nber_recessions(spread.index[0], spread.index[-1]))
fig.axes[0].legend()
save_figure(fig, out, "credit_spread")
change = spread.diff().dropna()
fc_dates = change.loc["2000-01-01":].index
ar1 = ar_one_step_forecast(change, fc_dates, lags=1)
actual = change.loc[fc_dates]
spread_dm = diebold_mariano(((actual - ar1) ** 2).to_numpy(), (actual**2).to_numpy())
spread_rmse = {"ar1": rmse(actual, ar1), "random_walk": rmse(actual, np.zeros(len(actual)))}
print(
    f"monthly spread changes 2000-2018 ({len(actual)} months): RMSE AR(1) {spread_rmse['ar1']:.4f} pp, "
    f"no change {spread_rmse['random_walk']:.4f} pp; DM p = {spread_dm.pvalue:.3f}"
)

# %% [markdown] tags=[]
# ## Record

# %% tags=[]
metrics = {
    "run.n_applicants": len(X),
    "run.bad_rate": float(y.mean()),
    "run.n_folds": len(folds) // len(models),
}
for name in cv_table.index:
    row = cv_table.loc[name]
    metrics |= {
        f"{name}.{k}": float(row[k])
        for k in ["auc", "auc_std", "gini", "ks", "brier", "ece", "log_loss", "expected_cost"]
    }
    metrics[f"{name}.psi"] = float(holdout.loc[name, "psi_train_test"])
    metrics[f"{name}.grades_monotone"] = grades[name].attrs["monotone"] if name in grades else None
metrics |= {
    "mlp_vs_scorecard.auc_diff_pvalue": delong["mlp"].pvalue,
    "mlp_tuned_vs_scorecard.auc_diff_pvalue": delong["mlp_tuned"].pvalue,
    "ar1.rmse_spread": spread_rmse["ar1"],
    "random_walk.rmse_spread": spread_rmse["random_walk"],
    "ar1_vs_random_walk.dm_pvalue_spread": spread_dm.pvalue,
}
record_metrics(
    metrics,
    out,
    headline=[
        "scorecard.auc",
        "mlp.auc",
        "mlp_tuned.auc",
        "mlp.brier",
        "mlp_vs_scorecard.auc_diff_pvalue",
    ],
)
