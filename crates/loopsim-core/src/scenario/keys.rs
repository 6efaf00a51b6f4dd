//! The scenario format's keys: one table per section, the single source of truth.
//!
//! Each [`Section`] lists its [`Key`]s with their type, default and documentation. The parser
//! checks a mapping's keys against its section (an unknown key is an error with a "did you
//! mean" hint), [`crate::schema::generate`] writes the JSON Schema from these tables, and
//! [`crate::schema::docs`] writes the key tables of `docs/scenario-format.md`. Adding a key is
//! adding a row here, reading it in the parser and running `scripts/bless.sh`.
//!
//! Docs are Markdown (backticks; `[links](#anchor)` are reduced to their text in the schema).

use alloc::vec::Vec;

/// One section of the format: a mapping (`service`, `retry`, …) or a value type (`duration`).
#[derive(Clone, Copy, Debug)]
pub struct Section {
    /// The section's name: its docs marker (`<!-- keys:NAME -->`) and label.
    pub name: &'static str,
    /// Its definition in the JSON Schema (`#/$defs/NAME`); `None` for the top level, for
    /// sections only included in others ([`GUARDS`]) and for the variants of a tagged one.
    pub def: Option<&'static str>,
    /// What the section is, one or two sentences.
    pub doc: &'static str,
    /// Its own keys, in the order the parser lists them in hints.
    pub keys: &'static [Key],
    /// Sections whose keys this one accepts as well, after its own (a workload's guards).
    pub include: &'static [&'static Section],
    pub shape: Shape,
    /// Constraints between keys.
    pub rules: &'static [Rule],
}

/// How a section is written.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// A mapping of the keys.
    Map,
    /// A shorthand value (`retry: 3`, `breaker: true`) or the mapping.
    Or(Type),
    /// Exactly one of the keys (a step: `- cpu: 2ms`); beside the listed keys, the keys of
    /// the given section are allowed too (the guards of a `call` step).
    OneKey {
        with: &'static [(&'static str, &'static Section)],
    },
    /// The `tag` key picks one of the variants (a distribution: `dist: normal`), each a
    /// section named after its tag value.
    Tagged {
        tag: &'static str,
        doc: &'static str,
        variants: &'static [Section],
    },
    /// Not a mapping: a value type such as `duration`.
    Value(Type),
}

/// A constraint between the keys of a section.
#[derive(Clone, Copy, Debug)]
pub enum Rule {
    /// At least this many keys.
    MinKeys(u32),
    /// Not both keys.
    NotBoth(&'static str, &'static str),
    /// Exactly one of the keys.
    OneOf(&'static [&'static str]),
}

/// One key of a section.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub name: &'static str,
    pub ty: Type,
    pub default: Absent,
    pub doc: &'static str,
}

/// What a missing key means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Absent {
    /// The key is required.
    Required,
    /// Required in some cases, described (`required for open loops`).
    RequiredIf(&'static str),
    /// The default, as the docs show it (`` `1` ``, `none`, `the run's duration`).
    Default(&'static str),
    /// Nothing to say.
    Nothing,
}

/// A bound of a number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    No,
    Incl(f64),
    Excl(f64),
}

/// The type of a value, with its constraints.
#[derive(Clone, Copy, Debug)]
pub enum Type {
    /// Another section: a value type (`duration`, `rate`…) or a nested mapping (`retry`).
    Ref(&'static Section),
    /// A section by its schema definition name, for what a `const` cannot reference: the
    /// section being defined itself or one that references it (a step holding a list of
    /// steps: `Type::List { of: &Type::Named("step"), .. }`).
    Named(&'static str),
    /// Exactly this number (`version: 1`).
    Const(i64),
    /// One of these words.
    Enum(&'static [&'static str]),
    /// Any of these types.
    AnyOf(&'static [Type]),
    /// A whole number in `[min, max]`.
    Int {
        min: u64,
        max: Option<u64>,
    },
    Number {
        min: Bound,
        max: Bound,
    },
    Text {
        pattern: Option<&'static str>,
        min_len: u32,
    },
    Bool,
    List {
        of: &'static Type,
        min: u32,
        max: Option<u32>,
    },
    /// A mapping of free names (`services`, `mix`) to values of one type.
    Map {
        /// A pattern every name matches.
        names: Option<&'static str>,
        /// A name that is not allowed.
        not_name: Option<&'static str>,
        of: &'static Type,
        min: u32,
    },
}

impl Section {
    /// A value type: no keys, written as `ty`.
    pub const fn value(name: &'static str, def: &'static str, doc: &'static str, ty: Type) -> Self {
        Section {
            name,
            def: Some(def),
            doc,
            keys: &[],
            include: &[],
            shape: Shape::Value(ty),
            rules: &[],
        }
    }

    /// Every key accepted: its own, then those of the included sections.
    pub fn all_keys(&self) -> impl Iterator<Item = &'static Key> + '_ {
        self.keys
            .iter()
            .chain(self.include.iter().flat_map(|s| s.keys.iter()))
    }

    /// The names of [`Self::all_keys`], in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.all_keys().map(|k| k.name).collect()
    }

    /// Whether `name` is a key of this section (own or included).
    pub fn has(&self, name: &str) -> bool {
        self.all_keys().any(|k| k.name == name)
    }

    pub fn key(&self, name: &str) -> Option<&'static Key> {
        self.all_keys().find(|k| k.name == name)
    }

    /// The variant of a [`Shape::Tagged`] section whose tag value is `name`.
    pub fn variant(&self, name: &str) -> Option<&'static Section> {
        match self.shape {
            Shape::Tagged { variants, .. } => variants.iter().find(|v| v.name == name),
            _ => None,
        }
    }

    /// The tag values of a [`Shape::Tagged`] section (empty for other shapes).
    pub fn variant_names(&self) -> Vec<&'static str> {
        match self.shape {
            Shape::Tagged { variants, .. } => variants.iter().map(|v| v.name).collect(),
            _ => Vec::new(),
        }
    }
}

/// Every section, in the order of the schema's definitions (the top level first). The variants
/// of [`DIST`] are reached through it.
pub const ALL: &[&Section] = &[
    &TOP,
    &DURATION,
    &RATE,
    &SIZE,
    &PROBABILITY,
    &RATIO,
    &DURATION_OR_DIST,
    &DIST,
    &WORKLOAD,
    &GUARDS,
    &RATE_POINT,
    &ACTIVE_USERS,
    &SERVICE,
    &POOL,
    &STEP,
    &OFFLOAD,
    &HEDGE,
    &BRANCH_ARM,
    &RETRY,
    &BACKOFF,
    &RETRY_BUDGET,
    &BREAKER,
    &RISK,
    &THROTTLE,
    &INGRESS,
    &RATE_LIMIT,
    &CONCURRENCY,
    &FAULT,
    &COUNT,
    &COUNT_DIST,
    &LLM,
    &HEALTH,
    &THRESHOLDS,
    &COLLAPSE,
    &SLO,
    &PRICE,
    &COST,
    &LLM_PRICES,
    &BUDGET,
    &SPIKE,
    &BUDGET_ACTION,
    &NETWORK,
    &LINK,
    &AUTOSCALE,
    &QUEUE,
    &CACHE,
    &KEYS,
    &BANDWIDTH,
    &SIZE_OR_DIST,
    &ENDPOINT,
    &GUIDE_STEP,
    &CHANGE,
    &SWEEP_VALUES,
];

/// The section named `name` in [`ALL`].
pub fn section(name: &str) -> Option<&'static Section> {
    ALL.iter().copied().find(|s| s.name == name)
}

// ---- the tables ------------------------------------------------------------------------------

