# %% [markdown] tags=[]
# # 10 · Credit ratings and loan pricing: can a network assign the lender's grade?
#
# **Question.** Lending Club sorts every loan into a grade from A (best) to G before it sets the interest rate. Can a
# neural network assign that grade from the borrower's attributes better than an ordinal logit, the textbook model
# for ordered categories? Does an output that knows the grades are ordered (cumulative link) do better than a plain
# softmax? And what drives the interest rate: how much of it is the grade?
#
# **Data.** `lending_club` (openintro `loans_full_schema`): 10,000 loans issued January to March 2018 with the grade,
# the interest rate and about fifty borrower and loan attributes. Out of time: by default January and February to
# fit, March to test (`fit_months`, `test_months`). The lender's own inputs (FICO score, its internal model) are not in the data, so no model can reproduce
# the grade exactly; the question is which gets closest.
#
# **Models.** `ordinal_logit` (statsmodels `OrderedModel`, the benchmark); gradient boosting (`gbm`,
# scikit-learn's histogram boosting, settings chosen on validation); a dense network with a cumulative-link output
# (`mlp_ordinal`, CORAL-style: one shared score, six ordered thresholds; Cao, Mirjalili and Raschka 2020) and the
# same network with a softmax output (`mlp_softmax`, the naive alternative that treats grades as unordered); the
# training shares of the grades for every loan (`grade_shares`) as the floor. Networks: architecture chosen on validation, several seeds, tested as a
# seed ensemble with the spread beside it. **Rates:** OLS, gradient boosting and a dense network on the same
# attributes, and the same three "with grade"; the grade alone.
#
# **Evaluation.** Exact and within-one-notch accuracy, mean absolute error in notches, Kendall's tau, the ranked
# probability score of the grade probabilities; paired tests on per-loan losses with Holm, McNemar on exact hits, the
# model confidence set; permutation importance; errors by home ownership and state. Rates: RMSE, MAE, R².
#
# **Runtime** (2 CPU cores): 155 s in the full profile at the last render, run alone; 64 s in the quick profile in a fresh-clone `make run` (2 workers, every notebook, this round).

# %% tags=["parameters"]
seed = 42
profile = (
    "full"  # "quick": one architecture, fewer epochs, two seeds (CI); "full": the teaching run
)
output_dir = None  # where metrics.json and figures go (None: runs/interactive/<notebook>)
fit_months = ["Jan-2018", "Feb-2018"]  # issue months the models are fitted on
test_months = ["Mar-2018"]  # issue months they are tested on (after every fit month)
validation_fraction = (
    0.2  # random share of the fit months held out for early stopping and selection
)
n_seeds = 0  # seeds per network; 0: by profile (quick 2, full 3)
fairness_groups = ["homeownership", "state"]  # groupings of the test errors in the fairness reading
min_group_size = (
    100  # test loans a group needs to be read on its own (smaller ones are pooled as "other")
)
leakage_threshold = (
    0.5  # an input giving the grade away beyond this (lift or eta squared) stops the notebook
)

# %% tags=[]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LinearRegression
from threadpoolctl import threadpool_limits

from finrisk_utils import load, record_metrics, setup
from finrisk_utils.core import by_profile, save_figure
from finrisk_utils.forecasting import (
    best_trained_model,
    compare_forecasts,
    holm,
    holm_across,
    seed_ensemble,
    seed_spread,
)
from finrisk_utils.models import has_learned, plot_training
from finrisk_utils.ratings import (
    GRADES,
    LEAKY_COLUMNS,
    GradeModel,
    OrdinalLogit,
    calibration_reading,
    confusion_counts,
    errors_by_group,
    fit_gbm,
    fit_ordinal_and_softmax,
    fit_rate_network,
    grade_calibration,
    grade_dummies,
    grade_from_probabilities,
    grade_inputs,
    grade_models_reading,
    grade_notches,
    grade_scores,
    group_error_reading,
    implied_annual_rate,
    importance_reading,
    leakage_screen,
    make_preprocessor,
    mcnemar_test,
    month_split,
    notch_metrics,
    ordinal_vs_softmax_reading,
    plot_confusion,
    plot_errors_by_group,
    plot_importance,
    plot_rate_by_grade,
    rate_reading,
    validation_slice,
    with_grade,
)
from finrisk_utils.workbench import resolve_output_dir

