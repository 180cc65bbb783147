# %% [markdown] tags=[]
# # 04 · Operational risk: fraud detection with autoencoders against IsolationForest and a rule engine
#
# **Question.** Can an autoencoder trained on a bank's unlabelled transactions flag card fraud, and does it beat
# the rules an analyst writes first and the standard unsupervised detectors?
#
# **Data.** Synthetic card transactions from the seeded generator `finrisk_utils.fraud.make_transactions`:
# customers with their own spending habits over the whole day, and fraud injected by three documented mechanisms
# (card testing, account takeover, merchant collusion), each labelled: ground truth no real dataset could ship
# offline. No mechanism lives where no normal customer does (every hour, amount, category, country and burst a
# fraud uses, normal customers use too), and behaviour drifts between the training and the test months
# (parameter `drift`; see the generator's docstring). The study is repeated on `n_draws` independent draws.
#
# **Split.** Chronological: the first 60% of the period trains, the next 20% validates (early stopping, and the
# alert threshold that fits `alert_budget`), the last 20% tests. **Unlabelled training data.** As in a bank, the
# unsupervised detectors train on data contaminated by unlabelled fraud (share `contamination`).
# **Models.** A dense autoencoder and its denoising variant (reconstruction error as the score).
# **Baselines.** A rule engine (amount ratio above 3, first purchase from a foreign country, burst of small
# online payments), IsolationForest and Local Outlier Factor (novelty mode) on the same unlabelled data;
# supervised gradient boosting on the labelled training transactions as a reference for what labels buy.
# **Evaluation.** PR-AUC and recall at the alert budget, averaged over draws, with two-level bootstrap intervals
# (draws, then test transactions); the daily cost of missed fraud plus investigations compared with the rule
# engine by Diebold-Mariano tests (Holm-adjusted) and a Model Confidence Set.
#
# **Runtime** (2 CPU cores): 108 s in the full profile (five draws) at the last render, run alone; 34 s in the quick profile in a fresh-clone `make run` (2 workers, every notebook, this round).

# %% tags=["parameters"]
seed = 42
profile = "full"  # "quick": two draws, few autoencoder epochs (CI); "full": the teaching run
output_dir = None  # where metrics.json and figures go (None: runs/interactive/<notebook>)
n_customers = 1500  # about 85 transactions each over n_days
n_days = 100
fraud_rate = 0.005  # expected share of fraudulent transactions
drift = 1.0  # strength of the behaviour drift over the period (0: stationary)
contamination = 0.003  # share of unlabelled frauds in the unsupervised detectors' training data
alert_budget = 0.005  # share of transactions the investigation team can review
cost_per_alert = 5.0  # cost of investigating one alert, in the transactions' currency
n_draws = None  # independent generator draws (None: 2 quick, 5 full)

# %% tags=[]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from finrisk_utils import record_metrics, setup
from finrisk_utils.core import by_profile, save_figure
from finrisk_utils.forecasting import compare_forecasts
from finrisk_utils.fraud import (
    FRAUD_MECHANISMS,
    RULES,
    bootstrap_detection,
    daily_costs,
    describe_data,
    detection_metrics,
    detection_verdict,
    false_alerts_per_fraud,
    plot_pr_curves,
    recall_by_group,
    run_draw,
    single_feature_separation,
    trained_models,
    training_reading,
    training_table,
)
from finrisk_utils.models import plot_training
from finrisk_utils.workbench import resolve_output_dir

setup(seed)
out = resolve_output_dir(output_dir)
epochs = by_profile(profile, quick=4, full=20)
n_draws = n_draws or by_profile(profile, quick=2, full=5)
n_boot = by_profile(profile, quick=100, full=300)
pd.set_option("display.precision", 4)
pd.set_option("display.width", 200)
pd.DataFrame({"rule": RULES}).rename_axis("rule engine")

# %% [markdown] tags=[]
# ## Data with known ground truth (the first draw)

# %% tags=[]
draws = [
    run_draw(
        seed + i,
        n_customers=n_customers,
        n_days=n_days,
        fraud_rate=fraud_rate,
        drift=drift,
        contamination=contamination,
        alert_budget=alert_budget,
        epochs=epochs,
    )
    for i in range(n_draws)
]
first = draws[0].split
tx = pd.concat([first.train, first.val, first.test])
separation = single_feature_separation(tx)
display(Markdown(describe_data(tx, first, separation)))
tx.groupby("fraud_type", observed=True)[
    ["amount", "amount_ratio", "count_24h", "hour", "new_country"]
].mean().round(2)

# %% tags=[]
separation.round(3)  # best single-threshold AUC of each feature, per mechanism against normal

