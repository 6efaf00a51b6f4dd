//! Reading guards: the client-side ones of a workload or a `call` step (`timeout`,
//! `deadline`, `retry`, `breaker`, `risk`, `throttle`) and a service's server-side `ingress`.
//!
//! Each reader checks its keys one by one (so that a bad value is reported at that value),
//! then runs the guard's own `validate()` for the rules that tie keys together, reporting its
//! message at the value of the first key it names.

use alloc::format;
use alloc::vec::Vec;

use super::text::fmt_duration;
use super::values::{opening, switch, Fields};
use super::{optional, Reader};
use crate::diag::Diagnostic;
use crate::guards::breaker::{BreakerConfig, Window};
use crate::guards::concurrency::LimitKind;
use crate::guards::rate_limit::TokenBucket;
use crate::guards::retry::{Backoff, BackoffKind, GrpcRetryThrottle, Jitter};
use crate::guards::risk::RiskConfig;
use crate::scenario::keys;
use crate::scenario::model::*;
use crate::scenario::units;
use crate::time::{Nanos, NANOS_PER_SEC};
use crate::yaml::{Node, NodeKind};

const S: Nanos = NANOS_PER_SEC;

/// Most attempts a retry policy may make (the first included).
const MAX_ATTEMPTS: u64 = 100;
/// Backoff cap when none is given (at least the base).
const DEFAULT_BACKOFF_CAP: Nanos = 30 * S;
/// Retry budget defaults: Envoy's floor of 3 retries per second, over Finagle's 10 s window.
const DEFAULT_BUDGET_MIN_PER_S: u32 = 3;
const DEFAULT_BUDGET_WINDOW: Nanos = 10 * S;
/// gRPC retry throttling defaults (the example values of gRFC A6).
const DEFAULT_GRPC_MAX_TOKENS: u32 = 10;
const DEFAULT_GRPC_TOKEN_RATIO: f64 = 0.1;
/// Consecutive breaker defaults (cloudcircuit's threshold).
const DEFAULT_THRESHOLD: u32 = 3;
const DEFAULT_CONSECUTIVE_OPEN_FOR: Nanos = 5 * S;
/// Google SRE adaptive throttling: K = 2 over the last 2 minutes.
const DEFAULT_THROTTLE_K: f64 = 2.0;
const DEFAULT_THROTTLE_WINDOW: Nanos = 120 * S;

/// The shortest wait a guard may be configured with (retry backoff `base` and `cap`, breaker
/// `open_for`, risk `quarantine_base`, `quarantine_cap` and `base_backoff`). A wait of
/// nanoseconds does nothing a guard is for, and the engine handles one event per expiry: a
/// quarantine of 1ns with `quarantine_growth: 1` would expire a billion times a second.
const MIN_GUARD_WAIT: Nanos = 1_000_000;

const NO_BACKOFF: Backoff = Backoff {
    kind: BackoffKind::None,
    base: 0,
    cap: 0,
    jitter: Jitter::None,
};

/// A guard written as `true` (its defaults), `false` (none) or a mapping of settings.
enum Toggle<'n> {
    Off,
    Defaults,
    Settings(Fields<'n>),
}

