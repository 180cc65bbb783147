# %% [markdown] tags=[]
# # 03 · Credit risk: default prediction with dense networks against a logistic scorecard
#
# **Question.** Does a dense neural network predict default better than the logistic scorecard a bank would
# actually use, and can its PDs be trusted: calibrated for the population they will score, explainable, mapped to
# rating grades whose PD bands hold up, and fair to protected groups?
#
# **Data.** `dataset = "german_credit"` (default): 1,000 applicants, 20 attributes, 30% bad, no missing values;
# the documented cost matrix charges 5 for accepting a bad applicant and 1 for rejecting a good one (`cost_fn`).
# The sample over-represents bads: the population bad rate is about 5% (Grömping 2019), the default
# `population_bad_rate`, so PDs are stated on both scales. `dataset = "credit_applicants"`: a second population
# (R `modeldata::credit_data`), 4,454 applicants, 13 attributes, 28% bad, with missing values (income, assets,
# debt, home, marital status, job), which the pipelines handle explicitly: missing numbers are replaced by the
# training median and flagged by an indicator column, a missing category is a category, the scorecard gives
# missing values their own bin, gradient boosting takes them natively. No population bad rate is documented for
# it, so its PDs stay on the sample's scale unless `population_bad_rate` is set.
#
# **Models.** The seed article's network done right (Dense(100) → Dropout(0.5) → sigmoid, binary cross-entropy,
# class weights, early stopping on the class-weighted loss of a validation split of the training rows) and a tuned dense network whose settings
# are chosen on log loss on a validation split inside each training set (nested: never on a test fold). **Baselines.** The points-based scorecard
# (logistic regression on weight-of-evidence bins; 600 points at odds 1:19, 50 points to double the odds), plain
# logistic regression on one-hot attributes, and gradient boosting (fixed settings: learning rate 0.05, 200 trees of
# depth at most 3).
# **Evaluation.** Repeated stratified K-fold CV (`cv_splits` folds, 5 in the full profile; `n_repeats` repeats): AUC, Gini, KS, Brier, log loss, ECE, expected cost at
# the cost-optimal threshold, mean ± std; DeLong tests of every model's AUC against the scorecard's with Holm over
# the family, and a model confidence set on log loss; whether each network trained (per fold); on a holdout split
# (`test_size`): ROC, calibration, score distributions, permutation importance and reason codes; rating grades with
# per-grade Jeffreys tests; PDs restated for the population (prior correction); the production models retrained
# without the protected attributes, and disparate impact of the approval decision. A last section reads credit
# spreads as a market signal of default risk.
#
# **Runtime** (2 CPU cores): 472 s in the full profile (two repeats of 5-fold CV, `dataset = "german_credit"`) at the last render, beside the full renders of 02 and 08; 85 s in the quick profile (one repeat of 3-fold CV) in a fresh-clone `make run` (2 workers, every notebook, this round).

# %% tags=["parameters"]
seed = 42
profile = "full"  # "quick": fewer epochs and folds, a one-point tuning grid (CI); "full": the teaching run
output_dir = None  # where metrics.json and figures go (None: runs/interactive/<notebook>)
test_size = 0.3  # share of applicants in the holdout split
n_repeats = 0  # repeats of the stratified cross-validation; 0: by profile (quick 1, full 2)
cv_splits = 0  # folds of the stratified cross-validation; 0: by profile (quick 3, full 5)
cost_fn = 5.0  # cost of accepting a bad applicant, relative to rejecting a good one
dataset = "german_credit"  # "german_credit" or "credit_applicants"
population_bad_rate = 0.0  # 0: by dataset (German credit 0.05; applicants: sample rate)
approval_rate = (
    0.7  # share of applicants approved: approve if PD at most the cut-off that approves this share
)
protected = []  # attributes production models must not use; []: the dataset's protected attributes

