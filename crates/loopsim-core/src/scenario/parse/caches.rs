//! Reading `caches:` and the cache steps: a `cache:` block becomes one step program —
//! `CacheLookup`, the `hit` steps, a `Jump` past the block, the `miss` steps, `CacheStore` —
//! and `invalidate:` a single `CacheInvalidate` step. Caches are read before the services so
//! that steps can name them.

use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;

use super::flow::Program;
use super::text::list;
use super::values::Fields;
use super::{Reader, ServiceTable};
use crate::diag::Span;
use crate::scenario::keys;
use crate::scenario::model::*;
use crate::yaml::{Node, NodeKind};

const POLICIES: &[(&str, EvictionPolicy)] = &[
    ("lru", EvictionPolicy::Lru),
    ("lfu", EvictionPolicy::Lfu),
    ("fifo", EvictionPolicy::Fifo),
    ("random", EvictionPolicy::Random),
];

const SCOPES: &[(&str, CacheScope)] = &[
    ("shared", CacheScope::Shared),
    ("replica", CacheScope::Replica),
];

const CACHES_EXAMPLE: &str =
    "caches by name, e.g. `caches: { urls: { capacity: 100000, policy: lru, ttl: 10m } }`";
const KEYS_EXAMPLE: &str = "e.g. `keys: { count: 1000000, zipf: 0.99 }`";
const CACHE_EXAMPLE: &str = "e.g. `- cache: urls` with `keys: { count: 1000000, zipf: 0.99 }`, `hit: [ { call: redis } ]`, `miss: [ { call: db/get } ]`";

/// Most entries of every cache instance together (capacity × instances): about 64 bytes each
/// once filled (the entry and its share of the index), so at most about 1.3 GB.
pub(super) const MAX_CACHE_ENTRIES: u64 = 20_000_000;