impl Reader<'_> {
    // ---- client side -----------------------------------------------------------------------

    /// The guards among the keys of a workload or a `call` step (the empty policy if none).
    /// `hedge: { after, max }` (`max` defaults to 1).
    fn hedge(&mut self, node: &Node) -> Option<HedgeSpec> {
        let f = self.fields(node, "`hedge`", &keys::HEDGE)?;
        let after = self
            .required(&f, "after", "`hedge`")
            .and_then(|n| self.positive_duration(n, "`after`"));
        let max = match f.get("max") {
            Some(n) => self.integer(n, "`max`", 1, 10).map(|m| m as u32),
            None => Some(1),
        };
        Some(HedgeSpec {
            after: after?,
            max: max?,
        })
    }

    pub(super) fn call_policy(&mut self, f: &Fields) -> Option<CallPolicy> {
        let timeout = f
            .get("timeout")
            .map(|n| self.positive_duration(n, "`timeout`"));
        let deadline = f
            .get("deadline")
            .map(|n| self.positive_duration(n, "`deadline`"));
        let retry = f.get("retry").map(|n| self.retry(n));
        let breaker = f.get("breaker").map_or(Some(None), |n| self.breaker(n));
        let risk = f.get("risk").map_or(Some(None), |n| self.risk(n));
        let throttle = f.get("throttle").map_or(Some(None), |n| self.throttle(n));
        let hedge = f.get("hedge").map(|n| self.hedge(n));
        let request_size = f
            .get("request_size")
            .map(|n| self.size_dist(n, "`request_size`"));
        let policy = CallPolicy {
            timeout: optional(timeout)?,
            deadline: optional(deadline)?,
            retry: optional(retry)?,
            breaker: breaker?,
            risk: risk?,
            throttle: throttle?,
            hedge: optional(hedge)?,
            request_size: optional(request_size)?,
        };
        if let (Some(t), Some(d), Some(node)) = (policy.timeout, policy.deadline, f.get("deadline"))
        {
            if d < t {
                let message = format!(
                    "`deadline` ({}) is shorter than `timeout` ({}): the timeout never fires",
                    fmt_duration(d),
                    fmt_duration(t)
                );
                self.report(Diagnostic::warning(node.span, message).with_hint(
                    "`timeout` bounds each attempt, `deadline` all of them: lengthen `deadline` or drop `timeout`",
                ));
            }
        }
        Some(policy)
    }

    /// `true`, `false` or a mapping with keys among `keys`.
    fn toggle<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        section: &keys::Section,
        example: &str,
    ) -> Option<Toggle<'n>> {
        match switch(node) {
            Some(true) => return Some(Toggle::Defaults),
            Some(false) => return Some(Toggle::Off),
            None => {}
        }
        if !matches!(node.kind, NodeKind::Map(_)) {
            let found = match node.as_str() {
                Some(text) => format!("`{text}`"),
                None => node.describe().into(),
            };
            self.error_hint(
                node.span,
                format!(
                    "{what} must be `true` (the defaults) or a mapping of settings, found {found}"
                ),
                format!("e.g. `{example}`"),
            );
            return None;
        }
        self.fields(node, what, section).map(Toggle::Settings)
    }

    fn retry(&mut self, node: &Node) -> Option<RetrySpec> {
        if !matches!(node.kind, NodeKind::Map(_)) {
            let attempts = self.attempts(node, "`retry`")?;
            return Some(RetrySpec {
                attempts,
                backoff: NO_BACKOFF,
                budget: None,
            });
        }
        let f = self.fields(node, "`retry`", &keys::RETRY)?;
        let attempts = self
            .required(&f, "attempts", "`retry`")
            .and_then(|n| self.attempts(n, "`attempts`"));
        let backoff = f
            .get("backoff")
            .map_or(Some(NO_BACKOFF), |n| self.backoff(n));
        let budget = f.get("budget").map(|n| self.retry_budget(n));
        Some(RetrySpec {
            attempts: attempts?,
            backoff: backoff?,
            budget: optional(budget)?,
        })
    }

    /// Total attempts, the first included: 1 to [`MAX_ATTEMPTS`].
    fn attempts(&mut self, node: &Node, what: &str) -> Option<u32> {
        let n = self.integer(node, what, 0, MAX_ATTEMPTS)?;
        if n == 0 {
            self.error_hint(
                node.span,
                format!("{what} must be at least 1, found 0"),
                "attempts count the first one: `attempts: 1` sends once and never retries",
            );
            return None;
        }
        Some(n as u32)
    }

    /// `none`, or `{kind, base, cap, jitter}` (kind `exponential` when omitted).
    fn backoff(&mut self, node: &Node) -> Option<Backoff> {
        let (kind, f) = if matches!(node.kind, NodeKind::Map(_)) {
            let f = self.fields(node, "`backoff`", &keys::BACKOFF)?;
            let kind = f.get("kind").map_or(Some(BackoffKind::Exponential), |n| {
                self.choice(n, "backoff kind", BACKOFF_KINDS)
            })?;
            (kind, Some(f))
        } else {
            (self.choice(node, "backoff kind", BACKOFF_KINDS)?, None)
        };
        let name = BACKOFF_KINDS
            .iter()
            .find(|k| k.1 == kind)
            .map_or("", |k| k.0);
        if kind == BackoffKind::None {
            let mut ok = true;
            for &(key, key_node, _) in f.iter().flat_map(|f| &f.entries) {
                if key != "kind" && keys::BACKOFF.has(key) {
                    self.error_hint(
                        key_node.span,
                        format!("`{key}` does not apply to `kind: none` (immediate retries)"),
                        "remove it, or pick `kind: constant`, `exponential` or `decorrelated`",
                    );
                    ok = false;
                }
            }
            return ok.then_some(NO_BACKOFF);
        }
        let Some(f) = f else {
            self.error_hint(
                node.span,
                format!(
                    "{} {name} backoff needs a `base` delay",
                    if kind == BackoffKind::Exponential {
                        "an"
                    } else {
                        "a"
                    }
                ),
                format!("write `backoff: {{ kind: {name}, base: 50ms }}`"),
            );
            return None;
        };
        let base = self
            .required(&f, "base", "`backoff`")
            .and_then(|n| self.guard_wait(n, "`base`"));
        let cap = f.get("cap").map(|n| self.guard_wait(n, "`cap`"));
        let jitter = f.get("jitter").map(|n| self.choice(n, "`jitter`", JITTERS));
        if kind == BackoffKind::Decorrelated {
            if let Some(span) = f.key_span("jitter") {
                self.error_hint(
                    span,
                    "`jitter` does not apply to decorrelated backoff",
                    "decorrelated backoff is random already: remove `jitter`",
                );
                return None;
            }
        }
        let base = base?;
        let backoff = Backoff {
            kind,
            base,
            cap: optional(cap)?.unwrap_or(base.max(DEFAULT_BACKOFF_CAP)),
            jitter: optional(jitter)?.unwrap_or(Jitter::None),
        };
        self.validated(backoff.validate(), "`backoff`", Some(&f), node.span)?;
        Some(backoff)
    }

    /// A ratio (`10%`), or `{kind: ratio, ratio, min_per_s, window}` or
    /// `{kind: grpc, max_tokens, token_ratio}`.
    fn retry_budget(&mut self, node: &Node) -> Option<RetryBudgetSpec> {
        if !matches!(node.kind, NodeKind::Map(_)) {
            return Some(RetryBudgetSpec::Ratio {
                ratio: self.ratio(node, "`budget`")?,
                min_per_s: DEFAULT_BUDGET_MIN_PER_S,
                window: DEFAULT_BUDGET_WINDOW,
            });
        }
        let f = self.fields(node, "`budget`", &keys::RETRY_BUDGET)?;
        let kind = f.get("kind").map_or(Some(BudgetKind::Ratio), |n| {
            self.choice(n, "retry budget kind", BUDGET_KINDS)
        })?;
        if kind == BudgetKind::Grpc {
            let ok = self.inapplicable(&f, &keys::RETRY_BUDGET, GRPC_BUDGET_KEYS, "a grpc budget");
            let max_tokens =
                f.get("max_tokens")
                    .map_or(Some(DEFAULT_GRPC_MAX_TOKENS.into()), |n| {
                        let v = self.integer(n, "`max_tokens`", 1, u32::MAX.into())?;
                        self.check_value(
                            n,
                            "`max_tokens`",
                            v,
                            v <= 1000,
                            "at most 1000 (gRPC's bound)",
                        )
                    });
            let token_ratio = f
                .get("token_ratio")
                .map_or(Some(DEFAULT_GRPC_TOKEN_RATIO), |n| {
                    let v = self.real(n, "`token_ratio`")?;
                    self.check_value(n, "`token_ratio`", v, v >= 0.001, "at least 0.001")
                });
            ok?;
            let (max_tokens, token_ratio) = (max_tokens? as u32, token_ratio?);
            let check = GrpcRetryThrottle::new(max_tokens, token_ratio).map(|_| ());
            self.validated(check, "`budget`", Some(&f), node.span)?;
            return Some(RetryBudgetSpec::Grpc {
                max_tokens,
                token_ratio,
            });
        }
        let ok = self.inapplicable(&f, &keys::RETRY_BUDGET, RATIO_BUDGET_KEYS, "a ratio budget");
        let ratio = self
            .required(&f, "ratio", "a ratio budget")
            .and_then(|n| self.ratio(n, "`ratio`"));
        let min_per_s = f
            .get("min_per_s")
            .map_or(Some(DEFAULT_BUDGET_MIN_PER_S.into()), |n| {
                self.integer(n, "`min_per_s`", 0, 1_000_000)
            });
        let window = f.get("window").map_or(Some(DEFAULT_BUDGET_WINDOW), |n| {
            self.whole_seconds(n, "`window`")
        });
        ok?;
        Some(RetryBudgetSpec::Ratio {
            ratio: ratio?,
            min_per_s: min_per_s? as u32,
            window: window?,
        })
    }

    /// A guard's wait: a duration of at least [`MIN_GUARD_WAIT`].
    fn guard_wait(&mut self, node: &Node, what: &str) -> Option<Nanos> {
        let d = self.duration(node, what)?;
        if d >= MIN_GUARD_WAIT {
            return Some(d);
        }
        let text = node.as_str().unwrap_or_default();
        self.error_hint(
            node.span,
            format!(
                "{what} must be at least {}, found `{text}`",
                fmt_duration(MIN_GUARD_WAIT)
            ),
            format!(
                "a guard's waits shorter than {} do nothing useful and make the simulation handle an event each time one ends: write e.g. `{}`",
                fmt_duration(MIN_GUARD_WAIT),
                fmt_duration(MIN_GUARD_WAIT)
            ),
        );
        None
    }

    /// `true` (resilience4j's defaults), `false`, or a consecutive or sliding-window breaker.
    fn breaker(&mut self, node: &Node) -> Option<Option<BreakerConfig>> {
        let example = "breaker: { kind: consecutive, threshold: 5, open_for: 10s }";
        let f = match self.toggle(node, "`breaker`", &keys::BREAKER, example)? {
            Toggle::Off => return Some(None),
            Toggle::Defaults => return Some(Some(BreakerConfig::resilience4j_default())),
            Toggle::Settings(f) => f,
        };
        let kind = f
            .get("kind")
            .map_or(Some(BreakerKind::SlidingWindow), |n| {
                self.choice(n, "breaker kind", BREAKER_KINDS)
            })?;
        let config = match kind {
            BreakerKind::Consecutive => self.consecutive_breaker(&f)?,
            BreakerKind::SlidingWindow => self.sliding_breaker(&f)?,
        };
        self.validated(config.validate(), "`breaker`", Some(&f), node.span)?;
        Some(Some(config))
    }

    fn consecutive_breaker(&mut self, f: &Fields) -> Option<BreakerConfig> {
        let ok = self.inapplicable(f, &keys::BREAKER, CONSECUTIVE_KEYS, "a consecutive breaker");
        let threshold = f
            .get("threshold")
            .map_or(Some(DEFAULT_THRESHOLD.into()), |n| {
                self.integer(n, "`threshold`", 1, u32::MAX.into())
            });
        let open_for = f
            .get("open_for")
            .map_or(Some(DEFAULT_CONSECUTIVE_OPEN_FOR), |n| {
                self.guard_wait(n, "`open_for`")
            });
        ok?;
        Some(BreakerConfig::Consecutive {
            threshold: threshold? as u32,
            open_for: open_for?,
        })
    }

    /// A sliding-window breaker: resilience4j's defaults for every key left out.
    fn sliding_breaker(&mut self, f: &Fields) -> Option<BreakerConfig> {
        let BreakerConfig::SlidingWindow {
            window,
            min_calls,
            failure_rate,
            slow_call,
            slow_rate,
            open_for,
            half_open_calls,
            open_growth,
        } = BreakerConfig::resilience4j_default()
        else {
            return None;
        };
        let ok = self.inapplicable(f, &keys::BREAKER, SLIDING_KEYS, "a sliding_window breaker");
        let count = |r: &mut Self, key: &str, default: u32| {
            f.get(key).map_or(Some(default), |n| {
                r.integer(n, &format!("`{key}`"), 1, u32::MAX.into())
                    .map(|v| v as u32)
            })
        };
        let window = f
            .get("window")
            .map_or(Some(window), |n| self.breaker_window(n));
        let min_calls = count(self, "min_calls", min_calls);
        let failure_rate = f.get("failure_rate").map_or(Some(failure_rate), |n| {
            self.share(n, "`failure_rate`", false)
        });
        let slow_call = f.get("slow_call").map_or(Some(slow_call), |n| {
            self.positive_duration(n, "`slow_call`")
        });
        let slow_rate = f
            .get("slow_rate")
            .map_or(Some(slow_rate), |n| self.share(n, "`slow_rate`", false));
        let open_for = f
            .get("open_for")
            .map_or(Some(open_for), |n| self.guard_wait(n, "`open_for`"));
        let half_open_calls = count(self, "half_open_calls", half_open_calls);
        let open_growth = f.get("open_growth").map_or(Some(open_growth), |n| {
            let v = self.real(n, "`open_growth`")?;
            self.check_value(
                n,
                "`open_growth`",
                v,
                v >= 1.0,
                "at least 1 (1 = a constant wait)",
            )
        });
        ok?;
        Some(BreakerConfig::SlidingWindow {
            window: window?,
            min_calls: min_calls?,
            failure_rate: failure_rate?,
            slow_call: slow_call?,
            slow_rate: slow_rate?,
            open_for: open_for?,
            half_open_calls: half_open_calls?,
            open_growth: open_growth?,
        })
    }

    /// A number of calls (`100`) or a duration in whole seconds (`10s`).
    fn breaker_window(&mut self, node: &Node) -> Option<Window> {
        let text = self.scalar(
            node,
            "`window`",
            "a number of calls (`100`) or a duration (`10s`)",
        )?;
        if units::number(text).is_some() {
            let n = self.integer(node, "`window` (a number of calls)", 1, u32::MAX.into())?;
            return Some(Window::Count(n as u32));
        }
        self.whole_seconds(node, "`window`").map(Window::Time)
    }

    /// `true` or `{}` (evoSentinel's defaults), `false`, or overrides of [`RiskConfig`] fields.
    fn risk(&mut self, node: &Node) -> Option<Option<RiskConfig>> {
        let example = "risk: { throttle_at: 0.6, block_at: 0.9 }";
        let f = match self.toggle(node, "`risk`", &keys::RISK, example)? {
            Toggle::Off => return Some(None),
            Toggle::Defaults => return Some(Some(RiskConfig::default())),
            Toggle::Settings(f) => f,
        };
        let mut c = RiskConfig::default();
        let mut ok = true;
        for &(key, _, value) in &f.entries {
            let what = format!("`{key}`");
            let read = match key {
                "quarantine_base" | "quarantine_cap" | "base_backoff" => {
                    self.guard_wait(value, &what).map(|d| match key {
                        "quarantine_base" => c.quarantine_base = d,
                        "quarantine_cap" => c.quarantine_cap = d,
                        _ => c.base_backoff = d,
                    })
                }
                _ => match risk_field(&mut c, key) {
                    Some((slot, true)) => self.ratio(value, &what).map(|v| *slot = v),
                    Some((slot, false)) => self.real(value, &what).map(|v| *slot = v),
                    None => Some(()), // an unknown key, already reported
                },
            };
            ok &= read.is_some();
        }
        ok.then_some(())?;
        self.validated(c.validate(), "`risk`", Some(&f), node.span)?;
        Some(Some(c))
    }

    /// `true` or `{}` (K = 2 over 2 minutes), `false`, or `{k, window}`.
    fn throttle(&mut self, node: &Node) -> Option<Option<ThrottleSpec>> {
        let example = "throttle: { k: 2, window: 2m }";
        let defaults = ThrottleSpec {
            k: DEFAULT_THROTTLE_K,
            window: DEFAULT_THROTTLE_WINDOW,
        };
        let f = match self.toggle(node, "`throttle`", &keys::THROTTLE, example)? {
            Toggle::Off => return Some(None),
            Toggle::Defaults => return Some(Some(defaults)),
            Toggle::Settings(f) => f,
        };
        let k = f.get("k").map_or(Some(defaults.k), |n| {
            let v = self.real(n, "`k`")?;
            self.check_value(n, "`k`", v, v >= 1.0, "at least 1")
        });
        let window = f
            .get("window")
            .map_or(Some(defaults.window), |n| self.whole_seconds(n, "`window`"));
        Some(Some(ThrottleSpec {
            k: k?,
            window: window?,
        }))
    }

    // ---- server side -----------------------------------------------------------------------

    /// A service's admission control: `max_queue`, `rate_limit`, `concurrency` (or its
    /// shorthand `bulkhead`) and `deadline`.
    pub(super) fn ingress(&mut self, node: &Node) -> Option<Ingress> {
        let f = self.fields(node, "`ingress`", &keys::INGRESS)?;
        let max_queue = f.get("max_queue").map(|n| {
            self.integer(n, "`max_queue`", 1, u32::MAX.into())
                .map(|v| v as u32)
        });
        let rate_limit = f.get("rate_limit").map(|n| self.rate_limit(n));
        let concurrency = f.get("concurrency").map(|n| self.concurrency(n));
        let bulkhead = f.get("bulkhead").map(|n| {
            self.integer(n, "`bulkhead`", 1, u32::MAX.into())
                .map(|v| LimitKind::Fixed(v as u32))
        });
        let drop_expired = f
            .get("deadline")
            .map_or(Some(false), |n| self.choice(n, "`deadline`", DEADLINES));
        if let (Some(a), Some(b)) = (f.key_span("concurrency"), f.key_span("bulkhead")) {
            let (later, name) = if a.start > b.start {
                (a, "concurrency")
            } else {
                (b, "bulkhead")
            };
            self.error_hint(
                later,
                format!("`bulkhead` and `concurrency` both limit the requests in service: remove `{name}`"),
                "`bulkhead: 25` is short for `concurrency: { kind: fixed, limit: 25 }`",
            );
            return None;
        }
        let queue = f.get("queue").map(|n| {
            self.choice(
                n,
                "`queue`",
                &[
                    ("fifo", Discipline::Fifo),
                    ("lifo", Discipline::Lifo),
                    ("priority", Discipline::Priority),
                    ("codel", Discipline::Codel),
                    ("adaptive_lifo", Discipline::AdaptiveLifo),
                ],
            )
        });
        if let (Some(_), None, None) = (&queue, f.get("concurrency"), f.get("bulkhead")) {
            self.error_hint(
                f.key_span("queue").unwrap_or(node.span),
                "`queue` orders the requests waiting for a concurrency permit, but this ingress has no `concurrency` or `bulkhead`",
                "add e.g. `bulkhead: 20`: requests beyond 20 in service then wait in this queue",
            );
            return None;
        }
        Some(Ingress {
            queue: optional(queue)?,
            max_queue: optional(max_queue)?,
            rate_limit: optional(rate_limit)?,
            concurrency: optional(concurrency)?.or(optional(bulkhead)?),
            drop_expired: drop_expired?,
        })
    }

    /// A rate (`500/s`), or `{rate, burst}`; the burst defaults to one second of tokens.
    fn rate_limit(&mut self, node: &Node) -> Option<RateLimitSpec> {
        let (rate, burst, f) = if matches!(node.kind, NodeKind::Map(_)) {
            let f = self.fields(node, "`rate_limit`", &keys::RATE_LIMIT)?;
            let rate = self
                .required(&f, "rate", "`rate_limit`")
                .and_then(|n| self.rate_of(n, "`rate`"));
            let burst = f
                .get("burst")
                .map(|n| self.integer(n, "`burst`", 1, u32::MAX.into()));
            (rate?, optional(burst)?, Some(f))
        } else {
            (self.rate_of(node, "`rate_limit`")?, None, None)
        };
        let burst = burst.unwrap_or_else(|| default_burst(rate));
        let check = TokenBucket::new(rate, burst).map(|_| ());
        self.validated(check, "`rate_limit`", f.as_ref(), node.span)?;
        Some(RateLimitSpec { rate, burst })
    }

    /// `{kind: fixed, limit}` or an adaptive limit with Netflix's defaults for omitted keys;
    /// a bare kind (`concurrency: gradient2`) takes every default.
    fn concurrency(&mut self, node: &Node) -> Option<LimitKind> {
        let (kind, f) = if matches!(node.kind, NodeKind::Map(_)) {
            let f = self.fields(node, "`concurrency`", &keys::CONCURRENCY)?;
            let kind = self
                .required(&f, "kind", "`concurrency`")
                .and_then(|n| self.choice(n, "concurrency limit kind", LIMIT_KINDS))?;
            (kind, f)
        } else {
            let kind = self.choice(node, "concurrency limit kind", LIMIT_KINDS)?;
            let f = Fields {
                node,
                entries: Vec::new(),
            };
            (kind, f)
        };
        let name = LIMIT_KINDS.iter().find(|k| k.1 == kind).map_or("", |k| k.0);
        let allowed = match kind {
            LimitName::Fixed => FIXED_KEYS,
            LimitName::Aimd => AIMD_KEYS,
            LimitName::Gradient2 => GRADIENT2_KEYS,
            LimitName::Vegas => VEGAS_KEYS,
        };
        let ok = self.inapplicable(
            &f,
            &keys::CONCURRENCY,
            allowed,
            &format!("a {name} concurrency limit"),
        );
        let limit = match kind {
            LimitName::Fixed => self.fixed_limit(&f),
            LimitName::Aimd => self.aimd(&f),
            LimitName::Gradient2 => self.gradient2(&f),
            LimitName::Vegas => {
                let d = LimitKind::vegas_default();
                let LimitKind::Vegas { initial, min, max } = d else {
                    return None;
                };
                self.limit_bounds(&f, (initial, min, max))
                    .map(|(initial, min, max)| LimitKind::Vegas { initial, min, max })
            }
        };
        ok?;
        let limit = limit?;
        self.validated(limit.validate(), "`concurrency`", Some(&f), node.span)?;
        Some(limit)
    }

    fn fixed_limit(&mut self, f: &Fields) -> Option<LimitKind> {
        let Some(n) = f.get("limit") else {
            self.error_hint(
                opening(f.node),
                "a fixed concurrency limit needs `limit`",
                "e.g. `concurrency: { kind: fixed, limit: 50 }`, or `bulkhead: 50`",
            );
            return None;
        };
        self.integer(n, "`limit`", 1, u32::MAX.into())
            .map(|v| LimitKind::Fixed(v as u32))
    }

    fn aimd(&mut self, f: &Fields) -> Option<LimitKind> {
        let LimitKind::Aimd {
            initial,
            min,
            max,
            backoff_ratio,
            timeout,
        } = LimitKind::aimd_default()
        else {
            return None;
        };
        let bounds = self.limit_bounds(f, (initial, min, max));
        let backoff_ratio = f
            .get("backoff_ratio")
            .map_or(Some(backoff_ratio), |n| self.ratio(n, "`backoff_ratio`"));
        let timeout = f
            .get("timeout")
            .map_or(Some(timeout), |n| self.positive_duration(n, "`timeout`"));
        let (initial, min, max) = bounds?;
        Some(LimitKind::Aimd {
            initial,
            min,
            max,
            backoff_ratio: backoff_ratio?,
            timeout: timeout?,
        })
    }

    fn gradient2(&mut self, f: &Fields) -> Option<LimitKind> {
        let LimitKind::Gradient2 {
            initial,
            min,
            max,
            smoothing,
            long_window,
            rtt_tolerance,
            queue_size,
        } = LimitKind::gradient2_default()
        else {
            return None;
        };
        let bounds = self.limit_bounds(f, (initial, min, max));
        let smoothing = f
            .get("smoothing")
            .map_or(Some(smoothing), |n| self.ratio(n, "`smoothing`"));
        let long_window = f.get("long_window").map_or(Some(long_window), |n| {
            self.integer(n, "`long_window`", 1, u32::MAX.into())
                .map(|v| v as u32)
        });
        let rtt_tolerance = f
            .get("rtt_tolerance")
            .map_or(Some(rtt_tolerance), |n| self.real(n, "`rtt_tolerance`"));
        let queue_size = f.get("queue_size").map_or(Some(queue_size), |n| {
            self.integer(n, "`queue_size`", 0, u32::MAX.into())
                .map(|v| v as u32)
        });
        let (initial, min, max) = bounds?;
        Some(LimitKind::Gradient2 {
            initial,
            min,
            max,
            smoothing: smoothing?,
            long_window: long_window?,
            rtt_tolerance: rtt_tolerance?,
            queue_size: queue_size?,
        })
    }

    /// `initial`, `min` and `max` of an adaptive limit. Defaults of the keys left out are
    /// moved to respect the ones given (`max: 10` alone lowers the default initial and min
    /// to 10), so that `min ≤ initial ≤ max` holds unless the given values break it.
    fn limit_bounds(
        &mut self,
        f: &Fields,
        (initial, min, max): (u32, u32, u32),
    ) -> Option<(u32, u32, u32)> {
        let read = |r: &mut Self, key: &str| {
            f.get(key).map(|n| {
                r.integer(n, &format!("`{key}`"), 1, u32::MAX.into())
                    .map(|v| v as u32)
            })
        };
        let given_initial = read(self, "initial");
        let given_min = read(self, "min");
        let given_max = read(self, "max");
        let (gi, gn, gx) = (
            optional(given_initial)?,
            optional(given_min)?,
            optional(given_max)?,
        );
        let initial =
            gi.unwrap_or_else(|| initial.max(gn.unwrap_or(0)).min(gx.unwrap_or(u32::MAX)));
        Some((
            initial,
            gn.unwrap_or(min.min(initial)),
            gx.unwrap_or(max.max(initial)),
        ))
    }
}