# %% tags=[]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from finrisk_utils import load, record_metrics, setup
from finrisk_utils.core import by_profile, plot_series, save_figure, shade_periods
from finrisk_utils.credit import (
    CREDIT_REFERENCES,
    approval_cutoff,
    approval_disparate_impact,
    calibration_prior,
    classification_metrics,
    compare_pd_models,
    comparison_text,
    credit_models,
    delong_test,
    disparate_impact_reading,
    goal_table,
    grade_tests,
    load_credit_data,
    network_fit,
    one_hot_preprocessor,
    plot_calibration,
    plot_roc,
    plot_score_distributions,
    population_weights,
    prior_correct,
    protected_lr_test,
    reason_codes,
    repeated_cv,
    scorecard_table,
    summarize_cv,
    tuned_settings,
)
from finrisk_utils.data import nber_recessions
from finrisk_utils.forecasting import (
    ar_one_step_forecast,
    compare_forecasts,
    format_pvalue,
    holm,
    rmse,
)
from finrisk_utils.models import plot_training
from finrisk_utils.workbench import resolve_output_dir

setup(seed)
out = resolve_output_dir(output_dir)
epochs = by_profile(profile, quick=30, full=300)
n_repeats = n_repeats or by_profile(profile, quick=1, full=2)
cv_splits = cv_splits or by_profile(profile, quick=3, full=5)
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
data = load_credit_data(dataset)
X, y = data.X, data.y
protected = protected or list(data.protected)
population_bad_rate = population_bad_rate or data.population_bad_rate or float(y.mean())
categorical = data.categorical
print(
    f"{dataset}: {len(X)} applicants, {X.shape[1]} attributes ({len(categorical)} categorical), "
    f"bad rate {y.mean():.1%} (label column {data.label!r}); protected: {protected}"
)
print(
    f"missing values: {int(data.missing.sum())} in {int((data.missing > 0).sum())} attributes"
    + "".join(f"; {c} {n}" for c, n in data.missing[data.missing > 0].items())
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
#    uses the test rows, and it is the largest value of one attribute (a credit amount in German credit), which
#    squashes every other attribute to nearly 0.

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
global_max = np.nanmax(numeric.to_numpy())
print(
    f"2. np.max over the whole table = {global_max:.0f} (in {numeric.max().idxmax()!r}); "
    "scaled column maxima:"
)
print((numeric.max() / global_max).round(4).to_string())
whole = StandardScaler().fit(numeric)
train_only = StandardScaler().fit(numeric.loc[X_tr.index])
shift = pd.Series(whole.mean_ - train_only.mean_, index=numeric.columns)
print("   means used by a scaler fitted on all rows minus train-only means (test rows leak in):")
print(shift.round(3).to_string())

# %% [markdown] tags=[]
# The second leak is real but small here (applicants drawn from one population, so test means are close to training
# means); in time-ordered data it is not small (see notebook 01). Below, every statistic (one-hot categories,
# scaling, WoE bins, early stopping) is learned inside a `Pipeline` on training rows only.

# %% [markdown] tags=[]
# ## Holdout split: fit once, look closely
#
# A stratified holdout (`test_size`) lets us draw the curves and tables a validator reads. Headline numbers come from
# the repeated cross-validation further down, which uses every applicant as a test case once per repeat. In the
# networks' table each kept validation loss is set against the naive one on its own scale: for the class-weighted
# `mlp`, the class-weighted log loss against a constant PD at the weighted base rate (one half, so the naive loss
# is ln 2 per unit weight); for the unweighted networks, the plain log loss against the sample's bad rate. The two
# scales are not comparable across rows.

# %% tags=[]
models = credit_models(X, seed=seed, epochs=epochs, mlp_grid=mlp_grid, inner_folds=1)
production = credit_models(
    X, seed=seed, epochs=epochs, mlp_grid=mlp_grid, inner_folds=1, drop=protected
)
contenders = list(models)  # with protected attributes: logit, scorecard, gbm, mlp, mlp_tuned
models |= {f"{n}_no_protected": production[n] for n in ["scorecard", "mlp_tuned"]}
fitted = {name: m.fit(X_tr, y_tr) for name, m in models.items()}
pd_test = {name: m.predict_proba(X_te)[:, 1] for name, m in fitted.items()}
for name, p in pd_test.items():
    assert np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all(), name
holdout = pd.DataFrame(
    {name: classification_metrics(y_te, p, cost_fn=cost_fn) for name, p in pd_test.items()}
).T
nets = ["mlp", "mlp_tuned", "mlp_tuned_no_protected"]
training = pd.DataFrame({n: network_fit(fitted[n]).summary() for n in nets}).T
print(
    "tuned network's settings (chosen on log loss by an inner validation split; a one-point grid is fitted"
    " directly):",
    tuned_settings(fitted["mlp_tuned"]),
)
print("networks (naive = constant base-rate PD on the validation rows):\n" + training.to_string())
fig, axes = plt.subplots(1, len(nets), figsize=(5 * len(nets), 3.5))
for ax, n in zip(axes, nets, strict=True):
    plot_training(network_fit(fitted[n]), title=f"{n} (holdout fit): log loss per epoch", ax=ax)
fig.tight_layout()
save_figure(fig, out, "learning_curves")
holdout

# %% tags=[]
fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
plot_roc(y_te, {n: pd_test[n] for n in contenders}, ax=axes[0])
plot_calibration(y_te, {n: pd_test[n] for n in contenders}, ax=axes[1])
plot_score_distributions(
    y_te, pd_test["mlp"], title="mlp (class weights): PDs of goods and bads", ax=axes[2]
)
fig.tight_layout()
save_figure(fig, out, "roc_calibration_scores")

# %% [markdown] tags=[]
# Class weights train the seed's network (`mlp`) as if half the applicants were bad, which inflates its PDs; the
# tuned network has no class weights. What that does on this holdout:

# %% tags=[]
display(
    Markdown(
        f"Mean holdout PD: `mlp` {pd_test['mlp'].mean():.3f}, `mlp_tuned` {pd_test['mlp_tuned'].mean():.3f}, "
        f"`scorecard` {pd_test['scorecard'].mean():.3f}, against an observed bad rate of {y_te.mean():.3f}; "
        f"ECE `mlp` {holdout.loc['mlp', 'ece']:.3f}, `mlp_tuned` {holdout.loc['mlp_tuned', 'ece']:.3f}, "
        f"`scorecard` {holdout.loc['scorecard', 'ece']:.3f}."
    )
)

# %% [markdown] tags=[]
# A bank uses PDs, not only rankings (pricing, provisions, capital), so calibration matters. No population stability
# index (PSI) is reported: PSI compares a population the model was built on with a later one (next year's
# applicants), and this data set has only one; a random holdout of the same sample is not a population shift.

# %% [markdown] tags=[]
# ## The scorecard a bank would use
#
# Each attribute is binned (categories as they are, numbers in quintiles), each bin gets its weight of evidence,
# and a logistic regression on the WoE values gives points per bin: an applicant's score is the sum of their bins'
# points, 600 at odds 1:19 and 50 more points per doubling of the odds. Information value ranks the attributes.
# On German credit the bins carry the UCI labels, some of which Grömping (2019) showed to be wrong (in
# `credit_history`, "critical account/other credits existing" is among the best-scoring bins; see data/README.md):
# read a bin's points from its data, not from its label.

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
            n_repeats=by_profile(profile, quick=1, full=5),
            random_state=seed,
        ).importances_mean
        for name, m in fitted.items()
        if name in contenders
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
# training set of a stratified `cv_splits`-fold split, repeated `n_repeats` times with reshuffling: mean ± standard deviation
# over the folds. On the out-of-fold PDs of the first repeat (every applicant scored once, by models that never saw
# them), DeLong tests compare each model's AUC with the scorecard's, Holm adjusts over that family (the tests of the trained models, at most four),
# and a model confidence set (Hansen, Lunde and Nason 2011) on per-applicant log loss keeps the models not shown to
# be worse. A network counts as trained only if it beat the constant base-rate PD on its validation rows, with
# weights kept after the first epoch, in every fold; otherwise it is labelled untrained and not interpreted.