setup(seed)
threadpool_limits(
    1
)  # BLAS/OpenMP: one thread (on shared cores, spinning OpenMP threads slowed boosting 20-fold)
out = resolve_output_dir(output_dir)
n_seeds = n_seeds or by_profile(profile, quick=2, full=3)
epochs = by_profile(profile, quick=20, full=200)
patience = by_profile(profile, quick=5, full=15)
hidden_grid = by_profile(profile, quick=[(32,)], full=[(32,), (64, 32)])
gbm_grid = by_profile(
    profile,
    quick=[{"learning_rate": 0.1, "max_leaf_nodes": 15}],
    full=[
        {"learning_rate": 0.05, "max_leaf_nodes": 15},
        {"learning_rate": 0.05, "max_leaf_nodes": 31},
    ],
)
net_kw = {"epochs": epochs, "patience": patience, "batch_size": 256, "learning_rate": 2e-3}
perm_repeats = by_profile(profile, quick=2, full=5)
K = len(GRADES)
pd.set_option("display.precision", 4)
pd.set_option("display.width", 200)

# %% [markdown] tags=[]
# ## Data: grades, rates and what gives the grade away

# %% tags=[]
# NBVAL_CHECK_OUTPUT
loans = load("lending_club")
y_all = grade_notches(loans["grade"])
print(f"{len(loans)} loans, {loans.shape[1]} columns")
pd.crosstab(loans["issue_month"], loans["grade"], margins=True)

# %% [markdown] tags=[]
# The lender prices a loan from its grade (more precisely from the sub-grade, A1 to G5), so the interest rate, the
# sub-grade and anything computed from the rate (the monthly instalment, the payments made since) hand the grade to
# any model. A leakage screen scores every column: how well its values alone predict the grade on a held-out half
# (`label_lift`: 0 = no better than always guessing the commonest grade, 1 = perfect), and for numbers, how much of
# the column's variance the grade explains (`eta_squared`). The instalment alone looks harmless, but with the amount
# and the term it gives the rate back through the annuity formula (`implied_rate` below).

# %% tags=[]
candidates = loans.drop(columns=["grade"]).assign(
    implied_rate=implied_annual_rate(loans["installment"], loans["loan_amount"], loans["term"])
)
screen = leakage_screen(candidates, y_all, threshold=leakage_threshold, seed=seed)
inputs = grade_inputs(loans)
input_screen = leakage_screen(inputs, y_all, threshold=leakage_threshold, seed=seed)
assert not input_screen["flagged"].any(), input_screen[input_screen["flagged"]]
display(screen.head(8))
display(
    Markdown(
        f"Flagged (lift or eta squared above {leakage_threshold}): "
        f"{', '.join(f'`{c}`' for c in screen.index[screen['flagged']])}. Excluded as give-aways or post-issuance: "
        f"{', '.join(f'`{c}`' for c in LEAKY_COLUMNS if c != 'grade')}. Of the {inputs.shape[1]} model inputs, the "
        f"most informative alone is `{input_screen['label_lift'].idxmax()}` (lift "
        f"{input_screen['label_lift'].max():.3f}); the largest eta squared is `{input_screen['eta_squared'].idxmax()}`"
        f" ({input_screen['eta_squared'].max():.3f}): none is close to giving the grade away."
    )
)

# %% tags=[]
fig = plot_rate_by_grade(
    loans["interest_rate"], loans["grade"], title="Lending Club 2018 Q1: interest rate by grade"
)
save_figure(fig, out, "rate_by_grade")

# %% [markdown] tags=[]
# ## Out-of-time split and the validation slice
#
# The models are fitted on loans issued in `fit_months` and tested once on `test_months`. Early stopping and the
# choices of the grade networks' architecture, the boosting settings and the rate models the last section names use a
# validation slice of the fit months (the
# rate networks of the last section have one fixed architecture and use it for early stopping only): a random
# `validation_fraction` of them, stratified by grade. Why random and not "the end of February": the data carry the
# issue month only, not the day, so the end of a month cannot be cut; and loans are separate borrowers with no
# serial dependence for an embargo to guard against. The out-of-time question (does a model fitted on earlier
# loans grade later ones?) is asked by the test months. Preprocessing (imputation, scaling, one-hot levels) is
# learned on the training part only.