/// The default token-bucket burst: one second's worth of tokens, at least one (as Guava's
/// `SmoothBursty` rate limiter).
fn default_burst(rate: f64) -> u64 {
    let burst = libm::ceil(rate);
    if burst >= u64::MAX as f64 {
        u64::MAX
    } else {
        (burst as u64).max(1)
    }
}

/// The number field of [`RiskConfig`] named `key`, and whether it is a fraction (written
/// `0.5` or `50%`).
fn risk_field<'c>(c: &'c mut RiskConfig, key: &str) -> Option<(&'c mut f64, bool)> {
    Some(match key {
        "failure_alpha" => (&mut c.failure_alpha, true),
        "latency_alpha" => (&mut c.latency_alpha, true),
        "baseline_alpha" => (&mut c.baseline_alpha, true),
        "deviation_factor" => (&mut c.deviation_factor, false),
        "momentum_decay" => (&mut c.momentum_decay, true),
        "momentum_scale" => (&mut c.momentum_scale, false),
        "heal_below" => (&mut c.heal_below, false),
        "heal_decay" => (&mut c.heal_decay, true),
        "throttle_at" => (&mut c.throttle_at, true),
        "block_at" => (&mut c.block_at, true),
        "hysteresis" => (&mut c.hysteresis, true),
        "degraded_at" => (&mut c.degraded_at, true),
        "critical_at" => (&mut c.critical_at, true),
        "quarantine_at" => (&mut c.quarantine_at, true),
        "quarantine_growth" => (&mut c.quarantine_growth, false),
        _ => return None,
    })
}