# %% [markdown] tags=[]
# ## Did the autoencoders train?
#
# Each autoencoder counts as trained when its kept validation loss beats the naive reconstruction (every row
# reconstructed as the training mean), with weights kept after the first epoch, in every draw; one that does not is labelled untrained and not read.
# A kept epoch (`best_epoch`) equal to the number of epochs run (`epochs_run`) means the epoch budget (`epochs`),
# not early stopping, ended training: validation loss was still falling, and the autoencoder may be under-trained.

# %% tags=[]
trained = trained_models(draws)
fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
for ax, (name, h) in zip(axes, draws[0].histories.items(), strict=True):
    plot_training(h, title=f"{name} (first draw): reconstruction MSE", ax=ax)
fig.tight_layout()
save_figure(fig, out, "training")
display(Markdown(training_reading(draws)))
training_table(draws)

# %% [markdown] tags=[]
# ## Detectors over the draws, with intervals
#
# Thresholds were set on each draw's validation period to flag `alert_budget` of its transactions and applied
# unchanged to its test period. Intervals are 90% two-level bootstrap intervals.

# %% tags=[]
names = draws[0].detectors
boot = bootstrap_detection(
    [d.test[["is_fraud", *names]] for d in draws],
    [d.thresholds for d in draws],
    reference="rule_engine",
    n_boot=n_boot,
    seed=seed,
)
per_draw = {
    m: pd.DataFrame(
        [
            detection_metrics(d.test["is_fraud"], d.test[m], d.thresholds[m])
            | recall_by_group(d.test["is_fraud"], d.flags()[m], d.test["fraud_type"].astype(str))
            .add_prefix("recall_")
            .to_dict()
            for d in draws
        ]
    ).mean()
    for m in names
}
means = pd.DataFrame(per_draw).T
label = {m: m if trained.get(m, True) else f"{m} (untrained)" for m in names}
display(Markdown(detection_verdict(boot, trained, reference="rule_engine")))
boot.rename(index=label)

# %% tags=[]
means.rename(index=label)  # means over draws; recall per mechanism at the alert budget

# %% [markdown] tags=[]
# ## What the alerts cost, day by day
#
# Loss per test day: the amounts of the frauds a detector missed plus `cost_per_alert` per alert. Each detector
# is compared with the rule engine (Diebold-Mariano with a HAC variance, Holm over the detectors), and the Model
# Confidence Set keeps the detectors not beaten by any other.

# %% tags=[]
costs = pd.concat(
    [
        daily_costs(
            d.test["timestamp"].dt.floor("D").to_numpy(),
            d.test["is_fraud"],
            d.flags(),
            d.test["amount"],
            cost_per_alert,
        )
        for d in draws
    ],
    ignore_index=True,
)
comparison = compare_forecasts(
    costs, "rule_engine", loss="cost", trained={m: trained.get(m, True) for m in names}, seed=seed
)
display(Markdown(comparison.verdict_text()))
comparison.table

# %% [markdown] tags=[]
# ## Why ROC-AUC misleads here
#
# ROC-AUC measures ranking over *all* normal transactions, which outnumber the frauds by the ratio printed in
# the data section. Each fraud caught costs about (false positive rate) × (normal transactions per fraud) / recall
# false alerts, so even a false positive rate that looks small on the ROC curve means many false alerts per fraud
# caught (first draw, at 80% recall; the ROC-AUC and PR-AUC columns are the means over the draws, as above):

# %% tags=[]
d0 = draws[0]
y0 = d0.test["is_fraud"].to_numpy()
pd.DataFrame(
    {m: false_alerts_per_fraud(y0, d0.test[m], recall=0.8) for m in names},
    index=["fpr_at_80pct_recall", "false_alerts_per_fraud_caught"],
).T.join(means[["roc_auc", "pr_auc"]]).rename(index=label)

# %% tags=[]
fig, axes = plt.subplots(1, 3, figsize=(16, 4.2))
plot_pr_curves(y0, {label[m]: d0.test[m] for m in names}, ax=axes[0])
axes[0].set_title("Precision-recall, first draw (test)")
errors = d0.test["autoencoder_denoising"].to_numpy()
bins = np.geomspace(max(errors.min(), 1e-4), errors.max(), 50)
mechanism = d0.test["fraud_type"].astype(str).to_numpy()
for name, mask in [("normal", y0 == 0), *[(m, mechanism == m) for m in FRAUD_MECHANISMS]]:
    axes[1].hist(errors[mask], bins=bins, density=True, alpha=0.5, label=name)