# %% tags=[]
fit_mask, test_mask = month_split(loans["issue_month"], fit_months, test_months)
test_label = ", ".join(test_months)  # for titles and readings
val_in_fit = validation_slice(y_all[fit_mask], validation_fraction, seed)
X_fit, y_fit = inputs[fit_mask], y_all[fit_mask]
X_tr, y_tr, X_val, y_val = (
    X_fit[~val_in_fit],
    y_fit[~val_in_fit],
    X_fit[val_in_fit],
    y_fit[val_in_fit],
)
X_te, y_te = inputs[test_mask], y_all[test_mask]
pre = make_preprocessor(inputs).fit(X_tr)
Z_tr, Z_val, Z_te = (pre.transform(x) for x in (X_tr, X_val, X_te))
shares = pd.DataFrame(
    {
        n: np.bincount(v, minlength=K) / len(v)
        for n, v in [("train", y_tr), ("validation", y_val), ("test", y_te)]
    },
    index=pd.Index(GRADES, name="grade"),
)
print(
    f"train {len(y_tr)}, validation {len(y_val)}, test {len(y_te)} loans; {Z_tr.shape[1]} model columns"
)
shares.T.round(3)

# %% [markdown] tags=[]
# ## Baselines: the grade shares, the ordinal logit, gradient boosting
#
# The ordinal logit models $P(\text{grade} \le k) = F(t_k - x'\beta)$ with the logistic $F$ and six increasing
# thresholds $t_k$: one score per loan, cut at the thresholds. Every model below gives grade probabilities; the
# predicted grade is their median (the grade that minimises the expected absolute notch error), so the models
# differ in their probabilities, not in the decision rule.

# %% tags=[]
probs_val, probs_te = {}, {}
base_rates = np.bincount(y_tr, minlength=K) / len(y_tr)
probs_val["grade_shares"] = np.tile(base_rates, (len(y_val), 1))
probs_te["grade_shares"] = np.tile(base_rates, (len(y_te), 1))
ologit = OrdinalLogit().fit(Z_tr, y_tr, K)
probs_val["ordinal_logit"], probs_te["ordinal_logit"] = (
    ologit.predict_proba(Z_val),
    ologit.predict_proba(Z_te),
)
gbm, gbm_table = fit_gbm(Z_tr, y_tr, Z_val, y_val, grid=gbm_grid, n_classes=K, seed=seed)
gbm_proba = lambda Z: np.eye(K)[:, gbm.classes_].dot(gbm.predict_proba(Z).T).T  # noqa: E731
probs_val["gbm"], probs_te["gbm"] = gbm_proba(Z_val), gbm_proba(Z_te)
print(f"ordinal logit converged: {ologit.converged_}")
gbm_table.round(4)

# %% [markdown] tags=[]
# ## The networks: ordered thresholds against a softmax
#
# Both networks have the same kind of body (Dense-ReLU layers with dropout), each with its own architecture chosen on
# validation, so the two selected networks may differ in their bodies too (the selection table says which). The ordinal one ends in a single linear score and six
# ordered thresholds, $P(\text{grade} > k) = \sigma(s(x) + b_k)$ with $b_0 > b_1 > \dots$ (CORAL's output, with the
# order built in), trained on the six binary cross-entropies; the softmax one ends in seven unrelated logits and the
# cross-entropy, so it must learn from data that C lies between B and D. Both start their output biases at the
# training shares of the grades; a network counts as trained only if its kept validation loss beats those shares
# and its kept epoch is not the first.
# The architecture (`hidden_grid`) is chosen on the validation ranked probability score, among the candidates that
# trained (among all where none did); then `n_seeds` seeds.

# %% tags=[]
fit_kw = net_kw | {"dropout": 0.2}
study = fit_ordinal_and_softmax(
    Z_tr, y_tr, Z_val, y_val, n_classes=K, hidden_grid=hidden_grid, n_seeds=n_seeds, seed=seed,
    **fit_kw,
)  # fmt: skip
net_names = {"ordinal": "mlp_ordinal", "softmax": "mlp_softmax"}
nets = {kind: study.networks[name] for kind, name in net_names.items()}
for name in net_names.values():
    probs_val[name], probs_te[name] = (study.predict_proba(name, Z) for Z in (Z_val, Z_te))
trained = (
    study.trained
)  # every seed beat the training grade shares on validation, kept after its first epoch
head_probs_te = {
    m: study.predict_proba(m, Z_te) for m in study.head_pair
}  # the pair that tests the head
head_softmax = study.head_pair[1]
display(pd.concat(study.selection, names=["kind", "candidate"]).round(4))
study.training_table().round(4)

# %% tags=[]
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
for ax, (kind, runs) in zip(axes, nets.items(), strict=True):
    plot_training(runs[0].fit, title=f"{net_names[kind]} (seed {seed}): loss per epoch", ax=ax)
fig.tight_layout()
save_figure(fig, out, "learning_curves")