const BACKOFF_KINDS: &[(&str, BackoffKind)] = &[
    ("none", BackoffKind::None),
    ("constant", BackoffKind::Constant),
    ("exponential", BackoffKind::Exponential),
    ("decorrelated", BackoffKind::Decorrelated),
];

const JITTERS: &[(&str, Jitter)] = &[
    ("none", Jitter::None),
    ("full", Jitter::Full),
    ("equal", Jitter::Equal),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum BudgetKind {
    Ratio,
    Grpc,
}

const BUDGET_KINDS: &[(&str, BudgetKind)] =
    &[("ratio", BudgetKind::Ratio), ("grpc", BudgetKind::Grpc)];
const RATIO_BUDGET_KEYS: &[&str] = &["kind", "ratio", "min_per_s", "window"];
const GRPC_BUDGET_KEYS: &[&str] = &["kind", "max_tokens", "token_ratio"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum BreakerKind {
    Consecutive,
    SlidingWindow,
}

const BREAKER_KINDS: &[(&str, BreakerKind)] = &[
    ("consecutive", BreakerKind::Consecutive),
    ("sliding_window", BreakerKind::SlidingWindow),
];
const CONSECUTIVE_KEYS: &[&str] = &["kind", "threshold", "open_for"];
const SLIDING_KEYS: &[&str] = &[
    "kind",
    "window",
    "min_calls",
    "failure_rate",
    "slow_call",
    "slow_rate",
    "open_for",
    "half_open_calls",
    "open_growth",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum LimitName {
    Fixed,
    Aimd,
    Gradient2,
    Vegas,
}

const LIMIT_KINDS: &[(&str, LimitName)] = &[
    ("fixed", LimitName::Fixed),
    ("aimd", LimitName::Aimd),
    ("gradient2", LimitName::Gradient2),
    ("vegas", LimitName::Vegas),
];
const FIXED_KEYS: &[&str] = &["kind", "limit"];
const AIMD_KEYS: &[&str] = &["kind", "initial", "min", "max", "backoff_ratio", "timeout"];
const GRADIENT2_KEYS: &[&str] = &[
    "kind",
    "initial",
    "min",
    "max",
    "smoothing",
    "long_window",
    "rtt_tolerance",
    "queue_size",
];
const VEGAS_KEYS: &[&str] = &["kind", "initial", "min", "max"];

const DEADLINES: &[(&str, bool)] = &[("none", false), ("drop_expired", true)];