# %% tags=[]
folds, oof = repeated_cv(
    models, X, y, n_splits=cv_splits, n_repeats=n_repeats, seed=seed, cost_fn=cost_fn
)
cv_table = summarize_cv(folds)
first = oof[oof["repeat"] == 0]
y_oof = first["y"].to_numpy()
trained_share = cv_table.loc[nets, "trained"]
trained_nets = {n: bool(trained_share[n] == 1) for n in nets[:2]}  # trained in every fold
comparison = compare_pd_models(
    y_oof,
    first[["scorecard", *(n for n in contenders if n != "scorecard")]],
    "scorecard",
    trained=trained_nets,
    seed=seed,
)
print(
    cv_table.loc[nets, ["trained", "best_epoch"]]
    .rename(columns={"trained": "share_trained"})
    .to_string()
)
display(
    cv_table[
        ["auc", "auc_std", "gini", "ks", "brier", "brier_std", "log_loss", "ece", "expected_cost"]
    ]
)
display(comparison)
display(Markdown(comparison_text(comparison)))

# %% [markdown] tags=[]
# ## Rating grades
#
# A master scale maps PDs to grades with fixed PD bands. A validator checks that the observed default rate rises
# from grade to grade (monotone) and, grade by grade, that the observed default rate is consistent with the grade's
# PD band: a Jeffreys interval for each grade's rate (Beta(d + 1/2, n - d + 1/2) posterior; Brown, Cai and DasGupta
# 2001) and a two-sided Jeffreys test of the band (the posterior mass beyond the band's nearer edge, doubled), Holm
# over the grades. We grade the out-of-fold PDs of the first CV repeat (every applicant once). The bands are on the
# sample's scale, so every model's PDs are first stated for the sample's bad rate: a class-weighted network (`mlp`)
# states PDs for a 50% bad rate, so its PDs are first restated for the sample's bad rate by the prior correction
# (`prior_correct`, below); the next section restates every model's PDs for the population.