# %% [markdown] tags=[]
# ## The test months: every model, once
#
# Per-seed scores of the networks first (the spread), then every model on the test month with the networks as
# seed ensembles (mean grade probabilities over seeds).

# %% tags=[]
per_seed = {
    net_names[k]: pd.DataFrame(
        [notch_metrics(y_te, grade_from_probabilities(n.predict_proba(Z_te))) for n in runs]
    )
    for k, runs in nets.items()
}
display(
    pd.concat({m: seed_spread(t) for m, t in per_seed.items()}, names=["model", "metric"]).round(4)
)
table, abs_err, rps = grade_scores(y_te, probs_te)
table = table.join(pd.Series(trained, name="trained"))
table

# %% [markdown] tags=[]
# ## Is any model better than the ordinal logit? The comparison protocol
#
# Per-loan losses on the test loans: the absolute notch error (the grade a risk manager sees) and the ranked
# probability score (a proper score of the whole grade distribution; Epstein 1969). Diebold–Mariano on each against
# the ordinal logit: loans are separate borrowers, not a time series, so the long-run variance takes no lags (a
# paired t-test with the Harvey–Leybourne–Newbold factor) and the model confidence set resamples loans one at a time
# (block length 1). A third comparison, on both losses, sets the ordinal network against a softmax network with
# the same body, so that only the output layer differs: the selected `mlp_softmax` where both selections chose the
# same hidden layers, otherwise a softmax head fitted on the ordinal network's chosen hidden layers with the same
# seeds and settings (`mlp_softmax_same_body`, shown in the selection table above; it is an ablation, not a
# contender, so it stays out of the other comparisons).
# Holm adjusts over all these tests together; untrained networks are reported but left out of the family. McNemar's
# test on exact hits (same loans, hit or miss) against the ordinal logit is a second family with its own Holm.

# %% tags=[]
models = list(probs_te)
head_table, head_abs, head_rps = grade_scores(y_te, head_probs_te)
cmp_kw = {
    "lags": 0,
    "mcs_block_size": 1,
    "seed": seed,
    "trained": {m: trained.get(m, True) for m in models},
}
results = holm_across(
    {
        "notch": compare_forecasts(abs_err[models], "ordinal_logit", loss="abs_notch", **cmp_kw),
        "rps": compare_forecasts(rps[models], "ordinal_logit", loss="rps", **cmp_kw),
        **{
            f"head_{loss}": compare_forecasts(
                frame,
                head_softmax,
                loss=loss,
                **(cmp_kw | {"trained": {m: trained[m] for m in head_probs_te}}),
            )
            for loss, frame in [("abs_notch", head_abs), ("rps", head_rps)]
        },
    }
)
hits = {m: (grade_from_probabilities(probs_te[m]) == y_te) for m in models}
mcnemar = pd.DataFrame(
    {m: mcnemar_test(hits[m], hits["ordinal_logit"]) for m in models if m != "ordinal_logit"}
).T
mcnemar["pvalue_holm"] = holm(mcnemar["pvalue"])
cols = [
    "model",
    "trained",
    "mean_loss",
    "ratio",
    "dm_stat",
    "dm_pvalue",
    "pvalue_holm",
    "in_mcs",
    "verdict",
]
display(
    pd.concat({k: r.table[cols] for k, r in results.items()}, names=["comparison", "row"]).round(4)
)
display(mcnemar.round(4))
for key, what in [("notch", "absolute notch error"), ("rps", "ranked probability score")]:
    display(Markdown(f"**{what.capitalize()}.** " + results[key].verdict_text(root=False, at="")))
display(
    Markdown(
        "**Exact hits (McNemar, Holm).** "
        + " ".join(
            f"`{m}` {'more' if r['accuracy_diff'] > 0 else 'fewer'} exact grades than the ordinal logit by "
            f"{100 * abs(r['accuracy_diff']):.1f} percentage points (Holm p {r['pvalue_holm']:.3g})."
            for m, r in mcnemar.iterrows()
        )
    )
)

# %% tags=[]
fig, axes = plt.subplots(2, 2, figsize=(11, 9))
for ax, m in zip(axes.flat, ["ordinal_logit", "gbm", "mlp_ordinal", "mlp_softmax"], strict=True):
    counts = confusion_counts(y_te, grade_from_probabilities(probs_te[m]), GRADES)
    plot_confusion(counts, title=f"{m}: grades, {test_label}", ax=ax)
fig.tight_layout()
save_figure(fig, out, "confusion_matrices")