impl Reader<'_> {
    /// `caches: { NAME: { capacity, policy, ttl, scope } }`.
    pub(super) fn read_caches(&mut self, node: Option<&Node>) -> Vec<CacheSpec> {
        let mut out = Vec::new();
        let Some(node) = node else {
            return out;
        };
        let Some(f) = self.hinted(CACHES_EXAMPLE, |r| r.map(node, "`caches`")) else {
            return out;
        };
        for &(name, key, value) in &f.entries {
            if name.is_empty() || name.contains(['/', '#']) || name.contains(char::is_whitespace) {
                self.error_hint(
                    key.span,
                    format!("invalid cache name `{name}`"),
                    "use a plain name such as `urls` (no `/`, `#` or spaces)",
                );
            }
            // A cache declared with a mistake still exists, so its steps do not also report
            // an unknown name (the scenario is refused anyway).
            let mut spec = CacheSpec {
                name: name.to_string(),
                capacity: 1,
                policy: EvictionPolicy::Lru,
                ttl: None,
                scope: CacheScope::Shared,
                span: key.span,
            };
            let what = format!("cache `{name}`");
            if let Some(c) = self.fields(value, &what, &keys::CACHE) {
                self.cache_settings(&c, &what, &mut spec);
            }
            out.push(spec);
        }
        out
    }

    fn cache_settings(&mut self, c: &Fields, what: &str, spec: &mut CacheSpec) {
        let hint = "the entries of each instance, 1 to 10000000, e.g. `capacity: 100000`";
        if let Some(n) = self.hinted(hint, |r| r.required(c, "capacity", what)) {
            spec.capacity = self
                .hinted(hint, |r| r.integer(n, "`capacity`", 1, 10_000_000))
                .map_or(1, |v| v as u32);
        }
        if let Some(n) = c.get("policy") {
            spec.policy = self
                .hinted(
                    "`lru` (least recently used), `lfu` (least frequently used), `fifo` (oldest stored) or `random`",
                    |r| r.choice(n, "`policy`", POLICIES),
                )
                .unwrap_or(EvictionPolicy::Lru);
        }
        if let Some(n) = c.get("ttl") {
            spec.ttl = self.hinted(
                "how long an entry stays valid, e.g. `ttl: 10m`; leave it out for entries that never expire",
                |r| r.positive_duration(n, "`ttl`"),
            );
        }
        if let Some(n) = c.get("scope") {
            spec.scope = self
                .hinted(
                    "`shared` (one instance for everyone, like Redis) or `replica` (one per replica, in-process)",
                    |r| r.choice(n, "`scope`", SCOPES),
                )
                .unwrap_or(CacheScope::Shared);
        }
    }

    /// The cache named `name`, or a diagnostic with the names that exist.
    pub(super) fn cache_named(&mut self, name: &str, span: Span) -> Option<CacheId> {
        if let Some(i) = self.caches.iter().position(|c| c.name == name) {
            return Some(i as CacheId);
        }
        let names: Vec<&str> = self.caches.iter().map(|c| c.name.as_str()).collect();
        let suggestion = self.did_you_mean(name, &names);
        let fix = self.fix(span, name, suggestion);
        let hint = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None if names.is_empty() => {
                "declare it at the top level: `caches: { urls: { capacity: 100000 } }`".to_string()
            }
            None => format!("the caches: {}", list(&names)),
        };
        self.error_fix(span, format!("no cache `{name}`"), hint, fix);
        None
    }

    /// `keys: { count, zipf }`.
    pub(super) fn key_space(&mut self, f: &Fields, what: &str) -> Option<KeySpace> {
        let node = self.hinted(KEYS_EXAMPLE, |r| r.required(f, "keys", what))?;
        let k = self.hinted(KEYS_EXAMPLE, |r| r.fields(node, "`keys`", &keys::KEYS))?;
        let count = self
            .hinted(KEYS_EXAMPLE, |r| r.required(&k, "count", "`keys`"))
            .and_then(|n| {
                self.hinted("how many distinct keys, 1 to 10^12", |r| {
                    r.integer(n, "`count`", 1, 1_000_000_000_000)
                })
            });
        let zipf = match k.get("zipf") {
            Some(n) => self.real(n, "`zipf`").and_then(|v| {
                self.hinted(
                    "the Zipf exponent: 0 (uniform) to 10, typically 0.7 to 1.2",
                    |r| r.check_value(n, "`zipf`", v, (0.0..=10.0).contains(&v), "0 to 10"),
                )
            }),
            None => Some(0.0),
        };
        Some(KeySpace {
            count: count?,
            zipf: zipf?,
        })
    }

    /// `- invalidate: NAME` with `keys`.
    pub(super) fn invalidate_step(&mut self, f: &Fields, value: &Node) -> Option<Step> {
        let name = self.text(value, "`invalidate`");
        let cache = name.and_then(|n| self.cache_named(n, value.span));
        let keys = self.key_space(f, "an `invalidate` step");
        Some(Step::CacheInvalidate {
            cache: cache?,
            keys: keys?,
        })
    }

    /// `- cache: NAME` with `keys`, `hit`, `miss`, `coalesce`.
    pub(super) fn cache_block<'n>(
        &mut self,
        f: &Fields<'n>,
        value: &'n Node,
        table: &ServiceTable,
        prog: &mut Program<'_, 'n>,
    ) {
        let name = self.hinted(CACHE_EXAMPLE, |r| r.text(value, "`cache`"));
        let cache = name.and_then(|n| self.cache_named(n, value.span));
        let keys = self.key_space(f, "a `cache` step");
        let coalesce = match f.get("coalesce") {
            Some(n) => self.boolean(n, "`coalesce`"),
            None => Some(false),
        };
        if prog.caching {
            self.error_hint(
                value.span,
                "a `cache` step inside the `miss` steps of another `cache` step",
                "put the inner cache in an endpoint of its own and `call` it from the `miss` steps (a two-level cache)",
            );
        }
        let at = prog.steps.len();
        prog.steps.push(Step::BranchEnd); // replaced by the lookup below
        if let Some(hit) = f.get("hit") {
            self.arm(hit, "`hit`", table, prog);
        }
        let jump = prog.steps.len();
        prog.steps.push(Step::Jump(0));
        let miss = prog.steps.len() as StepIndex;
        if let Some(steps) = f.get("miss") {
            let outer = core::mem::replace(&mut prog.caching, true);
            self.arm(steps, "`miss`", table, prog);
            prog.caching = outer;
        }
        let (Some(cache), Some(keys), Some(coalesce)) = (cache, keys, coalesce) else {
            return;
        };
        prog.steps.push(Step::CacheStore(cache));
        let after = prog.steps.len() as StepIndex;
        prog.steps[jump] = Step::Jump(after);
        prog.steps[at] = Step::CacheLookup(alloc::boxed::Box::new(CacheLookup {
            cache,
            keys,
            miss,
            after,
            coalesce,
        }));
    }

    /// A `hit` or `miss` list of steps (empty or `null`: none).
    fn arm<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        table: &ServiceTable,
        prog: &mut Program<'_, 'n>,
    ) {
        match &node.kind {
            NodeKind::Null => {}
            NodeKind::Seq(_) => {
                prog.depth += 1;
                self.block(node, table, prog);
                prog.depth -= 1;
            }
            _ => self.error_hint(
                node.span,
                format!("{what} must be a list of steps, found {}", node.describe()),
                "a list such as `[ { call: db/get } ]`, or `[]` for none",
            ),
        }
    }
}

impl Reader<'_> {
    /// Entries of every cache instance together (capacity × instances, a replica cache having
    /// one per replica of each service using it) stay under [`MAX_CACHE_ENTRIES`].
    pub(super) fn check_cache_memory(&mut self, table: &ServiceTable) {
        let mut total: u64 = 0;
        for (id, spec) in self.caches.iter().enumerate() {
            let users = table.services.iter().enumerate().filter(|(s, _)| {
                table.endpoints.iter().any(|e| {
                    e.service as usize == *s
                        && e.steps.iter().any(|step| match step {
                            Step::CacheLookup(l) => l.cache as usize == id,
                            Step::CacheInvalidate { cache, .. } => *cache as usize == id,
                            _ => false,
                        })
                })
            });
            let instances: u64 = match spec.scope {
                CacheScope::Shared => 1,
                CacheScope::Replica => users.map(|(_, s)| u64::from(s.replicas)).sum(),
            };
            total += u64::from(spec.capacity) * instances;
        }
        if total > MAX_CACHE_ENTRIES {
            let span = self.caches.first().map_or(Span::default(), |c| c.span);
            self.error_hint(
                span,
                format!(
                    "the caches hold up to {total} entries in all (capacity × instances; the limit is {MAX_CACHE_ENTRIES})"
                ),
                "lower `capacity`, or use `scope: shared` for a cache used by many replicas",
            );
        }
    }
}
