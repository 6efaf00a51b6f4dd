//! Run health: the async-runtime-auditor score over time, findings that name their cause,
//! the agent-chaos-framework collapse detector, SLOs with multiwindow burn-rate alerts, cost
//! with cloudcircuit budget guards, and the CI gate.
//!
//! Pure and engine-independent: the engine closes one [`ServiceTick`] per service, one
//! [`ClientTick`] and one [`CostTick`] per health tick (1 s by default), feeds the online
//! models ([`CollapseDetector`], [`BudgetMonitor`]) as it goes, and calls the offline ones
//! ([`assess_run`], [`evaluate`], [`cost_report`], [`gate()`]) at the end (or on the ticks so
//! far, for a live view). Everything is deterministic: no hash maps, floats through `libm`
//! or plain IEEE arithmetic in a fixed order, texts through fixed-precision formatting.
//!
//! | module | model | origin |
//! |---|---|---|
//! | [`ticks`] | per-tick records from the engine | ours |
//! | [`auditor`] | health score, status, failure modes, findings | async-runtime-auditor |
//! | [`auditor_report`] | the run's verdict in the auditor's JSON report shape | async-runtime-auditor |
//! | [`inputs`] | ticks → the auditor's eight signals over a window | ours |
//! | [`timeline`](mod@timeline) | scores on consecutive windows; the run's verdict | ours |
//! | [`findings`] | findings with numbers and causes | ours, on the auditor |
//! | [`collapse`] | STABLE / DEGRADED / COLLAPSED | agent-chaos-framework |
//! | [`slo`] | SLIs, error budgets, multiwindow burn-rate alerts | Google SRE workbook |
//! | [`cost`] | cost accrual, budget monitor | cloudcircuit ([`crate::guards::budget`]) |
//! | [`gate`](mod@gate) | CI pass/fail | async-runtime-auditor's `--fail-on-critical` |
//! | [`format`] | fixed-precision texts, seconds in JSON | ours |

pub mod auditor;
pub mod auditor_report;
pub mod collapse;
pub mod cost;
pub mod findings;
pub mod format;
pub mod gate;
pub mod inputs;
pub mod slo;
pub mod ticks;
pub mod timeline;

pub use auditor::{
    audit, Audit, AuditInputs, FailureMode, FindingKind, HealthThresholds, Severity, Status,
};
pub use auditor_report::{auditor_report, AuditorObject, AuditorReport};
pub use collapse::{CollapseConfig, CollapseDetector, CollapseReport, CollapseState};
pub use cost::{
    cost_report, BudgetAction, BudgetConfig, BudgetMonitor, BudgetReport, CostModel, CostReport,
    SpikeRule, Usage,
};
pub use findings::Finding;
pub use gate::{gate, FailOn, GateOutcome};
pub use slo::{evaluate, BurnAlert, SloKind, SloObjective, SloResult};
pub use ticks::{BlockingCause, ClientTick, CostTick, ServiceHistory, ServiceTick};
pub use timeline::{
    assess_run, timeline, HealthReport, ServiceHealth, WindowHealth, DEFAULT_WINDOW,
};