# %% [markdown] tags=[]
# ### Calibration, grade by grade
#
# A grade model's probabilities are used as well as its grades (a lender prices and plans on the expected grade
# mix). For each grade, the number of test loans a model's probabilities put in it (the sum of its probabilities) is
# set against the number the lender put there: a z-test with the Poisson-binomial variance, Holm over the seven
# grades of each model. A rejection says the probabilities put too many or too few loans in that grade; with one
# training window it cannot tell a miscalibrated model from a shift of the grade mix between the training and the
# test months. `grade_shares` (the training months' mix for every loan) measures that shift alone. The population:
# the loans the lender issued in the test months, graded by the lender (not applicants, not other lenders).

# %% tags=[]
calibration = {
    m: grade_calibration(y_te, probs_te[m], GRADES)
    for m in ["grade_shares", "ordinal_logit", "gbm", "mlp_ordinal", "mlp_softmax"]
    if trained.get(m, True)
}
shares = {"lender (observed)": calibration["grade_shares"]["share_observed"]}
display(  # each grade's share of the test loans: the lender's, and what each model's probabilities expect
    pd.DataFrame(shares | {m: t["share_expected"] for m, t in calibration.items()}).round(4)
)
display(pd.DataFrame({m: t["pvalue_holm"] for m, t in calibration.items()}).round(4))
display(Markdown(calibration_reading(calibration, shift_model="grade_shares")))

# %% [markdown] tags=[]
# ### Ordinal output against softmax: what the order buys

# %% tags=[]
head_reading = {  # the arguments of the ordinal-vs-softmax reading, here and (brief) in the closing summary
    "comparisons": {
        "absolute notch error": results["head_abs_notch"].table,
        "ranked probability score": results["head_rps"].table,
    },
    "ordinal": "mlp_ordinal",
    "softmax": head_softmax,
    "trained": trained,
    "selections": {
        "mlp_ordinal": study.selection["ordinal"],
        "mlp_softmax": study.selection["softmax"],
    },
    "same_body_of": None if head_softmax == "mlp_softmax" else "mlp_softmax",
}
display(head_table.round(4))
display(Markdown(ordinal_vs_softmax_reading(head_table, **head_reading)))

# %% [markdown] tags=[]
# ## Which attributes move the predicted grade
#
# Permutation importance on the test loans (scikit-learn `permutation_importance`): each raw attribute (a
# categorical one with all its one-hot columns) is shuffled `perm_repeats` times, and the increase in the mean
# absolute notch error is its importance. It says what the model uses, not what causes a grade.

# %% tags=[]
explained = {
    "ordinal_logit": GradeModel(pre.transform, ologit.predict_proba),
    "gbm": GradeModel(pre.transform, gbm_proba),
    "mlp_ordinal": GradeModel(pre.transform, lambda Z: study.predict_proba("mlp_ordinal", Z)),
}
importance = pd.DataFrame(
    {
        m: permutation_importance(
            g, X_te, y_te, n_repeats=perm_repeats, random_state=seed
        ).importances_mean
        for m, g in explained.items()
    },
    index=X_te.columns,
)
fig = plot_importance(importance, title=f"Permutation importance on the loans of {test_label}")
save_figure(fig, out, "permutation_importance")
display(Markdown(importance_reading(importance)))

# %% [markdown] tags=[]
# ## Fairness: whose grade does the model get wrong, and in which direction?
#
# The label is the lender's grade, so an "error" is a disagreement with the lender. Per group: the mean signed error
# (predicted minus the lender's notch; negative = the model grades the loans more favourably than the lender did),
# the over-grading rate (model's grade better than the lender's) and the under-grading rate (worse). State is not an
# input of any model; home ownership is. A systematic gap means either the model or the lender treats the group
# differently given the other attributes; these data cannot tell which. Groups with fewer than `min_group_size` test
# loans are pooled as "other". Two tests of equal groups: Kruskal–Wallis (Kruskal and Wallis 1952) on the signed
# error, and a chi-square test of the groups' shares graded over, exactly and under; Holm over every test of the
# section (each trained model, each grouping, both tests); the reading gives a group's direction only where a test
# rejects equal groups. The data hold no protected attribute (no age, sex or race): home ownership and state are the groupings
# they offer, so this is a reading of segments, not a fair-lending test.