# %% tags=[]
master_scale = [0.03, 0.06, 0.10, 0.15, 0.22, 0.32, 0.50, 1.0]
graded = ["scorecard", "mlp", "mlp_tuned"]
# the prior each model's PDs carry, from its class weighting (none: the sample's bad rate; balanced: 50%)
fit_prior = {n: calibration_prior(models[n], y) for n in graded}
pd_sample = {n: prior_correct(first[n].to_numpy(), fit_prior[n], float(y.mean())) for n in graded}
grades = {name: grade_tests(y_oof, pd_sample[name], master_scale) for name in graded}
cols = [
    "pd_band",
    "n",
    "defaults",
    "default_rate",
    "jeffreys_low",
    "jeffreys_high",
    "band_pvalue_holm",
]
display(pd.concat({name: grades[name][cols] for name in graded}, names=["model", "grade"]).round(4))
display(
    Markdown(
        " ".join(
            f"`{n}` did not train in every fold: its grades are shown, not interpreted."
            if not trained_nets.get(n, True)
            else f"`{n}`: observed default rate {'rises monotonically' if g.attrs['monotone'] else 'is not monotone'}"
            f" across grades; {g.attrs['n_inconsistent']} of {int((g['n'] > 0).sum())} grades reject their PD"
            f" band (Holm, 5%; smallest unadjusted p = {g.attrs['pvalue_min']:.3f})."
            for n, g in grades.items()
        )
    )
)

# %% [markdown] tags=[]
# ## PDs for the population, not the sample
#
# The German credit sample holds 30% bads, the population about 5% (Grömping 2019). A model fitted on the sample
# states PDs for the sample's bad rate; for the population the odds are multiplied by
# $\frac{\pi/(1-\pi)}{\rho/(1-\rho)}$ with $\rho$ the sample and $\pi$ the population bad rate
# (`population_bad_rate`; prior correction, Saerens et al. 2002). Rankings (AUC) do not change; PDs, provisions and
# the master-scale grade an applicant lands in do. For credit_applicants no population rate is documented: by
# default the correction is the identity. `fit_prior` is the bad rate a model's PDs are calibrated to, read from the
# model's class weighting by `calibration_prior`: the sample's for a model trained without class weights, 50% for one
# trained with balanced class weights (here `mlp`). `cutoff_pd_sample` is the PD, on the model's own scale, that
# approves the share `approval_rate` of this sample; `cutoff_pd_population` is the same cut-off (the same applicants
# approved) restated on the population's scale. The fairness section below also sets a cut-off that approves that
# share of the *population* (weighted). `mean_pd_population` averages
# the corrected PDs over this sample, which over-represents bads, so it lies above the population rate; over the
# population's mix of applicants it would be near it.