axes[1].axvline(
    d0.thresholds["autoencoder_denoising"], color="k", ls="--", lw=0.8, label="threshold"
)
axes[1].set(
    xscale="log",
    xlabel="reconstruction error (standardized units squared)",
    ylabel="density",
    title=f"{label['autoencoder_denoising']}: errors by class",
)
axes[1].legend(fontsize=8)
day = d0.test["timestamp"].dt.floor("D").to_numpy()
flag = d0.flags()["autoencoder_denoising"]
daily = (
    pd.DataFrame({"alerts": flag, "frauds": y0 == 1, "caught": flag & (y0 == 1)}).groupby(day).sum()
)
daily.plot(ax=axes[2], lw=1, title=f"{label['autoencoder_denoising']}: alerts per day (test)")
axes[2].set(xlabel="day", ylabel="transactions per day")
fig.tight_layout()
save_figure(fig, out, "detection")
plt.show()

# %% [markdown] tags=[]
# **Reading.** The sentences above are computed from this run: they say which detectors rank frauds better than
# the rule engine (PR-AUC, whose floor is the prevalence) and which cost less per day, with intervals over
# draws and transactions. The literature (ADBench, Han et al. 2022) finds no unsupervised detector uniformly
# best, and the recall per mechanism shows each detector's blind spots. The supervised model is a reference for
# what investigators' labels buy on mechanisms already seen, not a bound: it learns only the mechanisms in its
# training labels, and all three are there, so this run does not show how it does on a new mechanism; that is
# the case unsupervised detectors are kept for. Limits: the data are synthetic, drift is of one documented kind,
# the contamination share is assumed known, and the autoencoders train for at most `epochs` epochs (see the
# training table for whether that budget, rather than early stopping, ended their training).

# %% [markdown] tags=[]
# ## Exercises
#
# 1. **(recall)** What PR-AUC and what ROC-AUC does a detector that scores at random get on this test period?
#    Check with random scores, and say why the notebook reads PR-AUC rather than ROC-AUC.
# 2. **(apply)** Change `alert_budget`: set each detector's threshold on validation for budgets of 0.5%, 1%, 2%
#    and 5% of the transactions and read recall and precision on the test period. Why can recall only rise with
#    the budget, and what does each extra fraud caught cost in alerts?
# 3. **(apply)** Change the contamination rate: train the autoencoder on clean data (`contamination = 0`), on
#    the notebook's share and on a share close to the most the training period allows, and watch its PR-AUC,
#    its recall at the budget and whether it trained. Can one draw show the effect, and how would you show it?
# 4. **(extend)** Recall per fraud mechanism at the budget: which mechanism does the autoencoder miss most?
#    Use `single_feature_separation` to propose a rule for it, and say why a rule engine and an autoencoder
#    complement each other.
#
# Worked solutions: `solutions/04_operational_risk_fraud_autoencoder_solutions.ipynb`.

# %% [markdown] tags=[]
# ## Record

# %% tags=[]
y_all = np.concatenate([d.test["is_fraud"].to_numpy() for d in draws])
metrics = {
    "run.n_draws": n_draws,
    "run.n_test": int(np.mean([len(d.test) for d in draws])),
    "run.test_prevalence": float(y_all.mean()),
    "run.alert_budget": alert_budget,
    "run.contamination": contamination,
    "run.drift": drift,
    "run.max_single_feature_auc": float(separation.to_numpy().max()),
    "run.min_test_frauds_per_mechanism": int(
        min((d.test["fraud_type"] == m).sum() for d in draws for m in FRAUD_MECHANISMS)
    ),
}
for m in names:
    metrics |= {
        f"{m}.{k}": float(boot.loc[m, k]) for k in boot.columns if not k.startswith("pr_auc_diff")
    }
    metrics |= {f"{m}.{k}": float(means.loc[m, k]) for k in ["roc_auc", "precision_at_budget"]}
    metrics |= {f"{m}.recall_{k}": float(means.loc[m, f"recall_{k}"]) for k in FRAUD_MECHANISMS}
    metrics[f"{m}.total_cost"] = float(costs[m].sum() / n_draws)
    if m != "rule_engine":
        metrics |= {
            f"{m}_vs_rule_engine.{k}": float(boot.loc[m, k])
            for k in ["pr_auc_diff", "pr_auc_diff_ci_low", "pr_auc_diff_ci_high"]
        }
for m in trained:
    metrics[f"{m}.trained"] = int(trained[m])
    metrics[f"{m}.best_epoch"] = int(np.median([d.histories[m].best_epoch for d in draws]))
metrics |= comparison.metrics()
record_metrics(
    metrics,
    out,
    headline=[
        "autoencoder.pr_auc",
        "autoencoder_denoising.pr_auc",
        "iforest.pr_auc",
        "rule_engine.pr_auc",
        "supervised_gbm.pr_auc",
        "run.test_prevalence",
    ],
)