# %% tags=[]
fair_models = [
    m for m in ["ordinal_logit", "gbm", "mlp_ordinal", "mlp_softmax"] if trained.get(m, True)
]
by_group = {
    attr: {
        m: errors_by_group(
            y_te,
            grade_from_probabilities(probs_te[m]),
            loans.loc[test_mask, attr],
            min_count=min_group_size,
        )
        for m in fair_models
    }
    for attr in fairness_groups
}
fig, axes = plt.subplots(len(fairness_groups), 1, figsize=(10, 4 * len(fairness_groups)))
for ax, attr in zip(np.atleast_1d(axes), fairness_groups, strict=True):
    plot_errors_by_group(
        by_group[attr], title=f"Mean signed notch error by {attr} ({test_label})", ax=ax
    )
fig.tight_layout()
save_figure(fig, out, "errors_by_group")
display(  # every model the reading reads, by grouping and group
    pd.concat(
        {(m, a): t[m] for a, t in by_group.items() for m in fair_models},
        names=["model", "attribute", "group"],
    )
    .sort_index(level=["model", "attribute"], sort_remaining=False)
    .round(3)
)
display(
    Markdown(group_error_reading({m: {a: t[m] for a, t in by_group.items()} for m in fair_models}))
)

# %% [markdown] tags=[]
# ## What drives the interest rate?
#
# The same families, fitted on the fit months, predict the test loans' rates (per cent) from the borrower attributes: OLS (`rate_ols`), gradient
# boosting (`rate_gbm`) and a dense network (`rate_mlp`, seed ensemble). Then, clearly labelled "with grade", the
# same three with the lender's grade added as an input (`*_with_grade`), and OLS on the grade alone
# (`rate_grade_only`). Here the grade may be an input: the question is how much of the price it explains. The mean
# rate of the training part (`rate_mean`) is the floor. Squared errors are compared with OLS without the grade (DM,
# no lags; Holm; MCS); OLS with the grade nests it, so Clark–West decides whether the grade adds to it. The two
# models the reading names, one without the grade and one with it, have the lowest validation RMSE among the
# models that trained (OLS and boosting always count; a network only if it beat the mean rate on validation), on
# the validation slice, the same slice that chose the boosting's settings and stopped the networks, while OLS
# tunes nothing there: the ranking can favour the tuned models. The
# test months test each model against OLS only; no test here sets the chosen model against the runner-up.

# %% tags=[]
r_fit, r_te = (loans.loc[m, "interest_rate"].to_numpy() for m in (fit_mask, test_mask))
r_tr, r_val = r_fit[~val_in_fit], r_fit[val_in_fit]
designs = {
    "": (Z_tr, Z_val, Z_te),
    "_with_grade": (with_grade(Z_tr, y_tr), with_grade(Z_val, y_val), with_grade(Z_te, y_te)),
}
rate_pred, rate_nets = {"rate_mean": np.full(len(r_te), r_tr.mean())}, {}
rate_val = {}  # validation predictions: the "best" rate model is named on validation, not on the test
grade_ols = LinearRegression().fit(grade_dummies(y_tr), r_tr)
rate_pred["rate_grade_only"] = grade_ols.predict(grade_dummies(y_te))
for suffix, (a, v, t) in designs.items():
    ols = LinearRegression().fit(a, r_tr)
    rate_pred[f"rate_ols{suffix}"], rate_val[f"rate_ols{suffix}"] = ols.predict(t), ols.predict(v)
    model, _ = fit_gbm(a, r_tr, v, r_val, grid=gbm_grid, task="regression", seed=seed)
    rate_pred[f"rate_gbm{suffix}"], rate_val[f"rate_gbm{suffix}"] = (
        model.predict(t),
        model.predict(v),
    )
    rate_nets[f"rate_mlp{suffix}"] = [
        fit_rate_network(
            a,
            r_tr,
            v,
            r_val,
            hidden=hidden_grid[-1],
            seed=seed + s,
            **net_kw,
        )
        for s in range(n_seeds)
    ]
    rate_pred[f"rate_mlp{suffix}"] = seed_ensemble(
        [n.predict(t) for n in rate_nets[f"rate_mlp{suffix}"]]
    )
    rate_val[f"rate_mlp{suffix}"] = seed_ensemble(
        [n.predict(v) for n in rate_nets[f"rate_mlp{suffix}"]]
    )