# %% tags=[]
pd_pop = {n: prior_correct(first[n].to_numpy(), fit_prior[n], population_bad_rate) for n in graded}
cutoffs = {n: approval_cutoff(first[n].to_numpy(), approval_rate) for n in graded}
pd_scales = pd.DataFrame(
    {
        "mean_pd_sample": {n: first[n].mean() for n in graded},
        "mean_pd_population": {n: pd_pop[n].mean() for n in graded},
        "cutoff_pd_sample": cutoffs,
        "cutoff_pd_population": {
            n: prior_correct([c], fit_prior[n], population_bad_rate)[0] for n, c in cutoffs.items()
        },
        "fit_prior": fit_prior,
    }
)
print(f"sample bad rate {y.mean():.3f}; population bad rate (parameter) {population_bad_rate:.3f}")
pd_scales.rename(index={n: f"{n} (untrained)" for n, ok in trained_nets.items() if not ok})

# %% [markdown] tags=[]
# ## Fairness: production models without protected attributes
#
# The protected attributes (German credit: sex and marital status in `personal_status_and_sex`, age, foreign-worker
# status; credit_applicants: age and marital status) are inputs of the models above.
# The production versions (`scorecard_no_protected`, `mlp_tuned_no_protected`) are trained without them in the same
# CV folds; a DeLong test each (Holm over the section's three tests, with the likelihood-ratio test below) says
# what dropping them costs in AUC. Dropping an attribute does not
# remove its proxies, so the decision is checked too: approve an applicant if the out-of-fold PD is at most the
# cut-off that approves `approval_rate` of applicants, and compare approval rates across the protected groups: sex,
# marital status (single or not), age (25 or younger, or over 25: the young group of Kamiran and Calders 2009) and foreign-worker status, those
# the data record (an applicant with an unknown status is left out of that attribute's rates).
#
# **Which applicant is in which group** (German credit): the file's labels follow the UCI documentation, which
# Grömping (2019, "South German Credit Data: Correcting a Widely Used Data Set") showed to be wrong for these
# attributes. With her recovered code table, "male : single" is a married or widowed man, "male : married/widowed" a
# single woman, and "female : divorced/separated/married" a non-single woman *or* a single man, so sex and marital
# status are unknown for that whole code (left out of the rates, and the known women are exactly the single
# applicants: the two attributes coincide); foreign-worker yes/no are swapped (the few foreign workers, not the many).
# Analyses that read the UCI labels as printed compare different groups from these (`german_credit_groups(...,
# coding="uci")` gives them). The disparate-impact ratio is
# a group's approval rate over the best-treated group's; the four-fifths rule (US EEOC 1978) flags ratios below 0.8.
# The reading gives every model's lowest ratio, those with the protected attributes included, and names the group
# each flagged ratio belongs to: the group approved less, which need not be the protected minority. DeLong on two nested
# models is conservative (Demler, Pencina and D'Agostino 2012): a non-significant cost of dropping the attributes
# is weak evidence that it is small. The test made for nested models is the likelihood ratio: a logit on all
# attributes against one without the protected ones, in sample (`protected_lr_test`: unpenalised, on the one-hot
# attributes with age as a straight line, so a question about the data rather than about the two production pairs
# above): do they carry default information beyond the rest? Holm runs over the section's three tests. Small groups (column `n` of the table) make their ratios noisy.
#
# The sample over-represents bads (German credit: 30% against a stated population rate; see the PD scales above),
# and bads are rejected more often, so a group's approval rate in the sample is not its rate among applicants.
# Weighting each applicant by the population's class share over the sample's (`population_weights`: a bad
# `population_bad_rate / sample bad rate`, a good `(1 - population_bad_rate) / (1 - sample bad rate)`) restates both
# the cut-off and the rates for the population; where the sample's bad rate is the population's, the weights are all
# 1 and nothing changes.