pub const TOP: Section = Section {
    name: "top",
    def: None,
    doc: "A simulated system: services made of event loops and thread pools, the workloads that drive them, and the network between them.",
    keys: &TOP_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const TOP_KEYS: [Key; 23] = [
    Key {
        name: "version",
        ty: Type::Const(1),
        default: Absent::Required,
        doc: "Scenario format version. Must be 1.",
    },
    Key {
        name: "name",
        ty: Type::Text { pattern: None, min_len: 0 },
        default: Absent::Default("`Untitled`"),
        doc: "Human-readable name of the scenario, shown in reports.",
    },
    Key {
        name: "description",
        ty: Type::Text { pattern: None, min_len: 0 },
        default: Absent::Default("empty"),
        doc: "Free text describing the scenario.",
    },
    Key {
        name: "seed",
        ty: Type::Int { min: 0, max: None },
        default: Absent::Default("`1`"),
        doc: "Seed of the random numbers (0 to 2⁶⁴−1). The same scenario and seed always give the same results, on every platform.",
    },
    Key {
        name: "duration",
        ty: Type::Ref(&DURATION),
        default: Absent::Required,
        doc: "Simulated time to run, e.g. `600s` or `5m`. At most 30 days.",
    },
    Key {
        name: "warmup",
        ty: Type::AnyOf(&[Type::Ref(&DURATION), Type::Enum(&["auto"])]),
        default: Absent::Default("`0`"),
        doc: "Initial period excluded from the statistics, e.g. `30s`; must be shorter than `duration`. `auto` chooses it with the MSER-5 rule on the response-time series of a first pass from empty (at most half the run), then measures a second pass from that cut; with replications, one cut is chosen on the average of every replication's first pass (Welch's averaging: each replication's own noise would bias the cut) and applied to all. The report gives the cut (`warmup_s`) and whether the series settled (`warmup_auto`).",
    },
    Key {
        name: "sample_every",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("the smallest of 100ms, 200ms, 500ms, 1s, 2s, 5s, 10s, 15s, 30s, 1m, 2m, 5m, 10m, 15m, 30m, 1h, 2h, 3h, 6h, 12h, 1 day (then whole days) that gives at most 600 points"),
        doc: "Interval between two points of the time series, e.g. `1s`. At most 100000 points.",
    },
    Key {
        name: "replications",
        ty: Type::Int { min: 1, max: Some(10000) },
        default: Absent::Default("`1`"),
        doc: "Independent runs of the scenario (replication `i` seeded from `seed` and `i`; the first is the plain run). With 2 or more, every figure is reported as the mean ± the half-width of its 95% confidence interval (Student t). `loopsim run --replications N` overrides it.",
    },
    Key {
        name: "max_in_flight",
        ty: Type::Int { min: 1, max: Some(4294967295) },
        default: Absent::Default("`1000000`"),
        doc: "Safety valve: the run stops, and the report says so first (`stopped: { cause: max_in_flight, at_s, message }`), when more requests than this are alive at once — on the client side (sent, waiting for a retry, delayed by a guard, including the requests of `call` steps) or being served (a hopelessly overloaded system would otherwise exhaust memory). A run whose simulated time stops advancing (requests failing in zero time in a loop, e.g. closed users without think time behind a 100% `errors` fault) is stopped too, with `cause: stalled_clock`, after 8 × `max_in_flight` events at one instant (at least 4 million, at most 40 million).",
    },
    Key {
        name: "workload",
        ty: Type::List { of: &Type::Ref(&WORKLOAD), min: 1, max: None },
        default: Absent::Required,
        doc: "Sources of requests (at least one).",
    },
    Key {
        name: "services",
        ty: Type::Map { names: Some(r#"^[^/\s]+$"#), not_name: Some("client"), of: &Type::Ref(&SERVICE), min: 1 },
        default: Absent::Required,
        doc: "Services by name (at least one). Names may not contain `/` or be `client`.",
    },
    Key {
        name: "network",
        ty: Type::Ref(&NETWORK),
        default: Absent::Default("no latency, no loss"),
        doc: "Latency and loss of the hops between the client and the services.",
    },
    Key {
        name: "faults",
        ty: Type::List { of: &Type::Ref(&FAULT), min: 0, max: None },
        default: Absent::Default("none"),
        doc: "Faults injected on a timeline (file order): slowdowns, link latency and loss, errors, outages, pauses and traffic surges. At most 1000.",
    },
    Key {
        name: "health",
        ty: Type::Ref(&HEALTH),
        default: Absent::Default("every key's default"),
        doc: "How the runtime's health is recorded and scored (async-runtime-auditor model) and how bounded queues are watched for collapse (agent-chaos-framework model).",
    },
    Key {
        name: "slo",
        ty: Type::List { of: &Type::Ref(&SLO), min: 0, max: None },
        default: Absent::Default("none"),
        doc: "Service-level objectives on the requests of every workload, evaluated over the measured window with error budgets and burn-rate alerts. Names must be unique. At most 100.",
    },
    Key {
        name: "slo_period",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("the measured window"),
        doc: "The SLO period the burn-rate alert windows are scaled to (the SRE workbook's are for 30 days), e.g. `30d`.",
    },
    Key {
        name: "cost",
        ty: Type::Ref(&COST),
        default: Absent::Default("no cost accounting"),
        doc: "Prices, in currency units (no symbol): what requests, CPU time, instance time and LLM tokens cost.",
    },
    Key {
        name: "budget",
        ty: Type::Ref(&BUDGET),
        default: Absent::Default("none"),
        doc: "A spending budget watched tick by tick (cloudcircuit): warning, breach, spikes, burn rate, forecast, and what to do about them. Requires `cost`.",
    },
    Key {
        name: "queues",
        ty: Type::Map { names: Some(r#"^[^/\s]+$"#), not_name: Some("client"), of: &Type::Ref(&QUEUE), min: 0 },
        default: Absent::Default("none"),
        doc: "Message queues by name: a broker (a network node named like the queue) that stores the messages of `publish` steps and delivers them to a `consumer` endpoint. Names may not contain `/`, be `client` or a service's name. At most 1000.",
    },
    Key {
        name: "caches",
        ty: Type::Map { names: Some(r#"^[^/\s#]+$"#), not_name: None, of: &Type::Ref(&CACHE), min: 1 },
        default: Absent::Default("none"),
        doc: "Caches by name, used by `cache:` and `invalidate:` steps of any service and emptied by `flush` faults. A `shared` cache is one instance for the whole system; a `replica` cache is one instance per replica of each service whose steps use it.",
    },
    Key {
        name: "try",
        ty: Type::List { of: &Type::Text { pattern: None, min_len: 1 }, min: 0, max: Some(20) },
        default: Absent::Default("none"),
        doc: "\"Try this\": what to change and what will happen, one short suggestion per item (at most 20). The playground shows them under the description; the engine ignores them.",
    },
    Key {
        name: "guide",
        ty: Type::List { of: &Type::Ref(&GUIDE_STEP), min: 0, max: Some(30) },
        default: Absent::Default("none"),
        doc: "A guided walkthrough: steps the playground shows one at a time, each with text, and optionally a change to apply to the scenario and the chart or node to look at (at most 30). A link can open the scenario at a step.",
    },    Key {
        name: "sweep",
        ty: Type::Map { names: Some(r#"^[^\s]+$"#), not_name: None, of: &Type::Ref(&SWEEP_VALUES), min: 1 },
        default: Absent::Default("none"),
        doc: "A sweep over one or two parameters, each named by its path in this file (`workload[0].rate`, `services.api.workers`: keys joined by dots, list items by `[index]`) with the values to run it at. The first parameter is the x axis of the capacity curves, the second gives one curve per value. `loopsim run` runs every point (with the scenario's replications) and prints the curves and their knee; a single run in the playground runs the scenario as written. At most 10000 runs (points × replications). See [Sweeps](sweeps.md).",
    },
];

pub const SWEEP_VALUES: Section = Section::value(
    "sweep_values",
    "sweepValues",
    "The values of a swept parameter: a range `FROM..TO by STEP` in one unit (`100/s..1000/s by 100/s`, `1..8 by 1`; TO included when on the grid) or a list of values (`[1, 2, 4, 8]`, `[5ms, 10ms]`) in the order to run them. Each value is written in place of the parameter's own and the scenario checked again.",
    Type::AnyOf(&[
        Type::Text { pattern: Some(r#"^\S+\s*\.\.\s*\S+\s+by\s+\S+$"#), min_len: 0 },
        Type::List { of: &Type::AnyOf(&[Type::Number { min: Bound::No, max: Bound::No }, Type::Text { pattern: None, min_len: 1 }]), min: 1, max: Some(10000) },
    ]),
);

pub const GUIDE_STEP: Section = Section {
    name: "guide_step",
    def: Some("guideStep"),
    doc: "One step of a guided walkthrough.",
    keys: &[
        Key {
            name: "text",
            ty: Type::Text { pattern: None, min_len: 1 },
            default: Absent::Required,
            doc: "What to do and what to look at, in plain words (`code` in backticks is shown as code).",
        },
        Key {
            name: "change",
            ty: Type::Ref(&CHANGE),
            default: Absent::Default("none"),
            doc: "An edit the page applies to the scenario text when the reader presses Apply.",
        },
        Key {
            name: "chart",
            ty: Type::Enum(&GUIDE_CHARTS),
            default: Absent::Default("none"),
            doc: "The chart to point at: `latency`, `throughput`, `lag` (event-loop lag), `util` (utilisation), `pool` (the thread pools, or the declared pools' charts when no endpoint offloads), `workloads`, or `service` (the charts of the step's `node`, which must be a service).",
        },
        Key {
            name: "node",
            ty: Type::Text { pattern: None, min_len: 1 },
            default: Absent::Default("none"),
            doc: "The node of the topology view to point at: a service, queue or cache name, or `client`.",
        },
    ],
    include: &[],
    shape: Shape::Map,
    rules: &[],
};

/// The charts a guide step can point at (the page's fixed charts, and a service's own).
pub const GUIDE_CHARTS: [&str; 7] = [
    "latency",
    "throughput",
    "lag",
    "util",
    "pool",
    "workloads",
    "service",
];

pub const CHANGE: Section = Section {
    name: "change",
    def: Some("change"),
    doc: "A text replacement in the scenario: the one occurrence of `replace` outside the `guide:` block becomes `with`.",
    keys: &[
        Key {
            name: "replace",
            ty: Type::Text { pattern: None, min_len: 1 },
            default: Absent::Required,
            doc: "The text to replace, exactly as written in the scenario; it must occur exactly once outside `guide:`, after the earlier steps' changes.",
        },
        Key {
            name: "with",
            ty: Type::Text { pattern: None, min_len: 0 },
            default: Absent::Required,
            doc: "The replacement text.",
        },
    ],
    include: &[],
    shape: Shape::Map,
    rules: &[],
};

pub const DURATION: Section = Section::value("duration", "duration", "A duration: a number with a unit (`ns`, `us` or `µs`, `ms`, `s`, `m` or `min`, `h`, `d`), e.g. `2ms`, `1.5s`, `5m`, `30d`; a bare number is seconds.", Type::AnyOf(&[Type::Number { min: Bound::Incl(0.0), max: Bound::No }, Type::Text { pattern: Some(r#"^\+?[0-9][0-9_]*(\.[0-9]*)?([eE][+-]?[0-9]+)?(ns|us|µs|μs|ms|s|m|min|h|d)?$"#), min_len: 0 }, Type::Text { pattern: Some(r#"^\+?\.[0-9]+([eE][+-]?[0-9]+)?(ns|us|µs|μs|ms|s|m|min|h|d)?$"#), min_len: 0 }]));

pub const RATE: Section = Section::value("rate", "rate", "A request rate: `80/s` (or `/sec`), `300/min` (or `/m`), `2/h`; a bare number is per second. At most 10000000 per second.", Type::AnyOf(&[Type::Number { min: Bound::Incl(0.0), max: Bound::No }, Type::Text { pattern: Some(r#"^\+?[0-9.][0-9_.]*([eE][+-]?[0-9]+)?(/s|/sec|/m|/min|/h)?$"#), min_len: 0 }]));

pub const SIZE: Section = Section::value("size", "size", "A size in bytes: `B`, `KB`, `MB`, `GB`, `TB` (powers of 1000) or `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024), e.g. `2GB`; a bare number is bytes.", Type::AnyOf(&[Type::Int { min: 1, max: None }, Type::Text { pattern: Some(r#"^\+?[0-9.][0-9_.]*([eE][+-]?[0-9]+)?(B|KB|kB|MB|GB|TB|KiB|MiB|GiB|TiB)?$"#), min_len: 0 }]));

pub const PROBABILITY: Section = Section::value(
    "probability",
    "probability",
    "A probability: a number between 0 and 1 (`0.001`) or a percentage (`0.1%`).",
    Type::AnyOf(&[
        Type::Number {
            min: Bound::Incl(0.0),
            max: Bound::Incl(1.0),
        },
        Type::Text {
            pattern: Some(r#"^\+?[0-9.][0-9_.]*([eE][+-]?[0-9]+)?%?$"#),
            min_len: 0,
        },
    ]),
);

pub const RATIO: Section = Section::value(
    "ratio",
    "ratio",
    "A ratio: a percentage (`10%`) or a plain number (`0.1`).",
    Type::AnyOf(&[
        Type::Number {
            min: Bound::Incl(0.0),
            max: Bound::No,
        },
        Type::Text {
            pattern: Some(r#"^\+?[0-9.][0-9_.]*([eE][+-]?[0-9]+)?%?$"#),
            min_len: 0,
        },
    ]),
);

pub const DURATION_OR_DIST: Section = Section::value("duration_or_dist", "durationOrDist", "A fixed duration (e.g. `2ms`) or a distribution of durations (e.g. `{ dist: exponential, mean: 10ms }`).", Type::AnyOf(&[Type::Ref(&DURATION), Type::Ref(&DIST)]));

pub const DIST: Section = Section {
    name: "dist",
    def: Some("dist"),
    doc: "A distribution of durations. Every parameter except the pareto `shape` is a duration.",
    keys: &[],
    shape: Shape::Tagged {
        tag: "dist",
        doc: "The kind of distribution.",
        variants: &[
            DIST_CONSTANT,
            DIST_EXPONENTIAL,
            DIST_UNIFORM,
            DIST_NORMAL,
            DIST_LOGNORMAL,
            DIST_PARETO,
            DIST_EMPIRICAL,
        ],
    },
    rules: &[],
    include: &[],
};

pub const WORKLOAD: Section = Section {
    name: "workload",
    def: Some("workload"),
    doc: "A source of requests sent to one service.",
    keys: &WORKLOAD_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[&GUARDS],
};

const WORKLOAD_KEYS: [Key; 10] = [
    Key {
        name: "name",
        ty: Type::Text { pattern: None, min_len: 0 },
        default: Absent::Default("the target service's name (with its position appended if already taken: `api-2`)"),
        doc: "Name shown in reports; must be unique.",
    },
    Key {
        name: "to",
        ty: Type::Text { pattern: None, min_len: 0 },
        default: Absent::Required,
        doc: "Name of the service that receives the requests.",
    },
    Key {
        name: "arrivals",
        ty: Type::Enum(&["poisson", "constant", "closed"]),
        default: Absent::Default("`poisson`"),
        doc: "`poisson`: open loop, exponential gaps between requests. `constant`: open loop, evenly spaced. `closed`: a fixed population of users, each waiting for its answer before thinking and sending again.",
    },
    Key {
        name: "rate",
        ty: Type::AnyOf(&[Type::Ref(&RATE), Type::List { of: &Type::Ref(&RATE_POINT), min: 1, max: None }]),
        default: Absent::RequiredIf("required for open loops"),
        doc: "Open loops only (required): a constant rate such as `80/s`, or a schedule: a list of points `{at, rate, ramp}`.",
    },
    Key {
        name: "users",
        ty: Type::Int { min: 1, max: Some(1000000) },
        default: Absent::RequiredIf("required for `closed`"),
        doc: "Closed loops only (required): number of users, each thinking, sending one request and waiting for its outcome, in a loop. At most 1000000.",
    },
    Key {
        name: "think",
        ty: Type::Ref(&DURATION_OR_DIST),
        default: Absent::Default("`0`"),
        doc: "Duration or distribution: a user's pause between an answer and its next request. Only with `closed`.",
    },
    Key {
        name: "mix",
        ty: Type::Map { names: None, not_name: None, of: &Type::Number { min: Bound::Incl(0.0), max: Bound::No }, min: 1 },
        default: Absent::Default("the service's only endpoint"),
        doc: "Endpoints of the target service and their relative weights (≥ 0, not all zero), e.g. `{ /browse: 4, /checkout: 1 }`.",
    },
    Key {
        name: "priority",
        ty: Type::Int { min: 0, max: Some(255) },
        default: Absent::Default("`0`"),
        doc: "Higher is served first wherever a queue orders by priority (a pool with `queue: priority`); the requests its calls make inherit it (0 to 255).",
    },
    Key {
        name: "request_size",
        ty: Type::Ref(&SIZE_OR_DIST),
        default: Absent::Default("none (no payload)"),
        doc: "Size or size distribution of each request's body (e.g. `20KB`, `{ dist: exponential, mean: 1MB }`): it crosses the hop to the service over the [bandwidth](#payloads-and-bandwidth) on its way.",
    },
    Key {
        name: "active_users",
        ty: Type::Ref(&ACTIVE_USERS),
        default: Absent::Default("a steady rate"),
        doc: "Poisson workloads only: the number of active users is drawn again every `every` (AsyncFlow's `user_sampling_window`), and the rate in that window is `rate` × users / `mean`. See [active users](#active-users).",
    },
];

pub const ACTIVE_USERS: Section = Section {
    name: "active_users",
    def: Some("activeUsers"),
    doc: "A user count drawn again every window that scales a Poisson workload's rate (a doubly stochastic, or mixed, Poisson process).",
    keys: &ACTIVE_USERS_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const ACTIVE_USERS_KEYS: [Key; 4] = [
    Key {
        name: "mean",
        ty: Type::Number { min: Bound::Excl(0.0), max: Bound::Incl(1e9) },
        default: Absent::Required,
        doc: "Mean number of active users (> 0): `rate` is the rate when this many are active.",
    },
    Key {
        name: "dist",
        ty: Type::Enum(&["poisson", "normal"]),
        default: Absent::Default("`poisson`"),
        doc: "`poisson`: the count is Poisson(`mean`). `normal`: Normal(`mean`, `sd`), negative draws counting as 0 users (as AsyncFlow 0.1.1 clamps them).",
    },
    Key {
        name: "sd",
        ty: Type::Number { min: Bound::Incl(0.0), max: Bound::Incl(1e9) },
        default: Absent::Default("`mean` (normal only)"),
        doc: "Standard deviation of a `normal` count (≥ 0).",
    },
    Key {
        name: "every",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`60s`"),
        doc: "How often the count is drawn again (> 0), from the start of the run.",
    },
];

pub const GUARDS: Section = Section {
    name: "guards",
    def: None,
    doc: "The [client-side guards](#client-side-guards) of the requests it sends.",
    keys: &GUARDS_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const GUARDS_KEYS: [Key; 6] = [
    Key {
        name: "timeout",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("none"),
        doc: "Client timeout per attempt (> 0): the attempt counts as timed out at send + timeout; the server still finishes its work.",
    },
    Key {
        name: "deadline",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("none"),
        doc: "Overall, across attempts (> 0): no attempt starts, or goes on, past send + deadline. A `deadline` shorter than `timeout` is a warning (the timeout never fires).",
    },
    Key {
        name: "retry",
        ty: Type::Ref(&RETRY),
        default: Absent::Default("none"),
        doc: "Retries of failed attempts (errors, losses, refusals, timeouts): the total number of attempts (`3`) or `{attempts, backoff, budget}`.",
    },
    Key {
        name: "breaker",
        ty: Type::Ref(&BREAKER),
        default: Absent::Default("none"),
        doc: "Circuit breaker: `true` (resilience4j defaults), or `{kind: consecutive, threshold, open_for}` (cloudcircuit) or `{kind: sliding_window, window, min_calls, failure_rate, slow_call, slow_rate, open_for, half_open_calls, open_growth}` (resilience4j).",
    },
    Key {
        name: "risk",
        ty: Type::Ref(&RISK),
        default: Absent::Default("none"),
        doc: "evoSentinel risk guard (with a latency term): `true` or `{}` for its defaults, or a mapping overriding some of its settings.",
    },
    Key {
        name: "throttle",
        ty: Type::Ref(&THROTTLE),
        default: Absent::Default("none"),
        doc: "Google SRE client-side adaptive throttling: `true` (K = 2 over 2 minutes) or `{k, window}`.",
    },
];

pub const RATE_POINT: Section = Section {
    name: "rate_point",
    def: Some("ratePoint"),
    doc: "A point of a rate schedule. Before the first point the rate is the first point's rate.",
    keys: &RATE_POINT_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const RATE_POINT_KEYS: [Key; 3] = [
    Key {
        name: "at",
        ty: Type::Ref(&DURATION),
        default: Absent::Required,
        doc: "When this rate starts; strictly increasing along the list and before the end of the run.",
    },
    Key {
        name: "rate",
        ty: Type::Ref(&RATE),
        default: Absent::Required,
        doc: "The rate from `at` on.",
    },
    Key {
        name: "ramp",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("0 (a step)"),
        doc: "Move linearly from the previous rate to this one over this long, starting at `at`; must end by the next point.",
    },
];

pub const SERVICE: Section = Section {
    name: "service",
    def: Some("service"),
    doc: "A service: `replicas` instances behind a balancer, each with `workers` event loops and a pool of `threads` per worker.",
    keys: &SERVICE_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const SERVICE_KEYS: [Key; 13] = [
    Key {
        name: "replicas",
        ty: Type::Int { min: 1, max: Some(10000) },
        default: Absent::Default("`1`"),
        doc: "Instances behind the balancer (1 to 10 000).",
    },
    Key {
        name: "balance",
        ty: Type::Enum(&["round_robin", "least_connections", "random", "power_of_two"]),
        default: Absent::Default("`round_robin`"),
        doc: "How requests are spread over replicas: `round_robin`, `least_connections` (fewest outstanding requests), `random`, `power_of_two` (the less busy of two random replicas).",
    },
    Key {
        name: "workers",
        ty: Type::Int { min: 1, max: Some(10000) },
        default: Absent::Default("`1`"),
        doc: "Worker processes per instance, each with one event loop (1 to 10 000).",
    },
    Key {
        name: "threads",
        ty: Type::Int { min: 1, max: Some(100000) },
        default: Absent::Default("`40`"),
        doc: "Threads of each worker's thread pool, used by `offload` (1 to 100 000).",
    },
    Key {
        name: "accept",
        ty: Type::Enum(&["idle_first", "round_robin", "random"]),
        default: Absent::Default("`idle_first`"),
        doc: "Which worker gets a new request: `idle_first` (an idle loop, else the shortest ready queue — a shared listening socket), `round_robin` or `random` (`SO_REUSEPORT`-style).",
    },
    Key {
        name: "ram",
        ty: Type::Ref(&SIZE),
        default: Absent::Default("unlimited"),
        doc: "Memory of each instance (a size). A request whose `ram` steps would exceed it fails at once with `out_of_memory`.",
    },
    Key {
        name: "ingress",
        ty: Type::Ref(&INGRESS),
        default: Absent::Default("admit everything"),
        doc: "Admission control of every instance: `max_queue`, `rate_limit`, `concurrency` (or `bulkhead`), `deadline`.",
    },
    Key {
        name: "cores",
        ty: Type::Int { min: 1, max: Some(1024) },
        default: Absent::Default("a CPU per loop and per thread"),
        doc: "CPU cores per replica, shared by its event loops' `cpu` steps and its threads' computation (`offload: { cpu }`): bursts queue for a core and run in 5 ms slices, round robin (1 to 1024).",
    },
    Key {
        name: "gil",
        ty: Type::Bool,
        default: Absent::Default("`false`"),
        doc: "Python: one interpreter lock per worker process, shared by its loop and its threads. Computation holds it (5 ms switch interval, as CPython); `blocking` steps and `io` parts release it. 40 threads doing pure-Python work run at one core's rate.",
    },
    Key {
        name: "pools",
        ty: Type::Map { names: None, not_name: None, of: &Type::Ref(&POOL), min: 1 },
        default: Absent::Default("none"),
        doc: "Bounded pools of permits by name: database connections, an HTTP client's connections, a semaphore. A `with:` step holds one permit while its steps run.",
    },
    Key {
        name: "endpoints",
        ty: Type::Map { names: Some(r#"^/"#), not_name: None, of: &Type::AnyOf(&[Type::List { of: &Type::Ref(&STEP), min: 1, max: None }, Type::Ref(&ENDPOINT)]), min: 1 },
        default: Absent::Required,
        doc: "Endpoints by path (starting with `/`), each a list of steps run in order, or `{ steps, response_size }` for an endpoint whose answers carry a payload.",
    },
    Key {
        name: "nic",
        ty: Type::Ref(&BANDWIDTH),
        default: Absent::Default("unlimited"),
        doc: "Each replica's network card (e.g. `1Gbps`, `10Gbps`), each direction on its own: the payloads it sends and receives share it fairly. See [payloads and bandwidth](#payloads-and-bandwidth).",
    },
    Key {
        name: "autoscale",
        ty: Type::Ref(&AUTOSCALE),
        default: Absent::Default("a fixed number of replicas"),
        doc: "Horizontal autoscaling with Kubernetes HPA semantics: `min`, `max`, `metric`, `target`, `interval`, `window`, `provision`, `cooldown`, `tolerance`. `replicas` is then the initial count.",
    },
];

pub const AUTOSCALE: Section = Section {
    name: "autoscale",
    def: Some("autoscale"),
    doc: "A horizontal autoscaler (Kubernetes HPA): every `interval` it sets desired = ceil(ready × metric / target), leaves the count alone while metric / target is within 1 ± `tolerance`, scales up at once (new replicas take traffic after `provision`) and scales down only to the highest recommendation of the last `cooldown`, draining the replicas it removes.",
    keys: &AUTOSCALE_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const AUTOSCALE_KEYS: [Key; 9] = [
    Key {
        name: "min",
        ty: Type::Int { min: 1, max: Some(10000) },
        default: Absent::Default("`1`"),
        doc: "Fewest replicas the autoscaler keeps (≥ 1).",
    },
    Key {
        name: "max",
        ty: Type::Int { min: 1, max: Some(10000) },
        default: Absent::Required,
        doc: "Most replicas (≥ `min`); all of them are built up front, the absent ones cost nothing.",
    },
    Key {
        name: "metric",
        ty: Type::Enum(&["utilization", "loop_lag", "in_flight", "rps", "queue_depth"]),
        default: Absent::Default("`utilization`"),
        doc: "What is averaged over the ready replicas: `utilization` (event-loop busy fraction, averaged over the replica's workers; target a percentage), `loop_lag` (mean event-loop lag; target a duration), `in_flight` (requests routed to a replica and not yet answered; target a count), `rps` (requests routed to a replica per second; target a rate), `queue_depth` (messages held — waiting, in process, awaiting redelivery — by the queues this service consumes, per replica the scale counts, ready or not, as KEDA counts them (an external metric: ceil(messages / target) replicas); target a count; the service must be a queue's `consumer`).",
    },
    Key {
        name: "target",
        ty: Type::AnyOf(&[Type::Number { min: Bound::Excl(0.0), max: Bound::No }, Type::Text { pattern: None, min_len: 1 }]),
        default: Absent::Required,
        doc: "The metric's target per replica, > 0, typed by the metric: `60%` for `utilization` (at most 100%), `20ms` for `loop_lag`, `8` for `in_flight` and `queue_depth`, `100/s` for `rps`.",
    },
    Key {
        name: "interval",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`15s`"),
        doc: "How often the autoscaler decides (> 0; the HPA's sync period).",
    },
    Key {
        name: "window",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`30s`"),
        doc: "The metric is averaged over this window before each decision (> 0, at most 1000 intervals; metrics-server's window).",
    },
    Key {
        name: "provision",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`60s`"),
        doc: "From a scale-up decision to the new replica taking traffic: the cold start (≥ 0). The replica is paid from the decision on.",
    },
    Key {
        name: "cooldown",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`5m`"),
        doc: "Scale-down stabilisation (≥ 0): the autoscaler scales down only to the highest recommendation of this window (the HPA's `stabilizationWindowSeconds`, 5 minutes by default).",
    },
    Key {
        name: "tolerance",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`10%`"),
        doc: "No change while metric / target is within 1 ± this (the HPA's tolerance, below 100%).",
    },
];

pub const POOL: Section = Section {
    name: "pool",
    def: Some("pool"),
    doc: "A pool of `size` permits with a queue of waiters: a `with: NAME` step waits for a permit (in the order of `queue`), holds it while its `steps` run, and gives it back however they end.",
    keys: &POOL_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const POOL_KEYS: [Key; 5] = [
    Key {
        name: "size",
        ty: Type::Int { min: 1, max: Some(1_000_000) },
        default: Absent::Required,
        doc: "Permits per instance of the pool (1 to 1 000 000).",
    },
    Key {
        name: "queue",
        ty: Type::Enum(&["fifo", "lifo", "priority", "codel", "adaptive_lifo"]),
        default: Absent::Default("`fifo`"),
        doc: "Which waiter gets a freed permit: `fifo` (first come), `lifo` (newest first: under overload the requests still wanted go first), `priority` (the request's `priority`, highest first, FIFO among equals), `codel` (FIFO that sheds waiters at the head, as `pool_shed`, while the queueing delay has stayed above 5 ms for 100 ms — Nichols & Jacobson) or `adaptive_lifo` (FIFO while the oldest waiter has waited under 5 ms, newest first beyond — Facebook's \"Fail at Scale\").",
    },
    Key {
        name: "timeout",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("none"),
        doc: "A request that has waited this long for a permit fails as `pool_timeout` (> 0).",
    },
    Key {
        name: "max_waiting",
        ty: Type::Int { min: 0, max: Some(10_000_000) },
        default: Absent::Default("unlimited"),
        doc: "A request that finds this many waiters fails at once as `pool_full` (0: never wait).",
    },
    Key {
        name: "scope",
        ty: Type::Enum(&["worker", "replica", "service"]),
        default: Absent::Default("`replica`"),
        doc: "Where instances of the pool exist: one per worker process, per replica, or one for the whole service (shared by its replicas, like a database's connection limit).",
    },
];

pub const STEP: Section = Section {
    name: "step",
    def: Some("step"),
    doc: "One step of an endpoint: a mapping with exactly one of `cpu`, `blocking`, `io`, `offload`, `call`, `ram`, `llm`, `with`, `branch`, `parallel`, `cache`, `invalidate`, `publish`, `spawn`; a `call` step may also have client-side guards, a `with` step its `steps`, a `parallel` step `wait`, `fanout` and `on_error`, a `cache` step `keys`, `hit`, `miss` and `coalesce`, an `invalidate` step `keys`.",
    keys: &STEP_KEYS,
    shape: Shape::OneKey {
        with: &[
            ("call", &CALL),
            ("with", &WITH),
            ("parallel", &PARALLEL),
            ("cache", &CACHE_STEP),
            ("invalidate", &INVALIDATE),
        ],
    },
    rules: &[Rule::MinKeys(1)],
    include: &[],
};

/// A thread job that computes, then waits.
pub const OFFLOAD: Section = Section {
    name: "offload",
    def: Some("offloadSplit"),
    doc: "A thread job in two parts: `cpu` computation (a core and the GIL, when the service has them), then `io` waiting (releasing them).",
    keys: &[
        Key {
            name: "cpu",
            ty: Type::Ref(&DURATION_OR_DIST),
            default: Absent::Default("`0`"),
            doc: "Computation on the thread.",
        },
        Key {
            name: "io",
            ty: Type::Ref(&DURATION_OR_DIST),
            default: Absent::Default("`0`"),
            doc: "Waiting on the thread afterwards (blocking I/O, a native call).",
        },
    ],
    shape: Shape::Map,
    rules: &[Rule::MinKeys(1)],
    include: &[],
};

/// The keys beside `call:` in a step: its client-side guards, hedging and a fallback.
pub const CALL: Section = Section {
    name: "call",
    def: None,
    doc: "Beside `call:`: the client-side guards of the requests it sends, hedging and a fallback.",
    keys: &[
        Key {
            name: "hedge",
            ty: Type::Ref(&HEDGE),
            default: Absent::Default("none"),
            doc: "Hedged requests: another copy of the attempt after `after` without an answer (up to `max` copies); the first success wins and the other copies are abandoned (their servers' work goes on).",
        },
        Key {
            name: "fallback",
            ty: Type::List { of: &Type::Named("step"), min: 1, max: None },
            default: Absent::Default("none"),
            doc: "Steps run instead of failing the request when the call fails (after its retries): a cached or default answer.",
        },
        Key {
            name: "request_size",
            ty: Type::Ref(&SIZE_OR_DIST),
            default: Absent::Default("none (no payload)"),
            doc: "Size or size distribution of each request's body: it crosses the hop to the called service over the [bandwidth](#payloads-and-bandwidth) on its way.",
        },
    ],
    shape: Shape::Map,
    rules: &[],
    include: &[&GUARDS],
};

pub const HEDGE: Section = Section {
    name: "hedge",
    def: Some("hedge"),
    doc: "Hedged requests (\"The Tail at Scale\"): a copy of a slow attempt to another replica.",
    keys: &[
        Key {
            name: "after",
            ty: Type::Ref(&DURATION),
            default: Absent::Required,
            doc: "Send another copy when the attempt has had no answer for this long (> 0); again after as long again, up to `max` copies.",
        },
        Key {
            name: "max",
            ty: Type::Int { min: 1, max: Some(10) },
            default: Absent::Default("`1`"),
            doc: "Extra copies at most (1 to 10).",
        },
    ],
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

/// The keys beside `with:` in a step.
pub const WITH: Section = Section {
    name: "with",
    def: None,
    doc: "Beside `with: POOL`: the steps that hold the permit.",
    keys: &[Key {
        name: "steps",
        ty: Type::List { of: &Type::Named("step"), min: 1, max: None },
        default: Absent::Required,
        doc: "The steps run while one permit of the pool is held; it is given back when they end, fail or are cancelled. Blocks may nest (at most 3 deep); two requests taking two pools in opposite orders can deadlock, as in real life.",
    }],
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

/// The keys beside `parallel:` in a step.
pub const PARALLEL: Section = Section {
    name: "parallel",
    def: None,
    doc: "Beside `parallel: [...]`: how the branches are joined.",
    keys: &[
        Key {
            name: "wait",
            ty: Type::AnyOf(&[Type::Enum(&["all", "any"]), Type::Int { min: 1, max: Some(100_000) }]),
            default: Absent::Default("`all`"),
            doc: "When the step ends: `all` branches succeeded (it fails as soon as one fails, like `asyncio.gather`), `any` one succeeded, or a number k of them (it fails as soon as k can no longer be reached). The branches still running then are cancelled: their calls are abandoned (the servers' work goes on) and their permits given back.",
        },
        Key {
            name: "fanout",
            ty: Type::Int { min: 1, max: Some(10_000) },
            default: Absent::Default("`1`"),
            doc: "Every listed branch runs this many times (shards of a scatter-gather).",
        },
        Key {
            name: "on_error",
            ty: Type::Enum(&["fail", "ignore"]),
            default: Absent::Default("`fail`"),
            doc: "With `wait: all`, `ignore` waits for every branch and succeeds whatever failed (`gather(return_exceptions=True)`).",
        },
    ],
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

/// One arm of a `branch` step.
pub const BRANCH_ARM: Section = Section {
    name: "branch_arm",
    def: Some("branchArm"),
    doc: "One arm of a `branch` step: its steps, picked with probability weight ÷ total weight.",
    keys: &[
        Key {
            name: "weight",
            ty: Type::Number {
                min: Bound::Excl(0.0),
                max: Bound::No,
            },
            default: Absent::Required,
            doc: "Relative weight (> 0); the weights need not add up to 1.",
        },
        Key {
            name: "steps",
            ty: Type::List {
                of: &Type::Named("step"),
                min: 1,
                max: None,
            },
            default: Absent::Required,
            doc: "The arm's steps.",
        },
    ],
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const STEP_KEYS: [Key; 14] = [
    Key {
        name: "cpu",
        ty: Type::Ref(&DURATION_OR_DIST),
        default: Absent::Nothing,
        doc: "Computation on the event loop: holds the loop for this long.",
    },
    Key {
        name: "blocking",
        ty: Type::Ref(&DURATION_OR_DIST),
        default: Absent::Nothing,
        doc: "A synchronous call inside async code: holds the loop like `cpu`, reported as blocking.",
    },
    Key {
        name: "io",
        ty: Type::Ref(&DURATION_OR_DIST),
        default: Absent::Nothing,
        doc: "Awaits external I/O (database, disk…) for this long; the loop is free meanwhile.",
    },
    Key {
        name: "offload",
        ty: Type::AnyOf(&[Type::Ref(&DURATION_OR_DIST), Type::Ref(&OFFLOAD)]),
        default: Absent::Nothing,
        doc: "Awaits work on the worker's thread pool (queued FIFO when all threads are busy): a duration or distribution (a job that waits — blocking I/O, native code releasing the GIL), or `{ cpu, io }`: a job that computes (holding a core and the GIL when the service has `cores` or `gil`) and then waits.",
    },
    Key {
        name: "call",
        ty: Type::Text { pattern: None, min_len: 0 },
        default: Absent::Nothing,
        doc: "Awaits a request to another endpoint: `service/endpoint`, e.g. `payments/charge` for endpoint `/charge` of `payments` (just `service` when it has one endpoint).",
    },
    Key {
        name: "ram",
        ty: Type::Ref(&SIZE),
        default: Absent::Nothing,
        doc: "Holds this much of the instance's memory until the request ends.",
    },
    Key {
        name: "llm",
        ty: Type::Ref(&LLM),
        default: Absent::Nothing,
        doc: "Awaits a language-model call, like `io` (the loop is free meanwhile): it lasts `first_token` + `tokens_out` × `per_token`, and its tokens are priced by `cost.llm`.",
    },
    Key {
        name: "with",
        ty: Type::Text { pattern: None, min_len: 1 },
        default: Absent::Nothing,
        doc: "Holds one permit of the service's pool of this name while the `steps` beside it run (waiting for one first).",
    },
    Key {
        name: "branch",
        ty: Type::List { of: &Type::Ref(&BRANCH_ARM), min: 1, max: None },
        default: Absent::Nothing,
        doc: "Runs exactly one arm, picked by weight: `[ { weight: 0.9, steps: [...] }, { weight: 0.1, steps: [...] } ]`.",
    },
    Key {
        name: "parallel",
        ty: Type::List { of: &Type::AnyOf(&[Type::Named("step"), Type::List { of: &Type::Named("step"), min: 1, max: None }]), min: 1, max: None },
        default: Absent::Nothing,
        doc: "Runs its branches concurrently on the request's event loop (`asyncio.gather`, `Promise.all`): each branch is a step or a list of steps. Their `cpu` work still takes turns on the one loop. See `wait`, `fanout` and `on_error` beside it.",
    },
    Key {
        name: "cache",
        ty: Type::Text { pattern: None, min_len: 1 },
        default: Absent::Nothing,
        doc: "Looks the request's key (drawn from `keys`) up in the cache of this name (see `caches`): a hit runs the `hit` steps, a miss the `miss` steps and then stores the key (only if they succeed). See `keys`, `hit`, `miss` and `coalesce` beside it.",
    },
    Key {
        name: "invalidate",
        ty: Type::Text { pattern: None, min_len: 1 },
        default: Absent::Nothing,
        doc: "Removes the request's key (drawn from `keys` beside it) from the cache of this name: a write that invalidates.",
    },
    Key {
        name: "publish",
        ty: Type::Text { pattern: None, min_len: 1 },
        default: Absent::Nothing,
        doc: "Publishes one message to the queue of this name and awaits the broker's acknowledgement (a network round trip to the queue's node), not its processing. Fails as `queue_full` when the queue holds `max_length` messages.",
    },
    Key {
        name: "spawn",
        ty: Type::List { of: &Type::Named("step"), min: 1, max: None },
        default: Absent::Nothing,
        doc: "Starts these steps as a background task on the request's event loop (`asyncio.create_task`) and goes on at once: the request does not wait for it, and it keeps running after the request ends. Its `cpu` work holds the loop like any step; its outcomes are counted per service (`spawned`).",
    },
];

pub const QUEUE: Section = Section {
    name: "queue",
    def: Some("queue"),
    doc: "A message queue: `publish` steps put messages in, a `consumer` endpoint processes them, at most `concurrency` at once per consumer replica that is up (pull consumers); a failed processing is delivered again after `redelivery_delay`, up to `max_deliveries` times, then dead-lettered.",
    keys: &QUEUE_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const QUEUE_KEYS: [Key; 7] = [
    Key {
        name: "consumer",
        ty: Type::Text { pattern: None, min_len: 1 },
        default: Absent::Default("none (messages accumulate)"),
        doc: "The endpoint that processes each message, `service/endpoint` (or `service` when it has one endpoint). A delivery is a request from the queue's node to that endpoint, through its service's balancer and ingress: any failure (an error, a refusal, an outage, a lost message) is a failed processing.",
    },
    Key {
        name: "concurrency",
        ty: Type::Int { min: 1, max: Some(100_000) },
        default: Absent::Default("`1`"),
        doc: "Messages in process at once per consumer replica that is up (1 to 100 000): the broker delivers while fewer than `concurrency` × (replicas up) are in process.",
    },
    Key {
        name: "partitions",
        ty: Type::Int { min: 1, max: Some(10_000) },
        default: Absent::Default("none (one unordered queue)"),
        doc: "Ordered partitions (Kafka): each message goes to a partition chosen uniformly at random (a random message key, hashed), and each partition has at most one message in process, in order; a failed message blocks its partition until it is delivered again. 1 to 10 000 (at most 100 000 over all queues).",
    },
    Key {
        name: "max_length",
        ty: Type::Int { min: 1, max: Some(100_000_000) },
        default: Absent::Default("unlimited (bounded by `max_in_flight` at run time)"),
        doc: "Messages held at once — waiting, in process or awaiting redelivery — beyond which `publish` fails as `queue_full` (and a dead-lettered message is dropped).",
    },
    Key {
        name: "max_deliveries",
        ty: Type::Int { min: 1, max: Some(1000) },
        default: Absent::Default("`3`"),
        doc: "A message whose processing failed this many times goes to `dead_letter` (or is dropped and counted).",
    },
    Key {
        name: "redelivery_delay",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`30s`"),
        doc: "Visibility timeout: a message whose processing failed is delivered again this long after the failure.",
    },
    Key {
        name: "dead_letter",
        ty: Type::Text { pattern: None, min_len: 1 },
        default: Absent::Default("none (exhausted messages are dropped)"),
        doc: "Another queue that receives the messages whose deliveries are exhausted (without a consumer it just accumulates, bounded by its own `max_length`).",
    },
];

/// The keys beside `cache:` in a step.
pub const CACHE_STEP: Section = Section {
    name: "cache_step",
    def: None,
    doc: "Beside `cache: NAME`: the keys looked up, what a hit and a miss run, and single flight.",
    keys: &[
        Key {
            name: "keys",
            ty: Type::Ref(&KEYS),
            default: Absent::Required,
            doc: "The keyspace: how many keys, and their popularity (`zipf`).",
        },
        Key {
            name: "hit",
            ty: Type::List { of: &Type::Named("step"), min: 0, max: None },
            default: Absent::Default("no steps"),
            doc: "Steps run on a hit (e.g. the read from a remote cache: `[ { call: redis } ]`).",
        },
        Key {
            name: "miss",
            ty: Type::List { of: &Type::Named("step"), min: 0, max: None },
            default: Absent::Default("no steps"),
            doc: "Steps run on a miss (or an expired entry); the key is stored when they succeed. A failed step fails the request and stores nothing. May not contain another `cache` step: `call` an endpoint that has it.",
        },
        Key {
            name: "coalesce",
            ty: Type::Bool,
            default: Absent::Default("`false`"),
            doc: "Single flight (Go's `singleflight`): a miss on a key whose miss steps are already running (on the same cache instance) waits for them instead of running its own. When they succeed, the waiters go on after the `cache` block with the value (they run neither `hit` nor `miss` steps); when they fail, every waiter fails with the same outcome; when they are cancelled or lost to an outage, the waiters look the key up again.",
        },
    ],
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

/// The keys beside `invalidate:` in a step.
pub const INVALIDATE: Section = Section {
    name: "invalidate",
    def: None,
    doc: "Beside `invalidate: NAME`: the keys written.",
    keys: &[Key {
        name: "keys",
        ty: Type::Ref(&KEYS),
        default: Absent::Required,
        doc: "The keyspace the written key is drawn from (use the readers' `keys` for a read/write mix on the same keys).",
    }],
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

pub const CACHE: Section = Section {
    name: "cache",
    def: Some("cache"),
    doc: "A cache of `capacity` entries per instance: a hit ratio that emerges from the keys' popularity, the capacity, the eviction policy and the TTL, over time (cold start, warm-up, a `flush` stampede).",
    keys: &[
        Key {
            name: "capacity",
            ty: Type::Int { min: 1, max: Some(10_000_000) },
            default: Absent::Required,
            doc: "Entries per instance (1 to 10 000 000); a full cache evicts one by `policy` to store another.",
        },
        Key {
            name: "policy",
            ty: Type::Enum(&["lru", "lfu", "fifo", "random"]),
            default: Absent::Default("`lru`"),
            doc: "Which entry is evicted: `lru` (least recently used), `lfu` (least frequently used while cached, the oldest among equals), `fifo` (the oldest stored) or `random`.",
        },
        Key {
            name: "ttl",
            ty: Type::Ref(&DURATION),
            default: Absent::Default("none (entries never expire)"),
            doc: "An entry stored longer ago than this is a miss (an expiration, counted apart from evictions); a hit does not refresh it (> 0).",
        },
        Key {
            name: "scope",
            ty: Type::Enum(&["shared", "replica"]),
            default: Absent::Default("`shared`"),
            doc: "`shared`: one instance for the whole system (a Redis, a Memcached); `replica`: one instance per replica of each service whose steps use it (an in-process cache).",
        },
    ],
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

pub const KEYS: Section = Section {
    name: "keys",
    def: Some("keys"),
    doc: "The keys of a cache step: `count` keys (1 to 10¹²), key k (from 1) requested with probability ∝ k^−zipf, drawn independently for every request (the independent reference model). No per-key memory: any `count` costs the same.",
    keys: &[
        Key {
            name: "count",
            ty: Type::Int { min: 1, max: Some(1_000_000_000_000) },
            default: Absent::Required,
            doc: "How many distinct keys (1 to 10¹²).",
        },
        Key {
            name: "zipf",
            ty: Type::Number { min: Bound::Incl(0.0), max: Bound::Incl(10.0) },
            default: Absent::Default("`0` (uniform)"),
            doc: "The Zipf exponent of the keys' popularity (0 to 10): 0 is uniform, about 0.7–1.2 is typical of web objects (Breslau et al. 1999).",
        },
    ],
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

pub const RETRY: Section = Section {
    name: "retry",
    def: Some("retry"),
    doc: "Retries: at most `attempts` attempts in all (the first included), spaced by `backoff`, each retry subject to the `budget` if any. A bare number is `attempts` with immediate retries and no budget.",
    keys: &RETRY_KEYS,
    shape: Shape::Or(Type::Int { min: 1, max: Some(100) }),
    rules: &[],
    include: &[],
};

const RETRY_KEYS: [Key; 3] = [
    Key {
        name: "attempts",
        ty: Type::Int { min: 1, max: Some(100) },
        default: Absent::Required,
        doc: "Total attempts, the first included (1 to 100): `attempts: 3` retries at most twice.",
    },
    Key {
        name: "backoff",
        ty: Type::Ref(&BACKOFF),
        default: Absent::Default("`none`"),
        doc: "Delay before each retry: `none` (immediate, the default) or `{kind, base, cap, jitter}`.",
    },
    Key {
        name: "budget",
        ty: Type::Ref(&RETRY_BUDGET),
        default: Absent::Default("none"),
        doc: "Retry budget: a ratio of retries to requests (`10%`: a ratio budget with a floor of 3 retries/s over 10s), `{kind: ratio, ratio, min_per_s, window}` or `{kind: grpc, max_tokens, token_ratio}`.",
    },
];

pub const BACKOFF: Section = Section {
    name: "backoff",
    def: Some("backoff"),
    doc: "Delay before retry n (n = 1 is the first retry), after AWS's \"Exponential Backoff And Jitter\".",
    keys: &BACKOFF_KEYS,
    shape: Shape::Or(Type::Enum(&["none"])),
    rules: &[],
    include: &[],
};

const BACKOFF_KEYS: [Key; 4] = [
    Key {
        name: "kind",
        ty: Type::Enum(&["none", "constant", "exponential", "decorrelated"]),
        default: Absent::Default("`exponential`"),
        doc: "`none`: retry at once; `constant`: min(cap, base); `exponential`: min(cap, base × 2^(n−1)); `decorrelated`: min(cap, uniform in [base, 3 × previous delay]).",
    },
    Key {
        name: "base",
        ty: Type::Ref(&DURATION),
        default: Absent::RequiredIf("required (not with `none`)"),
        doc: "Base delay (at least 1ms); required unless `kind: none`.",
    },
    Key {
        name: "cap",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("the larger of `base` and `30s`"),
        doc: "Largest delay (≥ `base`, at least `1ms`).",
    },
    Key {
        name: "jitter",
        ty: Type::Enum(&["none", "full", "equal"]),
        default: Absent::Default("`none`"),
        doc: "`none`: the delay d itself; `full`: uniform in [0, d]; `equal`: d/2 + uniform in [0, d/2]. Not with `decorrelated` (random already).",
    },
];

pub const RETRY_BUDGET: Section = Section {
    name: "retry_budget",
    def: Some("retryBudget"),
    doc: "Limits retries across requests, so that retries cannot multiply the load of a failing service.",
    keys: &RETRY_BUDGET_KEYS,
    shape: Shape::Or(Type::Ref(&RATIO)),
    rules: &[],
    include: &[],
};

const RETRY_BUDGET_KEYS: [Key; 6] = [
    Key {
        name: "kind",
        ty: Type::Enum(&["ratio", "grpc"]),
        default: Absent::Default("`ratio`"),
        doc: "`ratio`: retries ≤ ratio × requests + min_per_s × window over a sliding window (Google SRE, Finagle); `grpc`: gRPC retry throttling tokens.",
    },
    Key {
        name: "ratio",
        ty: Type::Ref(&RATIO),
        default: Absent::RequiredIf("required (`ratio`)"),
        doc: "Ratio budget (required): retries allowed per original request, e.g. `10%` or `0.1`.",
    },
    Key {
        name: "min_per_s",
        ty: Type::Int { min: 0, max: Some(1000000) },
        default: Absent::Default("`3` (Envoy's floor)"),
        doc: "Ratio budget: retries per second always allowed on top of the ratio.",
    },
    Key {
        name: "window",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`10s`"),
        doc: "Ratio budget: the sliding window, whole seconds (at least 1s).",
    },
    Key {
        name: "max_tokens",
        ty: Type::Int { min: 1, max: Some(1000) },
        default: Absent::Default("`10`"),
        doc: "`grpc`: the token bucket (1 to 1000); it starts full, a failed attempt takes a token, and retries are allowed while more than half of it is left.",
    },
    Key {
        name: "token_ratio",
        ty: Type::Number { min: Bound::Incl(0.001), max: Bound::No },
        default: Absent::Default("`0.1`"),
        doc: "gRPC budget: tokens a successful attempt gives back (a failed one takes 1); at least 0.001.",
    },
];

pub const BREAKER: Section = Section {
    name: "breaker",
    def: Some("breaker"),
    doc: "A circuit breaker: CLOSED admits calls, OPEN rejects them for a wait, HALF_OPEN admits trial calls and decides.",
    keys: &BREAKER_KEYS,
    shape: Shape::Or(Type::Bool),
    rules: &[],
    include: &[],
};

const BREAKER_KEYS: [Key; 10] = [
    Key {
        name: "kind",
        ty: Type::Enum(&["consecutive", "sliding_window"]),
        default: Absent::Default("sliding_window"),
        doc: "`consecutive`: `threshold` consecutive failures open it (cloudcircuit); `sliding_window`: failure and slow-call rates over a window (resilience4j).",
    },
    Key {
        name: "threshold",
        ty: Type::Int { min: 1, max: None },
        default: Absent::Default("3"),
        doc: "Consecutive breaker: failures in a row that open it.",
    },
    Key {
        name: "window",
        ty: Type::AnyOf(&[Type::Int { min: 1, max: None }, Type::Ref(&DURATION)]),
        default: Absent::Default("`100` calls"),
        doc: "Sliding window: a number of calls (`100`, count based) or a duration in whole seconds (`10s`, time based).",
    },
    Key {
        name: "min_calls",
        ty: Type::Int { min: 1, max: None },
        default: Absent::Default("`100`"),
        doc: "No decision before the window holds this many calls (for a count window, at most the window).",
    },
    Key {
        name: "failure_rate",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`50%`"),
        doc: "Sliding window: failure rate that opens the breaker, in (0%, 100%].",
    },
    Key {
        name: "slow_call",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`60s`"),
        doc: "Sliding window: a call taking longer than this is slow.",
    },
    Key {
        name: "slow_rate",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`100%`"),
        doc: "Sliding window: slow-call rate that opens the breaker, in (0%, 100%].",
    },
    Key {
        name: "open_for",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`5s` (consecutive), `60s` (sliding window)"),
        doc: "Wait in OPEN before HALF_OPEN (at least `1ms`, as for a consecutive breaker).",
    },
    Key {
        name: "half_open_calls",
        ty: Type::Int { min: 1, max: None },
        default: Absent::Default("`10`"),
        doc: "Trial calls in HALF_OPEN; all must be in before it decides.",
    },
    Key {
        name: "open_growth",
        ty: Type::Number { min: Bound::Incl(1.0), max: Bound::No },
        default: Absent::Default("`1`"),
        doc: "Sliding window: the wait is multiplied by this on each consecutive opening (≥ 1).",
    },
];

pub const RISK: Section = Section {
    name: "risk",
    def: Some("risk"),
    doc: "The evoSentinel risk guard: risk = max(failure EWMA, failure momentum / momentum_scale, latency deviation); THROTTLE (delays calls) from `throttle_at`, BLOCK from `block_at`, quarantine from `quarantine_at`.",
    keys: &RISK_KEYS,
    shape: Shape::Or(Type::Bool),
    rules: &[],
    include: &[],
};

const RISK_KEYS: [Key; 18] = [
    Key {
        name: "failure_alpha",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`0.05`"),
        doc: "EWMA weight of the failure rate, in (0, 1].",
    },
    Key {
        name: "latency_alpha",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`0.1`"),
        doc: "EWMA weight of the latency, in (0, 1].",
    },
    Key {
        name: "baseline_alpha",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`0.01`"),
        doc: "EWMA weight of the healthy-latency baseline, in (0, 1].",
    },
    Key {
        name: "deviation_factor",
        ty: Type::Number {
            min: Bound::Excl(1.0),
            max: Bound::No,
        },
        default: Absent::Default("`3`"),
        doc: "Latency, as a multiple of the baseline, at which the latency risk reaches 1 (> 1).",
    },
    Key {
        name: "momentum_decay",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`0.92` (per second)"),
        doc: "Decay of the failure momentum per second, in (0, 1).",
    },
    Key {
        name: "momentum_scale",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`5`"),
        doc: "Momentum giving a risk of 1 (> 0); raise it for high-rate callers.",
    },
    Key {
        name: "heal_below",
        ty: Type::Number {
            min: Bound::Incl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`0.1`"),
        doc: "Momentum below which self-healing runs (≥ 0).",
    },
    Key {
        name: "heal_decay",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`0.98` (per second)"),
        doc: "Self-healing factor per second, in (0, 1] (1 disables healing).",
    },
    Key {
        name: "throttle_at",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`0.5`"),
        doc: "Risk from which calls are delayed (THROTTLE), in (0, block_at].",
    },
    Key {
        name: "block_at",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`0.8`"),
        doc: "Risk from which calls are blocked, in [throttle_at, 1].",
    },
    Key {
        name: "hysteresis",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`0.05`"),
        doc: "How far below a threshold the risk must fall to leave it, in [0, 1].",
    },
    Key {
        name: "degraded_at",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`0.4`"),
        doc: "Risk from which the state is DEGRADED.",
    },
    Key {
        name: "critical_at",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`0.8`"),
        doc: "Risk from which the state is CRITICAL (≥ degraded_at).",
    },
    Key {
        name: "quarantine_at",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`0.95`"),
        doc: "Risk that quarantines the guard (≥ critical_at, ≤ 1).",
    },
    Key {
        name: "quarantine_base",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`2s`"),
        doc: "First quarantine (at least 1ms).",
    },
    Key {
        name: "quarantine_growth",
        ty: Type::Number {
            min: Bound::Incl(1.0),
            max: Bound::No,
        },
        default: Absent::Default("`1.3`"),
        doc: "Growth of each further quarantine (≥ 1).",
    },
    Key {
        name: "quarantine_cap",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`10s`"),
        doc: "Longest quarantine (≥ quarantine_base, at least 1ms).",
    },
    Key {
        name: "base_backoff",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`500ms`"),
        doc: "Base of the delay a THROTTLE decision imposes (at least 1ms).",
    },
];

pub const THROTTLE: Section = Section {
    name: "throttle",
    def: Some("throttle"),
    doc: "Client-side adaptive throttling (Google SRE book): a request is rejected locally with probability max(0, (requests − k × accepts) / (requests + 1)) over the window.",
    keys: &THROTTLE_KEYS,
    shape: Shape::Or(Type::Bool),
    rules: &[],
    include: &[],
};

const THROTTLE_KEYS: [Key; 2] = [
    Key {
        name: "k",
        ty: Type::Number {
            min: Bound::Incl(1.0),
            max: Bound::No,
        },
        default: Absent::Default("`2`"),
        doc: "Multiplier K (≥ 1): the client may send up to K times what the backend accepts.",
    },
    Key {
        name: "window",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`2m`"),
        doc: "Sliding window, whole seconds (at least 1s).",
    },
];

pub const INGRESS: Section = Section {
    name: "ingress",
    def: Some("ingress"),
    doc: "Admission control of each instance, applied in this order: rate limit, accept-queue bound, concurrency limit.",
    keys: &INGRESS_KEYS,
    shape: Shape::Map,
    rules: &[Rule::NotBoth("bulkhead", "concurrency")],
    include: &[],
};

const INGRESS_KEYS: [Key; 6] = [
    Key {
        name: "max_queue",
        ty: Type::Int { min: 1, max: Some(4294967295) },
        default: Absent::Default("unbounded"),
        doc: "Requests accepted but not yet started, per instance (≥ 1); beyond it requests are shed (`shed_queue_full`). With `queue`, the bound of the admission queue: when it is full, a request of higher priority takes the place of the lowest-priority waiter.",
    },
    Key {
        name: "queue",
        ty: Type::Enum(&["fifo", "lifo", "priority", "codel", "adaptive_lifo"]),
        default: Absent::Default("none: refuse at the limit"),
        doc: "With `concurrency` or `bulkhead`: requests beyond the limit wait in an admission queue in this order (as a pool's `queue`; `codel` sheds as `shed_queue_full`) and start when a permit frees, instead of being refused. The event loop's own ready queue stays FIFO, as in asyncio and Node.",
    },
    Key {
        name: "rate_limit",
        ty: Type::Ref(&RATE_LIMIT),
        default: Absent::Default("none"),
        doc: "A token bucket per instance: a rate (`500/s`) or `{rate, burst}`; a request finding it empty is rejected (`rejected_rate_limit`). The `burst` (bucket size, ≥ 1) defaults to one second of tokens, ⌈rate × 1s⌉ and at least 1, as Guava's `SmoothBursty`. The rate must be at least 0.001/s.",
    },
    Key {
        name: "concurrency",
        ty: Type::Ref(&CONCURRENCY),
        default: Absent::Default("none"),
        doc: "Limit on the requests in service per instance: `{kind: fixed, limit}` or an adaptive limit `aimd`, `gradient2`, `vegas` (Netflix concurrency-limits; a bare kind takes every default). Not with `bulkhead`.",
    },
    Key {
        name: "bulkhead",
        ty: Type::Int { min: 1, max: Some(4294967295) },
        default: Absent::Default("none"),
        doc: "`bulkhead: 25` is short for `concurrency: { kind: fixed, limit: 25 }`; not together with `concurrency`.",
    },
    Key {
        name: "deadline",
        ty: Type::Enum(&["none", "drop_expired"]),
        default: Absent::Default("`none`"),
        doc: "`drop_expired`: when a request would start and its caller has already given up (its attempt's timeout or deadline has passed), skip its work (`dropped_expired`). `none`: serve it anyway.",
    },
];

pub const RATE_LIMIT: Section = Section {
    name: "rate_limit",
    def: Some("rateLimit"),
    doc:
        "A token bucket: `rate` tokens per second, at most `burst` of them; each request takes one.",
    keys: &RATE_LIMIT_KEYS,
    shape: Shape::Or(Type::Ref(&RATE)),
    rules: &[],
    include: &[],
};

const RATE_LIMIT_KEYS: [Key; 2] = [
    Key {
        name: "rate",
        ty: Type::Ref(&RATE),
        default: Absent::Required,
        doc: "Tokens per second (at least 0.001/s).",
    },
    Key {
        name: "burst",
        ty: Type::Int {
            min: 1,
            max: Some(4294967295),
        },
        default: Absent::Default("one second of tokens, ⌈rate × 1s⌉, at least 1"),
        doc: "Bucket size (≥ 1).",
    },
];

pub const CONCURRENCY: Section = Section {
    name: "concurrency",
    def: Some("concurrency"),
    doc: "A concurrency limit: a request is admitted while fewer than `limit` are in service.",
    keys: &CONCURRENCY_KEYS,
    shape: Shape::Or(Type::Enum(&["aimd", "gradient2", "vegas"])),
    rules: &[],
    include: &[],
};

const CONCURRENCY_KEYS: [Key; 11] = [
    Key {
        name: "kind",
        ty: Type::Enum(&["fixed", "aimd", "gradient2", "vegas"]),
        default: Absent::Required,
        doc: "`fixed`: a constant limit (a bulkhead); `aimd`, `gradient2`, `vegas`: Netflix's adaptive limits.",
    },
    Key {
        name: "limit",
        ty: Type::Int { min: 1, max: None },
        default: Absent::Nothing,
        doc: "Fixed: the limit (≥ 1, required).",
    },
    Key {
        name: "initial",
        ty: Type::Int { min: 1, max: None },
        default: Absent::Default("20"),
        doc: "Adaptive: the starting limit.",
    },
    Key {
        name: "min",
        ty: Type::Int { min: 1, max: None },
        default: Absent::Default("20 (aimd, gradient2), 1 (vegas); lowered to `initial` or `max` when those are given lower"),
        doc: "Adaptive: the lowest limit (≤ initial).",
    },
    Key {
        name: "max",
        ty: Type::Int { min: 1, max: None },
        default: Absent::Default("200 (aimd, gradient2), 1000 (vegas)"),
        doc: "Adaptive: the highest limit (≥ initial).",
    },
    Key {
        name: "backoff_ratio",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("0.9"),
        doc: "AIMD: the limit is multiplied by this on a drop, in [0.5, 1).",
    },
    Key {
        name: "timeout",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("5s"),
        doc: "AIMD: a response slower than this counts as a drop.",
    },
    Key {
        name: "smoothing",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("0.2"),
        doc: "Gradient2: smoothing of limit changes, in (0, 1].",
    },
    Key {
        name: "long_window",
        ty: Type::Int { min: 1, max: None },
        default: Absent::Default("600"),
        doc: "Gradient2: samples in the long-term RTT average (≥ 1).",
    },
    Key {
        name: "rtt_tolerance",
        ty: Type::Number { min: Bound::Incl(1.0), max: Bound::No },
        default: Absent::Default("1.5"),
        doc: "Gradient2: tolerated ratio of long to short RTT (≥ 1).",
    },
    Key {
        name: "queue_size",
        ty: Type::Int { min: 0, max: None },
        default: Absent::Default("4"),
        doc: "Gradient2: headroom added to the limit.",
    },
];

pub const FAULT: Section = Section {
    name: "fault",
    def: Some("fault"),
    doc: "A fault active over [at, at + for) (until the end of the run without `for`).",
    keys: &FAULT_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const FAULT_KEYS: [Key; 8] = [
    Key {
        name: "at",
        ty: Type::Ref(&DURATION),
        default: Absent::Required,
        doc: "When the fault starts; before the end of the run.",
    },
    Key {
        name: "for",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("until the end of the run"),
        doc: "How long it lasts (> 0). Without it, the fault lasts until the end of the run; with it, it ends at `at + for` or at the end of the run, whichever comes first. Required for `pause`.",
    },
    Key {
        name: "kind",
        ty: Type::Enum(&["slowdown", "latency", "loss", "errors", "outage", "pause", "surge", "flush"]),
        default: Absent::Required,
        doc: "`slowdown` (cpu, blocking and offload work takes `factor`× longer), `latency` (extra latency `add` on a link), `loss` (extra loss `rate` on a link), `errors` (a share `rate` of requests fail at once), `outage` (replicas down, in-flight work lost), `pause` (event loops stop, like a GC pause), `surge` (more traffic on a workload), `flush` (a cache is emptied at `at`: every instance; `for` does not apply).",
    },
    Key {
        name: "target",
        ty: Type::Text { pattern: None, min_len: 0 },
        default: Absent::Required,
        doc: "slowdown, outage, pause: a service or one replica (`api`, `api#1`, from 0); latency, loss: a link `a->b` (one way) or `a<->b` (both), ends being services or `client`; errors: a service or one endpoint (`payments/charge`); surge: a workload name; flush: a cache name.",
    },
    Key {
        name: "factor",
        ty: Type::Number { min: Bound::Excl(0.0), max: Bound::No },
        default: Absent::Nothing,
        doc: "slowdown: how many times longer work takes (> 0, required); surge: multiplier of the workload's rate (> 0).",
    },
    Key {
        name: "add",
        ty: Type::Ref(&DURATION_OR_DIST),
        default: Absent::Nothing,
        doc: "latency (required): extra one-way latency, a duration or a distribution.",
    },
    Key {
        name: "rate",
        ty: Type::AnyOf(&[Type::Ref(&PROBABILITY), Type::Ref(&RATE)]),
        default: Absent::Nothing,
        doc: "loss, errors (required): a probability (`20%`); surge: extra requests per second (`200/s`).",
    },
    Key {
        name: "worker",
        ty: Type::Int { min: 0, max: None },
        default: Absent::Default("every worker"),
        doc: "pause: only this worker of each targeted instance (from 0).",
    },
];

pub const COUNT: Section = Section::value(
    "count",
    "count",
    "A whole number of tokens (0 to 1000000000).",
    Type::Int {
        min: 0,
        max: Some(1000000000),
    },
);

pub const COUNT_DIST: Section = Section {
    name: "count_or_dist",
    def: Some("countOrDist"),
    doc: "A fixed number of tokens (e.g. `800`) or a distribution of them whose parameters are plain numbers (e.g. `{ dist: uniform, min: 100, max: 400 }`); samples are rounded to whole tokens.",
    keys: &COUNT_DIST_KEYS,
    shape: Shape::Or(Type::Ref(&COUNT)),
    rules: &[],
    include: &[],
};

const COUNT_DIST_KEYS: [Key; 9] = [
    Key {
        name: "dist",
        ty: Type::Enum(&[
            "constant",
            "exponential",
            "uniform",
            "normal",
            "lognormal",
            "pareto",
            "empirical",
        ]),
        default: Absent::Required,
        doc: "The kind of distribution, with the parameters of the duration distributions.",
    },
    Key {
        name: "value",
        ty: Type::Number {
            min: Bound::Incl(0.0),
            max: Bound::No,
        },
        default: Absent::Nothing,
        doc: "constant: the value.",
    },
    Key {
        name: "mean",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Nothing,
        doc: "exponential, normal, lognormal, pareto: the mean (> 0).",
    },
    Key {
        name: "sd",
        ty: Type::Number {
            min: Bound::Incl(0.0),
            max: Bound::No,
        },
        default: Absent::Nothing,
        doc: "normal, lognormal: the standard deviation.",
    },
    Key {
        name: "min",
        ty: Type::Number {
            min: Bound::Incl(0.0),
            max: Bound::No,
        },
        default: Absent::Nothing,
        doc: "uniform: the smallest value; pareto: alias of `scale`.",
    },
    Key {
        name: "max",
        ty: Type::Number {
            min: Bound::Incl(0.0),
            max: Bound::No,
        },
        default: Absent::Nothing,
        doc: "uniform: the largest value.",
    },
    Key {
        name: "scale",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Nothing,
        doc: "pareto: the smallest value (> 0).",
    },
    Key {
        name: "shape",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Nothing,
        doc: "pareto: the tail index (> 0).",
    },
    Key {
        name: "values",
        ty: Type::List {
            of: &Type::Number {
                min: Bound::Incl(0.0),
                max: Bound::No,
            },
            min: 1,
            max: None,
        },
        default: Absent::Nothing,
        doc: "empirical: observed counts (at least one).",
    },
];

pub const LLM: Section = Section {
    name: "llm",
    def: Some("llm"),
    doc: "A language-model call: at least one key. Every key left out is 0.",
    keys: &LLM_KEYS,
    shape: Shape::Map,
    rules: &[Rule::MinKeys(1)],
    include: &[],
};

const LLM_KEYS: [Key; 4] = [
    Key {
        name: "tokens_in",
        ty: Type::Ref(&COUNT_DIST),
        default: Absent::Default("`0`"),
        doc: "Prompt tokens sent: a [count](#distributions) (`800`) or a distribution of counts. Priced by `cost.llm.per_1k_in`.",
    },
    Key {
        name: "tokens_out",
        ty: Type::Ref(&COUNT_DIST),
        default: Absent::Default("`0`"),
        doc: "Tokens generated: a count or a distribution of counts. Priced by `cost.llm.per_1k_out`.",
    },
    Key {
        name: "first_token",
        ty: Type::Ref(&DURATION_OR_DIST),
        default: Absent::Default("`0`"),
        doc: "Duration or distribution: the time to the first token.",
    },
    Key {
        name: "per_token",
        ty: Type::Ref(&DURATION_OR_DIST),
        default: Absent::Default("`0`"),
        doc: "Duration or distribution: the time per generated token (drawn once per call).",
    },
];

pub const HEALTH: Section = Section {
    name: "health",
    def: Some("health"),
    doc: "Health recording and scoring.",
    keys: &HEALTH_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const HEALTH_KEYS: [Key; 7] = [
    Key {
        name: "tick",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`1s`; for runs longer than 20 000 s, the whole number of seconds that gives at most 20 000 ticks"),
        doc: "Granularity of the health records (> 0, at most `duration`). A run may have at most 100 000 ticks: a finer `tick` is an error whose hint gives the smallest one allowed.",
    },
    Key {
        name: "window",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("the larger of `10s` and `tick`"),
        doc: "Length of the status timeline's windows (≥ `tick`; best a multiple of it, as windows hold whole ticks).",
    },
    Key {
        name: "slow_callback",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`100ms`"),
        doc: "A loop run (the time between two awaits) longer than this is a slow callback, as asyncio's `slow_callback_duration` (> 0).",
    },
    Key {
        name: "thresholds",
        ty: Type::Ref(&THRESHOLDS),
        default: Absent::Default("the auditor's values"),
        doc: "Overrides of the auditor's score weights, status cut-offs and finding thresholds.",
    },
    Key {
        name: "collapse",
        ty: Type::Ref(&COLLAPSE),
        default: Absent::Default("the framework's values, no feedback"),
        doc: "Overrides of the collapse detector's cut-offs and throttle delays, and `feedback`.",
    },
    Key {
        name: "target",
        ty: Type::Text { pattern: None, min_len: 0 },
        default: Absent::Nothing,
        doc: "Accepted so that an async-runtime-auditor `metrics.yaml` can be pasted here unchanged: the auditor's Prometheus address. Not used by a simulation (a warning says so).",
    },
    Key {
        name: "queries",
        ty: Type::Map { names: None, not_name: None, of: &Type::Text { pattern: None, min_len: 0 }, min: 0 },
        default: Absent::Nothing,
        doc: "Accepted from an async-runtime-auditor `metrics.yaml`: its Prometheus queries by signal. Not used by a simulation, which measures the signals itself (a warning says so).",
    },
];

pub const THRESHOLDS: Section = Section {
    name: "thresholds",
    def: Some("healthThresholds"),
    doc: "The async-runtime-auditor's model: score = lag × lag_weight + blocking × blocking_weight + queue wait × queue_wait_weight + backlog × backlog_weight + peak active × active_weight (times in seconds); status from the cut-offs (degraded ≤ critical ≤ collapse_risk).",
    keys: &THRESHOLDS_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const THRESHOLDS_KEYS: [Key; 24] = [
    Key {
        name: "degraded",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("400"),
        doc: "Score from which a window is DEGRADED (> 0).",
    },
    Key {
        name: "critical",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("1200"),
        doc: "Score from which a window is CRITICAL (≥ degraded).",
    },
    Key {
        name: "collapse_risk",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("2500"),
        doc: "Score from which a window is COLLAPSE_RISK (≥ critical).",
    },
    Key {
        name: "lag_weight",
        ty: Type::Number {
            min: Bound::Incl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`1500`"),
        doc: "Score per second of maximum event-loop lag (≥ 0; 0 leaves the signal out).",
    },
    Key {
        name: "blocking_weight",
        ty: Type::Number {
            min: Bound::Incl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`400`"),
        doc: "Score per second of average blocking duration (≥ 0).",
    },
    Key {
        name: "queue_wait_weight",
        ty: Type::Number {
            min: Bound::Incl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`300`"),
        doc: "Score per second of thread-pool queue wait (≥ 0).",
    },
    Key {
        name: "backlog_weight",
        ty: Type::Number {
            min: Bound::Incl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`8`"),
        doc: "Score per thread-pool job of backlog (≥ 0).",
    },
    Key {
        name: "active_weight",
        ty: Type::Number {
            min: Bound::Incl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`1`"),
        doc: "Score per peak active request (≥ 0).",
    },
    Key {
        name: "max_event_loop_lag",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`500ms`"),
        doc: "Event-loop starvation above this lag (> 0).",
    },
    Key {
        name: "max_blocking",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`1s`"),
        doc: "Long synchronous blocking above this average blocking duration (> 0).",
    },
    Key {
        name: "max_queue_wait",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`1s`"),
        doc: "Executor queue amplification above this thread-pool queue wait (> 0).",
    },
    Key {
        name: "max_backlog",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`3`"),
        doc: "Thread-pool backlog accumulation above this many jobs (> 0).",
    },
    Key {
        name: "max_active",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`150`"),
        doc: "Load saturation (failure mode) above this many peak active requests (> 0).",
    },
    Key {
        name: "busy_active",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`100`"),
        doc: "Concurrent load saturation (finding) above this many peak active requests (> 0).",
    },
    Key {
        name: "hidden_lag",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("1s"),
        doc: "Latency hides runtime instability: lag above this… (> 0).",
    },
    Key {
        name: "hidden_p99",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("150ms"),
        doc: "…while the p99 latency is below this (> 0).",
    },
    Key {
        name: "health_score_degraded",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("400"),
        doc: "`degraded` under the auditor's name (`metrics.yaml`); give one or the other.",
    },
    Key {
        name: "health_score_critical",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("1200"),
        doc: "`critical` under the auditor's name.",
    },
    Key {
        name: "health_score_collapse",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("2500"),
        doc: "`collapse_risk` under the auditor's name.",
    },
    Key {
        name: "max_event_loop_lag_s",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`0.5`"),
        doc: "`max_event_loop_lag` under the auditor's name, in seconds as a bare number (`0.5`).",
    },
    Key {
        name: "max_blocking_duration_s",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`1.0`"),
        doc: "`max_blocking` under the auditor's name, in seconds as a bare number.",
    },
    Key {
        name: "max_queue_wait_s",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`1.0`"),
        doc: "`max_queue_wait` under the auditor's name, in seconds as a bare number.",
    },
    Key {
        name: "max_threadpool_backlog",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`3`"),
        doc: "`max_backlog` under the auditor's name.",
    },
    Key {
        name: "max_active_requests",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Default("`150`"),
        doc: "`max_active` under the auditor's name.",
    },
];

pub const COLLAPSE: Section = Section {
    name: "collapse",
    def: Some("collapse"),
    doc: "The agent-chaos-framework collapse detector, on every service with a bounded accept queue (`ingress.max_queue`): COLLAPSED when the p95 grows by more than p95_growth, or fill ≥ collapsed_fill, or (dQ/dt > dqdt and fill > dqdt_fill); DEGRADED when fill ≥ degraded_fill; STABLE otherwise.",
    keys: &COLLAPSE_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const COLLAPSE_KEYS: [Key; 8] = [
    Key {
        name: "degraded_fill",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`40%`"),
        doc: "Queue fill from which the service is DEGRADED, in (0%, 100%].",
    },
    Key {
        name: "collapsed_fill",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`85%`"),
        doc: "Queue fill from which it is COLLAPSED, in (0%, 100%], ≥ degraded_fill.",
    },
    Key {
        name: "dqdt",
        ty: Type::Ref(&RATE),
        default: Absent::Default("`15/s`"),
        doc: "Queue growth rate (jobs per second, e.g. `15/s`) above which, with fill above dqdt_fill, it is COLLAPSED.",
    },
    Key {
        name: "dqdt_fill",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`60%`"),
        doc: "The fill above which the growth rate counts, in [0%, 100%].",
    },
    Key {
        name: "p95_growth",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`100%`"),
        doc: "Growth of the p95 latency between two ticks above which it is COLLAPSED (> 0; `100%` = doubling).",
    },
    Key {
        name: "throttle_degraded",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`20ms`"),
        doc: "Throttle delay of the producers while DEGRADED.",
    },
    Key {
        name: "throttle_collapsed",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("`100ms`"),
        doc: "Throttle delay while COLLAPSED (at least `throttle_degraded`).",
    },
    Key {
        name: "feedback",
        ty: Type::Bool,
        default: Absent::Default("`false`"),
        doc: "`true`: the throttle delay is fed back to the closed-loop users of the service (their think time grows by it), as the framework does for its producers. A warning when no service has a bounded queue.",
    },
];

pub const SLO: Section = Section {
    name: "slo",
    def: Some("slo"),
    doc: "A service-level objective: `latency` or `error_rate`.",
    keys: &SLO_KEYS,
    shape: Shape::Map,
    rules: &[Rule::OneOf(&["latency", "error_rate"])],
    include: &[],
};

const SLO_KEYS: [Key; 3] = [
    Key {
        name: "name",
        ty: Type::Text { pattern: None, min_len: 1 },
        default: Absent::Required,
        doc: "Unique: reports refer to objectives by name.",
    },
    Key {
        name: "latency",
        ty: Type::Text { pattern: Some(r#"^\s*[pP][0-9.]+\s*(<=|≤|<)\s*\S+\s*$"#), min_len: 0 },
        default: Absent::Nothing,
        doc: "`pNN < DURATION`: that percentile of requests *succeed* within the threshold, e.g. `p99 < 300ms` (99% of requests succeed within 300 ms; a failed request is never good). The percentile is in (0, 100), fractions allowed (`p99.9`); `<`, `<=` and `≤` mean the same (a request is good when its latency is at most the threshold).",
    },
    Key {
        name: "error_rate",
        ty: Type::AnyOf(&[Type::Number { min: Bound::Excl(0.0), max: Bound::Excl(1.0) }, Type::Text { pattern: Some(r#"^\s*(<=|≤|<)?\s*\+?[0-9.][0-9_.]*([eE][+-]?[0-9]+)?%?\s*$"#), min_len: 0 }]),
        default: Absent::Nothing,
        doc: "The largest share of failed requests, in (0%, 100%): `< 0.1%`, `<= 1%`, or just `0.1%` or `0.001`.",
    },
];

pub const PRICE: Section = Section::value(
    "price",
    "price",
    "An amount in currency units, without a symbol (≥ 0, at most 1e12).",
    Type::Number {
        min: Bound::Incl(0.0),
        max: Bound::Incl(1000000000000.0),
    },
);

pub const COST: Section = Section {
    name: "cost",
    def: Some("cost"),
    doc: "Prices; every key left out is 0.",
    keys: &COST_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const COST_KEYS: [Key; 4] = [
    Key {
        name: "per_request",
        ty: Type::Ref(&PRICE),
        default: Absent::Default("0"),
        doc: "Per request served.",
    },
    Key {
        name: "per_cpu_second",
        ty: Type::Ref(&PRICE),
        default: Absent::Default("0"),
        doc: "Per second of CPU time: loop-held time (`cpu`, `blocking`) and thread-pool jobs (`offload`).",
    },
    Key {
        name: "per_instance_hour",
        ty: Type::Ref(&PRICE),
        default: Absent::Default("0"),
        doc: "Per hour of each instance (replica) alive.",
    },
    Key {
        name: "llm",
        ty: Type::Ref(&LLM_PRICES),
        default: Absent::Default("free (a warning when the scenario has `llm` steps)"),
        doc: "`{ per_1k_in, per_1k_out }`: per 1000 prompt tokens and per 1000 generated tokens of the `llm` steps.",
    },
];

pub const LLM_PRICES: Section = Section {
    name: "llm_prices",
    def: Some("llmPrices"),
    doc: "Token prices.",
    keys: &LLM_PRICES_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const LLM_PRICES_KEYS: [Key; 2] = [
    Key {
        name: "per_1k_in",
        ty: Type::Ref(&PRICE),
        default: Absent::Default("0"),
        doc: "Per 1000 prompt tokens (`tokens_in`).",
    },
    Key {
        name: "per_1k_out",
        ty: Type::Ref(&PRICE),
        default: Absent::Default("0"),
        doc: "Per 1000 generated tokens (`tokens_out`).",
    },
];

pub const BUDGET: Section = Section {
    name: "budget",
    def: Some("budget"),
    doc: "cloudcircuit's budget guards on the spend of each health tick.",
    keys: &BUDGET_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const BUDGET_KEYS: [Key; 7] = [
    Key {
        name: "limit",
        ty: Type::Number { min: Bound::Excl(0.0), max: Bound::Incl(1000000000000.0) },
        default: Absent::Required,
        doc: "The budget (> 0, at most 1e12), in the currency of `cost`.",
    },
    Key {
        name: "period",
        ty: Type::Ref(&DURATION),
        default: Absent::Default("the run's duration"),
        doc: "The budget's period, for the linear spend forecast (> 0).",
    },
    Key {
        name: "warning",
        ty: Type::Ref(&RATIO),
        default: Absent::Default("`90%`"),
        doc: "Share of the limit that raises a warning, in (0%, 100%].",
    },
    Key {
        name: "spike",
        ty: Type::Ref(&SPIKE),
        default: Absent::Default("`mean`, ×1.5"),
        doc: "`mean`: latest > max(mean, `min_baseline`) × `multiplier` (`multiplier` > 1, default 1.5; `min_baseline` ≥ 0, default 0). `robust`: latest > median + `z` × MAD / 0.6745 (`z` > 0, default 3.5). Write `spike: robust` for the defaults, or `{ method: robust, z: 3 }`.",
    },
    Key {
        name: "burn_threshold",
        ty: Type::Number { min: Bound::Excl(0.0), max: Bound::No },
        default: Absent::Default("`1.4`"),
        doc: "Spend trend alert: latest tick ÷ mean of the previous ones at or above this (> 0).",
    },
    Key {
        name: "history",
        ty: Type::Int { min: 2, max: Some(1000000) },
        default: Absent::Default("`30`"),
        doc: "Points (pools of at least 100 requests) the spike and burn tests look at, the latest included (at least 2).",
    },
    Key {
        name: "action",
        ty: Type::Ref(&BUDGET_ACTION),
        default: Absent::Default("`alert`"),
        doc: "`alert`: report only. `throttle`: throttle new requests on a warning, spike or breach. `block`: throttle on a warning or spike, refuse new requests once breached (`rejected_budget`). `{ block: service/endpoint }`: the same, only for that endpoint (which must exist; just `service` when it has one endpoint).",
    },
];

pub const SPIKE: Section = Section {
    name: "spike",
    def: Some("spike"),
    doc: "A spike test.",
    keys: &SPIKE_KEYS,
    shape: Shape::Or(Type::Enum(&["mean", "robust"])),
    rules: &[],
    include: &[],
};

const SPIKE_KEYS: [Key; 4] = [
    Key {
        name: "method",
        ty: Type::Enum(&["mean", "robust"]),
        default: Absent::Default("mean"),
        doc: "`mean`: latest > max(mean, min_baseline) × multiplier (cloudcircuit); `robust`: latest > median + z × MAD / 0.6745.",
    },
    Key {
        name: "multiplier",
        ty: Type::Number { min: Bound::Excl(1.0), max: Bound::No },
        default: Absent::Default("1.5"),
        doc: "mean: the multiplier (> 1).",
    },
    Key {
        name: "min_baseline",
        ty: Type::Ref(&PRICE),
        default: Absent::Default("0"),
        doc: "mean: the smallest baseline (≥ 0).",
    },
    Key {
        name: "z",
        ty: Type::Number { min: Bound::Excl(0.0), max: Bound::No },
        default: Absent::Default("3.5"),
        doc: "robust: the number of deviations (> 0).",
    },
];

pub const BUDGET_ACTION: Section = Section {
    name: "budget_action",
    def: Some("budgetAction"),
    doc: "What the engine enforces.",
    keys: &BUDGET_ACTION_KEYS,
    shape: Shape::Or(Type::Enum(&["alert", "throttle", "block"])),
    rules: &[],
    include: &[],
};

const BUDGET_ACTION_KEYS: [Key; 1] = [Key {
    name: "block",
    ty: Type::Text {
        pattern: None,
        min_len: 0,
    },
    default: Absent::Required,
    doc: "The endpoint to block: `service/endpoint` (just `service` when it has one endpoint).",
}];

pub const NETWORK: Section = Section {
    name: "network",
    def: Some("network"),
    doc: "The network between nodes: the client (workload side) and every service.",
    keys: &NETWORK_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const NETWORK_KEYS: [Key; 4] = [
    Key {
        name: "latency",
        ty: Type::Ref(&DURATION_OR_DIST),
        default: Absent::Default("`0`"),
        doc: "Duration or distribution: one-way latency of every hop (client → service, service → service, and back).",
    },
    Key {
        name: "loss",
        ty: Type::Ref(&PROBABILITY),
        default: Absent::Default("`0`"),
        doc: "Probability that a one-way message is lost; the request then fails as `loss`.",
    },
    Key {
        name: "links",
        ty: Type::List { of: &Type::Ref(&LINK), min: 0, max: None },
        default: Absent::Default("none"),
        doc: "Overrides for the hops between two nodes (both directions).",
    },
    Key {
        name: "bandwidth",
        ty: Type::Ref(&BANDWIDTH),
        default: Absent::Default("unlimited"),
        doc: "Bandwidth of every hop, each direction on its own (e.g. `1Gbps`): the payloads crossing it share it fairly (processor sharing, as TCP flows share a bottleneck). See [payloads and bandwidth](#payloads-and-bandwidth).",
    },
];

pub const LINK: Section = Section {
    name: "link",
    def: Some("link"),
    doc: "Latency and loss between two nodes, in both directions.",
    keys: &LINK_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const LINK_KEYS: [Key; 5] = [
    Key {
        name: "between",
        ty: Type::List { of: &Type::Text { pattern: None, min_len: 0 }, min: 2, max: Some(2) },
        default: Absent::Required,
        doc: "Two nodes: service names, queue names (a queue's broker) or `client`, e.g. `[gateway, payments]` or `[api, orders]`. Applies in both directions.",
    },
    Key {
        name: "latency",
        ty: Type::Ref(&DURATION_OR_DIST),
        default: Absent::Default("the network's `latency`"),
        doc: "One-way latency on this link.",
    },
    Key {
        name: "loss",
        ty: Type::Ref(&PROBABILITY),
        default: Absent::Default("the network's `loss`"),
        doc: "Loss probability on this link.",
    },
    Key {
        name: "bandwidth",
        ty: Type::Ref(&BANDWIDTH),
        default: Absent::Default("the network's `bandwidth`"),
        doc: "Bandwidth of this link, each direction on its own (e.g. `100Mbps`).",
    },
    Key {
        name: "one_way",
        ty: Type::Bool,
        default: Absent::Default("`false`"),
        doc: "Only the hops from the first node of `between` to the second; the other direction keeps the network's settings or a one-way link of its own (a request and its answer can then cross different latencies, as AsyncFlow's edges do).",
    },
];

pub const DIST_CONSTANT: Section = Section {
    name: "constant",
    def: None,
    doc: "Always `value`: the same as writing the duration itself.",
    keys: &DIST_CONSTANT_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const DIST_CONSTANT_KEYS: [Key; 1] = [Key {
    name: "value",
    ty: Type::Ref(&DURATION),
    default: Absent::Required,
    doc: "The value.",
}];

pub const DIST_EXPONENTIAL: Section = Section {
    name: "exponential",
    def: None,
    doc: "Exponential (memoryless) durations: the classic service time of queueing theory.",
    keys: &DIST_EXPONENTIAL_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const DIST_EXPONENTIAL_KEYS: [Key; 1] = [Key {
    name: "mean",
    ty: Type::Ref(&DURATION),
    default: Absent::Required,
    doc: "Mean duration (> 0).",
}];

pub const DIST_UNIFORM: Section = Section {
    name: "uniform",
    def: None,
    doc: "Uniform between `min` and `max` (0 ≤ min ≤ max).",
    keys: &DIST_UNIFORM_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const DIST_UNIFORM_KEYS: [Key; 2] = [
    Key {
        name: "min",
        ty: Type::Ref(&DURATION),
        default: Absent::Required,
        doc: "Smallest duration (≤ max).",
    },
    Key {
        name: "max",
        ty: Type::Ref(&DURATION),
        default: Absent::Required,
        doc: "Largest duration.",
    },
];

pub const DIST_NORMAL: Section = Section {
    name: "normal",
    def: None,
    doc: "Normal, truncated at zero: negative draws are redrawn.",
    keys: &DIST_NORMAL_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const DIST_NORMAL_KEYS: [Key; 2] = [
    Key {
        name: "mean",
        ty: Type::Ref(&DURATION),
        default: Absent::Required,
        doc: "Mean before truncation (> 0).",
    },
    Key {
        name: "sd",
        ty: Type::Ref(&DURATION),
        default: Absent::Required,
        doc: "Standard deviation.",
    },
];

pub const DIST_LOGNORMAL: Section = Section {
    name: "lognormal",
    def: None,
    doc:
        "Lognormal, given by its *real* mean and standard deviation (not μ and σ of the logarithm).",
    keys: &DIST_LOGNORMAL_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const DIST_LOGNORMAL_KEYS: [Key; 2] = [
    Key {
        name: "mean",
        ty: Type::Ref(&DURATION),
        default: Absent::Required,
        doc: "Mean (> 0).",
    },
    Key {
        name: "sd",
        ty: Type::Ref(&DURATION),
        default: Absent::Required,
        doc: "Standard deviation.",
    },
];

pub const DIST_PARETO: Section = Section {
    name: "pareto",
    def: None,
    doc: "Pareto (type I), heavy-tailed: give `scale` (or its alias `min`), or `mean` with `shape` > 1 (then scale = mean (shape − 1) / shape).",
    keys: &DIST_PARETO_KEYS,
    shape: Shape::Map,
    rules: &[Rule::OneOf(&["scale", "min", "mean"])],
    include: &[],
};

const DIST_PARETO_KEYS: [Key; 4] = [
    Key {
        name: "scale",
        ty: Type::Ref(&DURATION),
        default: Absent::Nothing,
        doc: "Minimum duration (> 0).",
    },
    Key {
        name: "min",
        ty: Type::Ref(&DURATION),
        default: Absent::Nothing,
        doc: "Alias of `scale`.",
    },
    Key {
        name: "mean",
        ty: Type::Ref(&DURATION),
        default: Absent::Nothing,
        doc: "Mean duration (> 0); requires `shape` > 1.",
    },
    Key {
        name: "shape",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Required,
        doc: "Tail index α (> 0; the mean is finite only when α > 1).",
    },
];

pub const DIST_EMPIRICAL: Section = Section {
    name: "empirical",
    def: None,
    doc: "Each draw picks one of the observed `values` uniformly.",
    keys: &DIST_EMPIRICAL_KEYS,
    shape: Shape::Map,
    rules: &[],
    include: &[],
};

const DIST_EMPIRICAL_KEYS: [Key; 1] = [Key {
    name: "values",
    ty: Type::List {
        of: &Type::Ref(&DURATION),
        min: 1,
        max: None,
    },
    default: Absent::Required,
    doc: "Observed durations (at least one).",
}];

pub const BANDWIDTH: Section = Section::value("bandwidth", "bandwidth", "A bandwidth: bits per second with `bps`, `Kbps`, `Mbps`, `Gbps`, `Tbps` (e.g. `100Mbps`, `1Gbps`) or bytes per second with a size unit and `/s` (e.g. `10MB/s`, `1GiB/s`). A unit is required.", Type::Text { pattern: Some(r#"^\+?[0-9.][0-9_.]*([eE][+-]?[0-9]+)?(bps|Kbps|kbps|Mbps|Gbps|Tbps|B/s|KB/s|kB/s|MB/s|GB/s|TB/s|KiB/s|MiB/s|GiB/s|TiB/s)$"#), min_len: 0 });

/// A payload size: a size literal or a distribution whose parameters are sizes.
pub const SIZE_OR_DIST: Section = Section {
    name: "size_or_dist",
    def: Some("sizeOrDist"),
    doc: "A fixed size (e.g. `2MB`) or a distribution of sizes whose parameters are sizes (e.g. `{ dist: exponential, mean: 1MB }`, `{ dist: lognormal, mean: 200KB, sd: 400KB }`); samples are rounded to whole bytes.",
    keys: &SIZE_DIST_KEYS,
    shape: Shape::Or(Type::Ref(&SIZE)),
    rules: &[],
    include: &[],
};

const SIZE_DIST_KEYS: [Key; 9] = [
    Key {
        name: "dist",
        ty: Type::Enum(&[
            "constant",
            "exponential",
            "uniform",
            "normal",
            "lognormal",
            "pareto",
            "empirical",
        ]),
        default: Absent::Required,
        doc: "The kind of distribution, with the parameters of the duration distributions.",
    },
    Key {
        name: "value",
        ty: Type::Ref(&SIZE),
        default: Absent::Nothing,
        doc: "constant: the size.",
    },
    Key {
        name: "mean",
        ty: Type::Ref(&SIZE),
        default: Absent::Nothing,
        doc: "exponential, normal, lognormal, pareto: the mean (> 0).",
    },
    Key {
        name: "sd",
        ty: Type::Ref(&SIZE),
        default: Absent::Nothing,
        doc: "normal, lognormal: the standard deviation.",
    },
    Key {
        name: "min",
        ty: Type::Ref(&SIZE),
        default: Absent::Nothing,
        doc: "uniform: the smallest size; pareto: alias of `scale`.",
    },
    Key {
        name: "max",
        ty: Type::Ref(&SIZE),
        default: Absent::Nothing,
        doc: "uniform: the largest size.",
    },
    Key {
        name: "scale",
        ty: Type::Ref(&SIZE),
        default: Absent::Nothing,
        doc: "pareto: the smallest size (> 0).",
    },
    Key {
        name: "shape",
        ty: Type::Number {
            min: Bound::Excl(0.0),
            max: Bound::No,
        },
        default: Absent::Nothing,
        doc: "pareto: the tail index (> 0).",
    },
    Key {
        name: "values",
        ty: Type::List {
            of: &Type::Ref(&SIZE),
            min: 1,
            max: None,
        },
        default: Absent::Nothing,
        doc: "empirical: observed sizes (at least one).",
    },
];

/// An endpoint written as a mapping: its steps and the size of its answers.
pub const ENDPOINT: Section = Section {
    name: "endpoint",
    def: Some("endpoint"),
    doc: "An endpoint with a payload: `{ steps: [...], response_size: 2MB }`. The plain form (a list of steps) answers with no payload.",
    keys: &[
        Key {
            name: "steps",
            ty: Type::List { of: &Type::Ref(&STEP), min: 1, max: None },
            default: Absent::Required,
            doc: "The endpoint's steps, run in order.",
        },
        Key {
            name: "response_size",
            ty: Type::Ref(&SIZE_OR_DIST),
            default: Absent::Default("none (no payload)"),
            doc: "Size or size distribution of each successful answer's body: it crosses the hop back to the caller over the [bandwidth](#payloads-and-bandwidth). Failed answers carry none.",
        },
    ],
    shape: Shape::Map,
    rules: &[],
    include: &[],
};