rate_trained = {m: all(has_learned(n.fit) for n in runs) for m, runs in rate_nets.items()}
sq_err = pd.DataFrame({m: (r_te - p) ** 2 for m, p in rate_pred.items()})
rate_table = pd.DataFrame(
    {
        "rmse": np.sqrt(sq_err.mean()),
        "mae": pd.Series({m: np.mean(np.abs(r_te - p)) for m, p in rate_pred.items()}),
        "r2": 1 - sq_err.mean() / np.mean((r_te - r_te.mean()) ** 2),
        "val_rmse": pd.Series({m: np.sqrt(np.mean((r_val - p) ** 2)) for m, p in rate_val.items()}),
    }
)
rate_cmp = (
    compare_forecasts(  # OLS with the grade nests OLS without it: Clark-West decides "better"
        sq_err,
        "rate_ols",
        loss="se",
        lags=0,
        mcs_block_size=1,
        seed=seed,
        trained=rate_trained,
        nested={
            "rate_ols_with_grade": (r_te, rate_pred["rate_ols"], rate_pred["rate_ols_with_grade"])
        },
    )
)
display(  # the rate networks' training: kept epoch, validation loss against the mean rate's
    pd.DataFrame(
        [
            {"model": m, "seed": seed + i, **n.fit.summary()}
            for m, runs in rate_nets.items()
            for i, n in enumerate(runs)
        ]
    ).round(4)
)
display(
    rate_table.join(
        rate_cmp.table.set_index("model")[
            ["trained", "dm_pvalue", "pvalue_holm", "cw_pvalue_holm", "in_mcs", "verdict"]
        ]
    ).round(4)
)
families = ["rate_ols", "rate_gbm", "rate_mlp"]
best_without, best_with = (  # lowest validation RMSE among the models that trained
    best_trained_model(rate_table["val_rmse"], rate_trained, among=names)
    for names in (families, [f"{m}_with_grade" for m in families])
)
rate_text = rate_reading(
    rate_table,
    grade_only="rate_grade_only",
    without=best_without,
    with_grade=best_with,
    period=test_label,
)
display(Markdown(rate_text))

# %% [markdown] tags=[]
# ## Reading the numbers

# %% tags=[]
predicted = {m: grade_from_probabilities(probs_te[m]) for m in models}
tail = y_te >= GRADES.index("E")  # the lender's riskiest grades, E to G
tail_recall = {m: float(np.mean(predicted[m][tail] >= GRADES.index("E"))) for m in models}
display(
    Markdown(
        grade_models_reading(
            table,
            results["notch"].table,
            list(results["notch"].mcs.included),
            trained=trained,
            tail_recall={
                m: float(np.mean(predicted[m][tail] >= GRADES.index("E"))) for m in models
            },
            n_tail=int(tail.sum()),
            tail_from="E",
            shares_grade=GRADES[grade_from_probabilities(base_rates[None])[0]],
            worst_grade=GRADES[max(int(p.max()) for p in predicted.values())],
        )
        + "\n\nOrdinal against softmax output (question 2): "
        + ordinal_vs_softmax_reading(head_table, **head_reading, brief=True)
        + "\n\nCalibration per grade:\n\n"
        + calibration_reading(calibration, shift_model="grade_shares")
        + "\n\nThe interest rate (question 3): "
        + rate_text
    )
)

# %% [markdown] tags=[]
# Limits. Every model misses the lender's main input (the FICO score is not in these data), which caps how close
# any of them can get; one quarter of 2018 is a short window for an out-of-time test, and the grade mix barely
# moves between months. It is also a quarter without a recession (the NBER dates none between June 2009 and February
# 2020), with no stress in it: how the models grade
# in a downturn, when a lender's policy changes, these data cannot say. The calibration test above is in the large,
# grade by grade, on one test window; the tail recall is a point estimate. A bank would read a grade model's errors
# by notch and by segment, as above, before trusting it; the fairness reading describes disagreement with the lender, not discrimination by either.

# %% [markdown] tags=[]
# ## Exercises
#
# 1. **(recall)** Why is the interest rate not an input of the grade models, and why is the monthly instalment
#    excluded although the leakage screen does not flag it on its own?
# 2. **(apply)** Predict each model's grade by the mode of its probabilities instead of the median
#    (`grade_from_probabilities(p, "mode")`). Which metric improves and which gets worse, and why?
# 3. **(apply)** Rerun with `fit_months = ["Jan-2018"]` and `test_months = ["Feb-2018", "Mar-2018"]`. Does the
#    ordinal logit's March accuracy change when it has half the training loans?
# 4. **(extend)** Fit the ordinal network on the inputs plus the state (one-hot). Does its test MAE change, and
#    does the spread of the mean signed error across states shrink?