# %% tags=[]
pairs = {"scorecard_no_protected": "scorecard", "mlp_tuned_no_protected": "mlp_tuned"}
cost = {a: delong_test(y_oof, first[a].to_numpy(), first[b].to_numpy()) for a, b in pairs.items()}
lr = protected_lr_test(X, y, protected)
cost_holm = holm(
    {**{a: d.pvalue for a, d in cost.items()}, "lr": lr.pvalue}
)  # the section's three tests
fair_models = ["scorecard", "scorecard_no_protected", "mlp_tuned", "mlp_tuned_no_protected"]
groups = data.groups
w_pop = population_weights(y_oof, population_bad_rate)  # first repeat's rows, in their order
# population-weighted: PDs restated for the population (a monotone map: the same ranking), so the cut-off that
# approves `approval_rate` of the weighted population reads as a population-scale PD
pd_for = {
    "sample": {n: first[n].to_numpy() for n in fair_models},
    "population": {
        n: prior_correct(first[n].to_numpy(), calibration_prior(models[n], y), population_bad_rate)
        for n in fair_models
    },
}
di, di_pop = (
    {
        n: approval_disparate_impact(pd_for[scale][n], approval_rate, groups.iloc[first["row"]], w)
        for n in fair_models
    }
    for scale, w in (("sample", None), ("population", w_pop))
)
di_ratio, di_ratio_pop = (
    pd.DataFrame({n: t["di_ratio"].groupby(level="attribute").min() for n, t in d.items()})
    for d in (di, di_pop)
)
display(  # every model's groups, in the sample and population-weighted: the tables the reading quotes
    pd.concat(
        {
            "sample": pd.concat(di, names=["model"]),
            "population-weighted": pd.concat(di_pop, names=["model"]),
        },
        axis=1,
    )
    .drop(columns=[(w, "four_fifths_ok") for w in ("sample", "population-weighted")])
    .drop(columns=[("population-weighted", "n")])
    .round(3)
)
display(
    pd.concat({"sample": di_ratio, "population-weighted": di_ratio_pop}, names=["rates"]).round(3)
)
display(
    Markdown(
        " ".join(
            f"Without the protected attributes, `{b}`'s AUC changes by {cost[a].difference:+.3f} "
            f"(DeLong p {format_pvalue(cost[a].pvalue)}, Holm p {format_pvalue(cost_holm[a])})."
            for a, b in pairs.items()
        )
        + f" In sample, the logit with the protected attributes against the logit without them: likelihood "
        f"ratio {lr.statistic:.2f} on {lr.df} degrees of freedom, p {format_pvalue(lr.pvalue)}, Holm p "
        f"{format_pvalue(cost_holm['lr'])}: "
        + (
            "they carry default information beyond the other attributes (5%, after Holm)."
            if cost_holm["lr"] < 0.05
            else "not significant at 5% after Holm over the section's three tests"
            + (
                " (the unadjusted p is below 5%: weak evidence that they carry default information)."
                if lr.pvalue < 0.05
                else "."
            )
        )
        + f"\n\nAt {approval_rate:.0%} approval, per model, in the sample (cut-offs on each model's own PD "
        "scale): "
        + disparate_impact_reading(di)
        + (
            "\n\nPopulation-weighted (bad rate "
            f"{population_bad_rate:.0%}), the cut-off and the rates restated (cut-offs on the population's PD "
            "scale): " + disparate_impact_reading(di_pop)
            if not np.allclose(w_pop, 1)
            else "\n\nThe sample's bad rate is the population's: the population-weighted rates are the same."
        )
    )
)

# %% [markdown] tags=[]
# **Reference figures** quoted for German credit (5×5 CV): logistic regression AUC ≈ 0.780 (Gini 0.56, KS 0.44,
# Brier 0.169), gradient boosting ≈ 0.775, an untuned MLP(32) ≈ 0.710 (as quoted in the project's credit issue, not traced
# to a published source; `CREDIT_REFERENCES`; none are quoted for credit_applicants, whose figures are this run's). The goal set for the network was AUC ≥ 0.77 and Brier ≤ 0.17
# without tuning on test folds (a setting for both data sets). The goals are read on the CV means (`auc`, `brier`);
# the `delong_*` columns are the DeLong test's own estimates, on the first repeat's pooled out-of-fold PDs, so
# they can differ from the CV means in the third decimal:

# %% tags=[]
delong = {
    n: delong_test(y_oof, first[n].to_numpy(), first["scorecard"].to_numpy()) for n in nets[:2]
}
judged = [n for n in nets[:2] if trained_nets[n]]
goals = goal_table(cv_table, judged, "scorecard", delong, auc_min=0.77, brier_max=0.17)
if len(judged) < 2:
    print(f"not judged (did not train in every fold): {[n for n in nets[:2] if n not in judged]}")
reference = CREDIT_REFERENCES.get(dataset, {})
display(goals)
display(
    Markdown(
        " ".join(
            f"`{n}`'s CV AUC {cv_table.loc[n, 'auc']:.3f} is {abs(cv_table.loc[n, 'auc'] - r) / cv_table.loc[n, 'auc_std']:.1f}"
            f" fold standard deviations from its reference {r:.3f}."
            for n, r in reference.items()
        )
        or f"No reference figures are quoted for `{dataset}`; the table above is this run's."
    )
)

# %% [markdown] tags=[]
# **Reading the numbers.** With a few thousand applicants at most and a few dozen attributes there is little room for
# a network to find structure a logistic regression on well-binned attributes has missed. What this run shows:

# %% tags=[]
best_net = max(judged, key=lambda n: cv_table.loc[n, "auc"]) if judged else None
display(
    Markdown(
        (
            f"The better trained network by CV AUC, `{best_net}` ({comparison.loc[best_net, 'verdict']}), has a "
            f"CV AUC of {cv_table.loc[best_net, 'auc']:.3f} ± {cv_table.loc[best_net, 'auc_std']:.3f} against the "
            f"scorecard's {cv_table.loc['scorecard', 'auc']:.3f} ± {cv_table.loc['scorecard', 'auc_std']:.3f}; "
            f"Brier {cv_table.loc[best_net, 'brier']:.3f} against {cv_table.loc['scorecard', 'brier']:.3f}. "
            if best_net
            else "No network trained in every fold, so none is read against the scorecard. "
        )
        + f"Models significantly better than the scorecard after Holm: "
        f"{', '.join(comparison.index[comparison['verdict'].str.startswith('significantly better')]) or 'none'}; "
        f"significantly worse: "
        f"{', '.join(comparison.index[comparison['verdict'].str.startswith('significantly worse')]) or 'none'} "
        f"(DeLong on AUC); dropped by the model confidence set on log loss: "
        f"{', '.join(comparison.index[comparison['in_mcs'] == 0]) or 'none'}. "
        f"Grades with monotone observed default rates (trained models): "
        f"{', '.join(n for n, g in grades.items() if g.attrs['monotone'] and trained_nets.get(n, True)) or 'none'}."
    )
)

# %% [markdown] tags=[]
# A bank also weighs what the scorecard offers besides accuracy: points a loan officer can read and reason codes
# that fall straight out of the model; a network needs the permutation importance and reason-code machinery above to
# offer the same. Monotone grades are a property to check, not to assume: with a few hundred defaults over eight grades a
# grade's observed rate can dip below its neighbour's for any model, and a bank would merge such grades or recalibrate
# the bands.

# %% [markdown] tags=[]
# ## Credit spreads: the market's price of default risk
#
# The spread of BAA over AAA corporate yields tends to widen when investors fear defaults, as in recessions
# (shaded, NBER dates). A simple forecast of next month's change: a rolling AR(1) on monthly changes against the random walk
# ("no change" in the spread). The random walk is nested in the AR(1), so Clark and West (2007) is the test beside
# Diebold–Mariano.

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
zero = np.zeros(len(actual))
spread_cmp = compare_forecasts(
    pd.DataFrame({"random_walk": actual**2, "ar1": (actual - ar1) ** 2}),
    "random_walk",
    nested={"ar1": (actual.to_numpy(), zero, np.asarray(ar1))},
    seed=seed,
)
spread_rmse = {"ar1": rmse(actual, ar1), "random_walk": rmse(actual, zero)}
print(f"monthly spread changes 2000-2018 ({len(actual)} months), RMSE in pp: {spread_rmse}")
display(Markdown(spread_cmp.verdict_text({"ar1": "AR(1)", "random_walk": "the random walk"})))