# %% tags=[]
metrics = {
    "lending_club.n_fit": int(fit_mask.sum()),
    "lending_club.n_test": int(test_mask.sum()),
    "run.n_validation": int(val_in_fit.sum()),
    "run.n_inputs": int(inputs.shape[1]),
    "run.n_seeds": int(n_seeds),
    "run.max_input_label_lift": float(input_screen["label_lift"].max()),
    "run.interest_rate_label_lift": float(screen.loc["interest_rate", "label_lift"]),
    "run.ordinal_logit_converged": int(ologit.converged_),
    "lending_club.n_test_grades_e_to_g": int(tail.sum()),
}
metrics |= {f"{m}.tail_recall_e_to_g": v for m, v in tail_recall.items()}
for m, t in calibration.items():
    metrics |= {
        f"{m}.calibration_rejected_grades": int((t["pvalue_holm"] < 0.05).sum()),
        f"{m}.calibration_max_gap": float((t["share_expected"] - t["share_observed"]).abs().max()),
    }
for m, row in table.iterrows():
    metrics |= {
        f"{m}.{k}": float(row[k])
        for k in ["exact_accuracy", "within_one_accuracy", "mae_notches", "kendall_tau", "rps"]
    }
for m, t in per_seed.items():
    metrics |= {
        f"{m}.mae_notches_seed_std": float(t["mae_notches"].std(ddof=1)) if len(t) > 1 else None
    }
for kind, runs in nets.items():
    metrics |= {
        f"{net_names[kind]}.trained": int(trained[net_names[kind]]),
        f"{net_names[kind]}.best_epoch": int(runs[0].fit.best_epoch),
    }
if "mlp_softmax_same_body" in trained:
    metrics["mlp_softmax_same_body.trained"] = int(trained["mlp_softmax_same_body"])
for key, res in results.items():
    for r in res.table.itertuples(index=False):
        prefix = {"notch": "notch", "rps": "rps", "head_abs_notch": "notch", "head_rps": "rps"}[key]
        if not key.startswith("head"):
            metrics[f"{r.model}.{prefix}_in_mcs"] = int(r.in_mcs)
        if r.model != res.benchmark and np.isfinite(r.dm_pvalue):
            metrics[f"{r.model}_vs_{res.benchmark}.{prefix}_dm_pvalue"] = float(r.dm_pvalue)
            if np.isfinite(r.pvalue_holm):
                metrics[f"{r.model}_vs_{res.benchmark}.{prefix}_dm_pvalue_holm"] = float(
                    r.pvalue_holm
                )
for m, r in mcnemar.iterrows():
    metrics |= {
        f"{m}_vs_ordinal_logit.exact_accuracy_diff": float(r["accuracy_diff"]),
        f"{m}_vs_ordinal_logit.mcnemar_pvalue": float(r["pvalue"]),
        f"{m}_vs_ordinal_logit.mcnemar_pvalue_holm": float(r["pvalue_holm"]),
    }
for attr, tables in by_group.items():
    for m, t in tables.items():
        metrics |= {
            f"{m}.signed_error_spread_{attr}": t.attrs["spread"],
            f"{m}.signed_error_kruskal_pvalue_{attr}": t.attrs["kruskal_pvalue"],
        }
for feature in importance.index:
    metrics |= {
        f"{m}.importance_{feature}": float(importance.loc[feature, m]) for m in importance.columns
    }
for m, row in rate_table.iterrows():
    metrics |= {f"{m}.{k}": float(row[k]) for k in ["rmse", "mae", "r2"]}
for m, runs in rate_nets.items():
    metrics |= {
        f"{m}.trained": int(rate_trained[m]),
        f"{m}.best_epoch": int(runs[0].fit.best_epoch),
    }
for r in rate_cmp.table.itertuples(index=False):
    metrics[f"{r.model}.se_in_mcs"] = int(r.in_mcs)
    if r.model != "rate_ols" and np.isfinite(r.dm_pvalue):
        metrics[f"{r.model}_vs_rate_ols.se_dm_pvalue"] = float(r.dm_pvalue)
        if np.isfinite(r.pvalue_holm):
            metrics[f"{r.model}_vs_rate_ols.se_dm_pvalue_holm"] = float(r.pvalue_holm)
    if np.isfinite(r.cw_pvalue_holm):
        metrics[f"{r.model}_vs_rate_ols.se_cw_pvalue_holm"] = float(r.cw_pvalue_holm)
record_metrics(
    metrics,
    out,
    headline=[
        "ordinal_logit.mae_notches",
        "mlp_ordinal.mae_notches",
        "mlp_softmax.mae_notches",
        "gbm.mae_notches",
        "mlp_ordinal_vs_ordinal_logit.notch_dm_pvalue_holm",
        "rate_grade_only.r2",
    ],
)