# %% [markdown] tags=[]
# ## Exercises
#
# 1. **(recall)** Fit the scorecard (`make_scorecard()`) on all applicants and rank the attributes by
#    information value. Which are strong and which useless by the usual rule of thumb (Siddiqi 2006: below 0.02
#    useless, above 0.3 strong)? Why is a high IV alone no reason to keep an attribute on a scorecard?
# 2. **(apply)** Change `cost_fn` from 5 to 1 and to 10. How does the Bayes-optimal PD threshold move, what share
#    of the holdout applicants does the scorecard reject at each, and what happens to the expected cost?
# 3. **(apply)** Restate the scorecard's holdout PDs for population bad rates of 10% and 5% (`prior_correct`).
#    Check that the AUC does not change, and say what does: the mean PD and the share of applicants above a PD
#    of 10%.
# 4. **(extend)** Add a feature to the scorecard: the monthly instalment, `credit_amount / duration_in_month`.
#    Measure its information value and the AUC gain in 5-fold cross-validation (the same folds with and without
#    it), with a DeLong test on the out-of-fold PDs. Is it worth a line on the scorecard?
#
# The exercises use German credit (`dataset = "german_credit"`). Worked solutions:
# `solutions/03_credit_risk_default_dense_solutions.ipynb`.

# %% [markdown] tags=[]
# ## Record

# %% tags=[]
metrics = {
    "run.n_applicants": len(X),
    "run.n_missing": int(data.missing.sum()),
    "run.bad_rate": float(y.mean()),
    "run.n_folds": len(folds) // len(models),
    "run.cv_splits": cv_splits,
    "run.population_bad_rate": population_bad_rate,
    "run.approval_rate": approval_rate,
}
for name in cv_table.index:
    row = cv_table.loc[name]
    metrics |= {
        f"{name}.{k}": float(row[k])
        for k in ["auc", "auc_std", "gini", "ks", "brier", "ece", "log_loss", "expected_cost"]
    }
for name in nets:
    metrics |= {f"{name}.{k}": int(training.loc[name, k]) for k in ["trained", "best_epoch"]}
    metrics[f"{name}.trained_share_cv"] = float(cv_table.loc[name, "trained"])
for name, r in comparison.iterrows():
    metrics[f"{name}.log_loss_in_mcs"] = int(r["in_mcs"])
    if name != "scorecard":
        metrics |= {
            f"{name}_vs_scorecard.auc_diff": float(r["auc_diff"]),
            f"{name}_vs_scorecard.auc_diff_pvalue": float(r["delong_pvalue"]),
        }
        if np.isfinite(r["pvalue_holm"]):
            metrics[f"{name}_vs_scorecard.auc_diff_pvalue_holm"] = float(r["pvalue_holm"])
for name, g in grades.items():
    metrics |= {
        f"{name}.grades_monotone": int(g.attrs["monotone"]),
        f"{name}.grade_jeffreys_pvalue_min": g.attrs["pvalue_min"],
        f"{name}.grades_inconsistent": g.attrs["n_inconsistent"],
        f"{name}.mean_pd_graded": float(pd_sample[name].mean()),  # on the sample's scale
    }
    metrics |= {f"{name}.{k}": float(v) for k, v in pd_scales.loc[name].items()}
for a, b in pairs.items():
    metrics |= {
        f"{a}_vs_{b}.auc_diff": cost[a].difference,
        f"{a}_vs_{b}.auc_diff_pvalue": cost[a].pvalue,
        f"{a}_vs_{b}.auc_diff_pvalue_holm": float(cost_holm[a]),
    }
for name in fair_models:
    metrics |= {f"{name}.di_ratio_{attr}": float(v) for attr, v in di_ratio[name].items()}
    metrics |= {
        f"{name}.di_ratio_{attr}_population": float(v) for attr, v in di_ratio_pop[name].items()
    }
metrics |= {
    "run.protected_lr_statistic": lr.statistic,
    "run.protected_lr_df": lr.df,
    "run.protected_lr_pvalue": lr.pvalue,
    "run.protected_lr_pvalue_holm": float(cost_holm["lr"]),
}
metrics |= {f"{k}_spread": v for k, v in spread_cmp.metrics().items()}
metrics |= {f"{name}.rmse_spread": v for name, v in spread_rmse.items()}
headline = ["scorecard.auc", "mlp.auc", "mlp_tuned.auc", "mlp.brier", "scorecard_no_protected.auc"]
headline += [
    k for k in ["mlp_vs_scorecard.auc_diff_pvalue_holm"] if k in metrics
]  # absent if untrained
record_metrics(metrics, out, headline=headline)
