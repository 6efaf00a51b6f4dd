//! JSON Schema (draft 2020-12) of scenario format v1.
//!
//! Editors use it for completion and hover documentation, so every property carries a
//! `description`. It mirrors what `scenario::check` accepts; the parser's own diagnostics stay
//! authoritative (units, cross-references and limits cannot all be expressed here). A test in
//! the parser checks that every key it accepts is listed here.

/// The scenario JSON Schema, as JSON text.
pub const SCENARIO_SCHEMA: &str = r##"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://loopsim.invalid/schema/scenario-v1.json",
  "title": "loopsim scenario (format v1)",
  "description": "A simulated system: services made of event loops and thread pools, the workloads that drive them, and the network between them.",
  "type": "object",
  "required": ["version", "duration", "workload", "services"],
  "additionalProperties": false,
  "properties": {
    "version": {
      "description": "Scenario format version. Must be 1.",
      "const": 1
    },
    "name": {
      "description": "Human-readable name of the scenario, shown in reports. Default: \"Untitled\".",
      "type": "string"
    },
    "description": {
      "description": "Free text describing the scenario. Default: empty.",
      "type": "string"
    },
    "seed": {
      "description": "Seed of the random number generator: the same scenario and seed always give the same results. Default: 1.",
      "type": "integer",
      "minimum": 0
    },
    "duration": {
      "description": "Simulated time to run, e.g. `600s` or `5m`. At most 30 days.",
      "$ref": "#/$defs/duration"
    },
    "warmup": {
      "description": "Initial period excluded from the statistics, e.g. `30s`. Must be shorter than `duration`. Default: 0.",
      "$ref": "#/$defs/duration"
    },
    "sample_every": {
      "description": "Interval between two points of the time series, e.g. `1s`. Default: the smallest of 100ms, 200ms, 500ms, 1s, 2s, 5s, 10s, 15s, 30s, 1m, 2m, 5m, 10m, 15m, 30m, 1h, 2h, 3h, 6h, 12h, 1 day (then whole days) that gives at most 600 points. At most 100000 points.",
      "$ref": "#/$defs/duration"
    },
    "max_in_flight": {
      "description": "Safety valve: the run stops (and the report says so) when this many requests are in flight at once. Default: 1000000.",
      "type": "integer",
      "minimum": 1,
      "maximum": 4294967295
    },
    "workload": {
      "description": "Sources of requests (at least one).",
      "type": "array",
      "minItems": 1,
      "items": { "$ref": "#/$defs/workload" }
    },
    "services": {
      "description": "Services by name (at least one). Names may not contain `/` or be `client`.",
      "type": "object",
      "minProperties": 1,
      "propertyNames": { "pattern": "^[^/\\s]+$", "not": { "const": "client" } },
      "additionalProperties": { "$ref": "#/$defs/service" }
    },
    "network": {
      "description": "Latency and loss of the hops between the client and the services. Default: no latency, no loss.",
      "$ref": "#/$defs/network"
    },
    "faults": {
      "description": "Faults injected on a timeline (file order): slowdowns, link latency and loss, errors, outages, pauses and traffic surges. Default: none. At most 1000.",
      "type": "array",
      "items": { "$ref": "#/$defs/fault" }
    },
    "health": {
      "description": "How the runtime's health is recorded and scored (async-runtime-auditor model) and how bounded queues are watched for collapse (agent-chaos-framework model). Default: every key's default.",
      "$ref": "#/$defs/health"
    },
    "slo": {
      "description": "Service-level objectives on the requests of every workload, evaluated over the measured window with error budgets and burn-rate alerts. Names must be unique. Default: none. At most 100.",
      "type": "array",
      "items": { "$ref": "#/$defs/slo" }
    },
    "slo_period": {
      "description": "The SLO period the burn-rate alert windows are scaled to (the SRE workbook's are for 30 days), e.g. `30d`. Default: the measured window.",
      "$ref": "#/$defs/duration"
    },
    "cost": {
      "description": "Prices, in currency units (no symbol): what requests, CPU time, instance time and LLM tokens cost. Default: no cost accounting.",
      "$ref": "#/$defs/cost"
    },
    "budget": {
      "description": "A spending budget watched tick by tick (cloudcircuit): warning, breach, spikes, burn rate, forecast, and what to do about them. Requires `cost`. Default: none.",
      "$ref": "#/$defs/budget"
    }
  },
  "$defs": {
    "duration": {
      "description": "A duration: a number with a unit (`ns`, `us` or `µs`, `ms`, `s`, `m` or `min`, `h`, `d`), e.g. `2ms`, `1.5s`, `5m`, `30d`; a bare number is seconds.",
      "anyOf": [
        { "type": "number", "minimum": 0 },
        { "type": "string", "pattern": "^\\+?[0-9][0-9_]*(\\.[0-9]*)?([eE][+-]?[0-9]+)?(ns|us|µs|μs|ms|s|m|min|h|d)?$" },
        { "type": "string", "pattern": "^\\+?\\.[0-9]+([eE][+-]?[0-9]+)?(ns|us|µs|μs|ms|s|m|min|h|d)?$" }
      ]
    },
    "rate": {
      "description": "A request rate: `80/s` (or `/sec`), `300/min` (or `/m`), `2/h`; a bare number is per second. At most 10000000 per second.",
      "anyOf": [
        { "type": "number", "minimum": 0 },
        { "type": "string", "pattern": "^\\+?[0-9.][0-9_.]*([eE][+-]?[0-9]+)?(/s|/sec|/m|/min|/h)?$" }
      ]
    },
    "size": {
      "description": "A size in bytes: `B`, `KB`, `MB`, `GB`, `TB` (powers of 1000) or `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024), e.g. `2GB`; a bare number is bytes.",
      "anyOf": [
        { "type": "integer", "minimum": 1 },
        { "type": "string", "pattern": "^\\+?[0-9.][0-9_.]*([eE][+-]?[0-9]+)?(B|KB|kB|MB|GB|TB|KiB|MiB|GiB|TiB)?$" }
      ]
    },
    "probability": {
      "description": "A probability: a number between 0 and 1 (`0.001`) or a percentage (`0.1%`).",
      "anyOf": [
        { "type": "number", "minimum": 0, "maximum": 1 },
        { "type": "string", "pattern": "^\\+?[0-9.][0-9_.]*([eE][+-]?[0-9]+)?%?$" }
      ]
    },
    "ratio": {
      "description": "A ratio: a percentage (`10%`) or a plain number (`0.1`).",
      "anyOf": [
        { "type": "number", "minimum": 0 },
        { "type": "string", "pattern": "^\\+?[0-9.][0-9_.]*([eE][+-]?[0-9]+)?%?$" }
      ]
    },
    "durationOrDist": {
      "description": "A fixed duration (e.g. `2ms`) or a distribution of durations (e.g. `{ dist: exponential, mean: 10ms }`).",
      "anyOf": [
        { "$ref": "#/$defs/duration" },
        { "$ref": "#/$defs/dist" }
      ]
    },
    "dist": {
      "description": "A distribution of durations. Every parameter except the pareto `shape` is a duration.",
      "type": "object",
      "required": ["dist"],
      "properties": {
        "dist": {
          "description": "The kind of distribution.",
          "enum": ["constant", "exponential", "uniform", "normal", "lognormal", "pareto", "empirical"]
        }
      },
      "oneOf": [
        {
          "description": "Always the same value.",
          "properties": {
            "dist": { "const": "constant", "description": "Always `value`." },
            "value": { "description": "The value.", "$ref": "#/$defs/duration" }
          },
          "required": ["value"],
          "additionalProperties": false
        },
        {
          "description": "Exponential (memoryless) durations.",
          "properties": {
            "dist": { "const": "exponential", "description": "Exponential with the given mean." },
            "mean": { "description": "Mean duration (> 0).", "$ref": "#/$defs/duration" }
          },
          "required": ["mean"],
          "additionalProperties": false
        },
        {
          "description": "Uniform between `min` and `max`.",
          "properties": {
            "dist": { "const": "uniform", "description": "Uniform between `min` and `max`." },
            "min": { "description": "Smallest duration (≤ max).", "$ref": "#/$defs/duration" },
            "max": { "description": "Largest duration.", "$ref": "#/$defs/duration" }
          },
          "required": ["min", "max"],
          "additionalProperties": false
        },
        {
          "description": "Normal truncated at zero (negative draws are redrawn).",
          "properties": {
            "dist": { "const": "normal", "description": "Normal, truncated at zero." },
            "mean": { "description": "Mean before truncation (> 0).", "$ref": "#/$defs/duration" },
            "sd": { "description": "Standard deviation.", "$ref": "#/$defs/duration" }
          },
          "required": ["mean", "sd"],
          "additionalProperties": false
        },
        {
          "description": "Lognormal given by its real mean and standard deviation.",
          "properties": {
            "dist": { "const": "lognormal", "description": "Lognormal with the given real mean and standard deviation." },
            "mean": { "description": "Mean (> 0).", "$ref": "#/$defs/duration" },
            "sd": { "description": "Standard deviation.", "$ref": "#/$defs/duration" }
          },
          "required": ["mean", "sd"],
          "additionalProperties": false
        },
        {
          "description": "Pareto (type I), heavy-tailed: give `scale` (or its alias `min`), or `mean` with `shape` > 1 (then scale = mean (shape − 1) / shape).",
          "properties": {
            "dist": { "const": "pareto", "description": "Pareto type I." },
            "scale": { "description": "Minimum duration (> 0).", "$ref": "#/$defs/duration" },
            "min": { "description": "Alias of `scale`.", "$ref": "#/$defs/duration" },
            "mean": { "description": "Mean duration (> 0); requires `shape` > 1.", "$ref": "#/$defs/duration" },
            "shape": { "description": "Tail index α (> 0; the mean is finite only when α > 1).", "type": "number", "exclusiveMinimum": 0 }
          },
          "required": ["shape"],
          "oneOf": [
            { "required": ["scale"] },
            { "required": ["min"] },
            { "required": ["mean"] }
          ],
          "additionalProperties": false
        },
        {
          "description": "Uniform choice among observed durations.",
          "properties": {
            "dist": { "const": "empirical", "description": "Picks one of `values` at random." },
            "values": { "description": "Observed durations (at least one).", "type": "array", "minItems": 1, "items": { "$ref": "#/$defs/duration" } }
          },
          "required": ["values"],
          "additionalProperties": false
        }
      ]
    },
    "workload": {
      "description": "A source of requests sent to one service.",
      "type": "object",
      "required": ["to"],
      "additionalProperties": false,
      "properties": {
        "name": {
          "description": "Name shown in reports. Default: the target service's name (with its position appended if already taken). Must be unique.",
          "type": "string"
        },
        "to": {
          "description": "Name of the service that receives the requests.",
          "type": "string"
        },
        "arrivals": {
          "description": "How requests arrive: `poisson` (open loop, random), `constant` (open loop, evenly spaced) or `closed` (a fixed number of users who wait for each answer). Default: poisson.",
          "enum": ["poisson", "constant", "closed"]
        },
        "rate": {
          "description": "Open loops only (required): a constant rate such as `80/s`, or a schedule: a list of points `{at, rate, ramp}`.",
          "anyOf": [
            { "$ref": "#/$defs/rate" },
            { "type": "array", "minItems": 1, "items": { "$ref": "#/$defs/ratePoint" } }
          ]
        },
        "users": {
          "description": "Closed loops only (required): number of users, each thinking, sending one request and waiting for its outcome, in a loop. At most 1000000.",
          "type": "integer",
          "minimum": 1,
          "maximum": 1000000
        },
        "think": {
          "description": "Closed loops only: think time between a user's answer and its next request. Default: 0.",
          "$ref": "#/$defs/durationOrDist"
        },
        "mix": {
          "description": "Endpoints of the target service and their relative weights (≥ 0, not all zero), e.g. `{ /browse: 4, /checkout: 1 }`. Default: the service's only endpoint.",
          "type": "object",
          "minProperties": 1,
          "additionalProperties": { "type": "number", "minimum": 0 }
        },
        "timeout": {
          "description": "Per-attempt timeout: an attempt fails as timed out after this long (the server still finishes its work). Default: none.",
          "$ref": "#/$defs/duration"
        },
        "deadline": {
          "description": "Overall deadline across attempts: no attempt starts, or goes on, past send + deadline. Default: none.",
          "$ref": "#/$defs/duration"
        },
        "retry": {
          "description": "Retries of failed attempts (errors, losses, refusals, timeouts): the total number of attempts (`3`) or `{attempts, backoff, budget}`. Default: no retries.",
          "$ref": "#/$defs/retry"
        },
        "breaker": {
          "description": "Circuit breaker: `true` (resilience4j defaults), or `{kind: consecutive, threshold, open_for}` (cloudcircuit) or `{kind: sliding_window, window, min_calls, failure_rate, slow_call, slow_rate, open_for, half_open_calls, open_growth}` (resilience4j). Default: none.",
          "$ref": "#/$defs/breaker"
        },
        "risk": {
          "description": "evoSentinel risk guard (with a latency term): `true` or `{}` for its defaults, or a mapping overriding some of its settings. Default: none.",
          "$ref": "#/$defs/risk"
        },
        "throttle": {
          "description": "Google SRE client-side adaptive throttling: `true` (K = 2 over 2 minutes) or `{k, window}`. Default: none.",
          "$ref": "#/$defs/throttle"
        }
      }
    },
    "ratePoint": {
      "description": "A point of a rate schedule. Before the first point the rate is the first point's rate.",
      "type": "object",
      "required": ["at", "rate"],
      "additionalProperties": false,
      "properties": {
        "at": {
          "description": "When this rate starts; strictly increasing along the list and before the end of the run.",
          "$ref": "#/$defs/duration"
        },
        "rate": {
          "description": "The rate from `at` on.",
          "$ref": "#/$defs/rate"
        },
        "ramp": {
          "description": "Move linearly from the previous rate to this one over this long, starting at `at`; must end by the next point. Default: 0 (a step).",
          "$ref": "#/$defs/duration"
        }
      }
    },
    "service": {
      "description": "A service: `replicas` instances behind a balancer, each with `workers` event loops and a pool of `threads` per worker.",
      "type": "object",
      "required": ["endpoints"],
      "additionalProperties": false,
      "properties": {
        "replicas": {
          "description": "Number of instances. Default: 1.",
          "type": "integer",
          "minimum": 1,
          "maximum": 10000
        },
        "balance": {
          "description": "How requests are spread across replicas. Default: round_robin.",
          "enum": ["round_robin", "least_connections", "random", "power_of_two"]
        },
        "workers": {
          "description": "Event loops (worker processes) per instance. Default: 1.",
          "type": "integer",
          "minimum": 1,
          "maximum": 10000
        },
        "threads": {
          "description": "Threads of each worker's pool, used by `offload` steps. Default: 40.",
          "type": "integer",
          "minimum": 1,
          "maximum": 100000
        },
        "accept": {
          "description": "How an instance hands a new connection to a worker: `idle_first` (an idle loop wins, else the shortest queue), `round_robin` or `random`. Default: idle_first.",
          "enum": ["idle_first", "round_robin", "random"]
        },
        "ram": {
          "description": "Memory of each instance, held by `ram` steps until their request ends. Default: unlimited.",
          "$ref": "#/$defs/size"
        },
        "ingress": {
          "description": "Admission control of every instance: `max_queue`, `rate_limit`, `concurrency` (or `bulkhead`), `deadline`. Default: admit everything.",
          "$ref": "#/$defs/ingress"
        },
        "endpoints": {
          "description": "Endpoints by path (starting with `/`), each a list of steps run in order.",
          "type": "object",
          "minProperties": 1,
          "propertyNames": { "pattern": "^/" },
          "additionalProperties": {
            "type": "array",
            "minItems": 1,
            "items": { "$ref": "#/$defs/step" }
          }
        }
      }
    },
    "step": {
      "description": "One step of an endpoint: a mapping with exactly one of `cpu`, `blocking`, `io`, `offload`, `call`, `ram`, `llm`; a `call` step may also have client-side guards.",
      "type": "object",
      "minProperties": 1,
      "additionalProperties": false,
      "oneOf": [
        { "required": ["cpu"], "maxProperties": 1 },
        { "required": ["blocking"], "maxProperties": 1 },
        { "required": ["io"], "maxProperties": 1 },
        { "required": ["offload"], "maxProperties": 1 },
        { "required": ["ram"], "maxProperties": 1 },
        { "required": ["call"], "propertyNames": { "enum": ["call", "timeout", "deadline", "retry", "breaker", "risk", "throttle"] } },
        { "required": ["llm"], "maxProperties": 1 }
      ],
      "properties": {
        "cpu": {
          "description": "Computation on the event loop: holds the loop for this long.",
          "$ref": "#/$defs/durationOrDist"
        },
        "blocking": {
          "description": "A synchronous call inside async code: holds the loop like `cpu`, reported as blocking.",
          "$ref": "#/$defs/durationOrDist"
        },
        "io": {
          "description": "Awaits external I/O (database, disk…) for this long; the loop is free meanwhile.",
          "$ref": "#/$defs/durationOrDist"
        },
        "offload": {
          "description": "Awaits work on the worker's thread pool (queued FIFO when all threads are busy).",
          "$ref": "#/$defs/durationOrDist"
        },
        "call": {
          "description": "Awaits a request to another endpoint: `service/endpoint`, e.g. `payments/charge` for endpoint `/charge` of `payments` (just `service` when it has one endpoint).",
          "type": "string"
        },
        "ram": {
          "description": "Holds this much of the instance's memory until the request ends.",
          "$ref": "#/$defs/size"
        },
        "llm": {
          "description": "Awaits a language-model call, like `io` (the loop is free meanwhile): it lasts `first_token` + `tokens_out` × `per_token`, and its tokens are priced by `cost.llm`.",
          "$ref": "#/$defs/llm"
        },
        "timeout": {
          "description": "Per-attempt timeout: an attempt fails as timed out after this long (the server still finishes its work). Default: none.",
          "$ref": "#/$defs/duration"
        },
        "deadline": {
          "description": "Overall deadline across attempts: no attempt starts, or goes on, past send + deadline. Default: none.",
          "$ref": "#/$defs/duration"
        },
        "retry": {
          "description": "Retries of failed attempts (errors, losses, refusals, timeouts): the total number of attempts (`3`) or `{attempts, backoff, budget}`. Default: no retries.",
          "$ref": "#/$defs/retry"
        },
        "breaker": {
          "description": "Circuit breaker: `true` (resilience4j defaults), or `{kind: consecutive, threshold, open_for}` (cloudcircuit) or `{kind: sliding_window, window, min_calls, failure_rate, slow_call, slow_rate, open_for, half_open_calls, open_growth}` (resilience4j). Default: none.",
          "$ref": "#/$defs/breaker"
        },
        "risk": {
          "description": "evoSentinel risk guard (with a latency term): `true` or `{}` for its defaults, or a mapping overriding some of its settings. Default: none.",
          "$ref": "#/$defs/risk"
        },
        "throttle": {
          "description": "Google SRE client-side adaptive throttling: `true` (K = 2 over 2 minutes) or `{k, window}`. Default: none.",
          "$ref": "#/$defs/throttle"
        }
      }
    },
    "retry": {
      "description": "Retries: at most `attempts` attempts in all (the first included), spaced by `backoff`, each retry subject to the `budget` if any. A bare number is `attempts` with immediate retries and no budget.",
      "anyOf": [
        { "type": "integer", "minimum": 1, "maximum": 100 },
        {
          "type": "object",
          "required": ["attempts"],
          "additionalProperties": false,
          "properties": {
            "attempts": {
              "description": "Total attempts, the first included (1 to 100): `attempts: 3` retries at most twice.",
              "type": "integer",
              "minimum": 1,
              "maximum": 100
            },
            "backoff": {
              "description": "Delay before each retry: `none` (immediate, the default) or `{kind, base, cap, jitter}`.",
              "$ref": "#/$defs/backoff"
            },
            "budget": {
              "description": "Retry budget: a ratio of retries to requests (`10%`: a ratio budget with a floor of 3 retries/s over 10s), `{kind: ratio, ratio, min_per_s, window}` or `{kind: grpc, max_tokens, token_ratio}`. Default: none.",
              "$ref": "#/$defs/retryBudget"
            }
          }
        }
      ]
    },
    "backoff": {
      "description": "Delay before retry n (n = 1 is the first retry), after AWS's \"Exponential Backoff And Jitter\".",
      "anyOf": [
        { "enum": ["none"] },
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "kind": {
              "description": "`none`: retry at once; `constant`: min(cap, base); `exponential`: min(cap, base × 2^(n−1)); `decorrelated`: min(cap, uniform in [base, 3 × previous delay]). Default: exponential.",
              "enum": ["none", "constant", "exponential", "decorrelated"]
            },
            "base": {
              "description": "Base delay (at least 1ms); required unless `kind: none`.",
              "$ref": "#/$defs/duration"
            },
            "cap": {
              "description": "Largest delay (≥ base, at least 1ms). Default: the larger of base and 30s.",
              "$ref": "#/$defs/duration"
            },
            "jitter": {
              "description": "`none`: the delay d itself; `full`: uniform in [0, d]; `equal`: d/2 + uniform in [0, d/2]. Not with `decorrelated` (random already). Default: none.",
              "enum": ["none", "full", "equal"]
            }
          }
        }
      ]
    },
    "retryBudget": {
      "description": "Limits retries across requests, so that retries cannot multiply the load of a failing service.",
      "anyOf": [
        { "$ref": "#/$defs/ratio" },
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "kind": {
              "description": "`ratio`: retries ≤ ratio × requests + min_per_s × window over a sliding window (Google SRE, Finagle); `grpc`: gRPC retry throttling tokens. Default: ratio.",
              "enum": ["ratio", "grpc"]
            },
            "ratio": {
              "description": "Ratio budget (required): retries allowed per original request, e.g. `10%` or `0.1`.",
              "$ref": "#/$defs/ratio"
            },
            "min_per_s": {
              "description": "Ratio budget: retries per second always allowed on top of the ratio. Default: 3 (Envoy's floor).",
              "type": "integer",
              "minimum": 0,
              "maximum": 1000000
            },
            "window": {
              "description": "Ratio budget: the sliding window, whole seconds (at least 1s). Default: 10s.",
              "$ref": "#/$defs/duration"
            },
            "max_tokens": {
              "description": "gRPC budget: token bucket size (1 to 1000); retries are allowed while more than half of it is left. Default: 10.",
              "type": "integer",
              "minimum": 1,
              "maximum": 1000
            },
            "token_ratio": {
              "description": "gRPC budget: tokens a successful attempt gives back (a failed one takes 1); at least 0.001. Default: 0.1.",
              "type": "number",
              "minimum": 0.001
            }
          }
        }
      ]
    },
    "breaker": {
      "description": "A circuit breaker: CLOSED admits calls, OPEN rejects them for a wait, HALF_OPEN admits trial calls and decides.",
      "anyOf": [
        { "type": "boolean" },
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "kind": {
              "description": "`consecutive`: `threshold` consecutive failures open it (cloudcircuit); `sliding_window`: failure and slow-call rates over a window (resilience4j). Default: sliding_window.",
              "enum": ["consecutive", "sliding_window"]
            },
            "threshold": {
              "description": "Consecutive breaker: failures in a row that open it. Default: 3.",
              "type": "integer",
              "minimum": 1
            },
            "window": {
              "description": "Sliding window: a number of calls (`100`, count based) or a duration in whole seconds (`10s`, time based). Default: 100 calls.",
              "anyOf": [
                { "type": "integer", "minimum": 1 },
                { "$ref": "#/$defs/duration" }
              ]
            },
            "min_calls": {
              "description": "Sliding window: calls the window must hold before any decision. Default: 100.",
              "type": "integer",
              "minimum": 1
            },
            "failure_rate": {
              "description": "Sliding window: failure rate that opens the breaker, in (0%, 100%]. Default: 50%.",
              "$ref": "#/$defs/ratio"
            },
            "slow_call": {
              "description": "Sliding window: a call taking longer than this is slow. Default: 60s.",
              "$ref": "#/$defs/duration"
            },
            "slow_rate": {
              "description": "Sliding window: slow-call rate that opens the breaker, in (0%, 100%]. Default: 100%.",
              "$ref": "#/$defs/ratio"
            },
            "open_for": {
              "description": "Wait in OPEN before HALF_OPEN (at least 1ms). Default: 5s (consecutive), 60s (sliding window).",
              "$ref": "#/$defs/duration"
            },
            "half_open_calls": {
              "description": "Sliding window: trial calls in HALF_OPEN. Default: 10.",
              "type": "integer",
              "minimum": 1
            },
            "open_growth": {
              "description": "Sliding window: the wait is multiplied by this on each consecutive opening (≥ 1). Default: 1 (constant).",
              "type": "number",
              "minimum": 1
            }
          }
        }
      ]
    },
    "risk": {
      "description": "The evoSentinel risk guard: risk = max(failure EWMA, failure momentum / momentum_scale, latency deviation); THROTTLE (delays calls) from `throttle_at`, BLOCK from `block_at`, quarantine from `quarantine_at`.",
      "anyOf": [
        { "type": "boolean" },
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "failure_alpha": { "description": "EWMA weight of the failure rate, in (0, 1]. Default: 0.05.", "$ref": "#/$defs/ratio" },
            "latency_alpha": { "description": "EWMA weight of the latency, in (0, 1]. Default: 0.1.", "$ref": "#/$defs/ratio" },
            "baseline_alpha": { "description": "EWMA weight of the healthy-latency baseline, in (0, 1]. Default: 0.01.", "$ref": "#/$defs/ratio" },
            "deviation_factor": { "description": "Latency, as a multiple of the baseline, at which the latency risk reaches 1 (> 1). Default: 3.", "type": "number", "exclusiveMinimum": 1 },
            "momentum_decay": { "description": "Decay of the failure momentum per second, in (0, 1). Default: 0.92.", "$ref": "#/$defs/ratio" },
            "momentum_scale": { "description": "Momentum giving a risk of 1 (> 0); raise it for high-rate callers. Default: 5.", "type": "number", "exclusiveMinimum": 0 },
            "heal_below": { "description": "Momentum below which self-healing runs (≥ 0). Default: 0.1.", "type": "number", "minimum": 0 },
            "heal_decay": { "description": "Self-healing factor per second, in (0, 1] (1 disables healing). Default: 0.98.", "$ref": "#/$defs/ratio" },
            "throttle_at": { "description": "Risk from which calls are delayed (THROTTLE), in (0, block_at]. Default: 0.5.", "$ref": "#/$defs/ratio" },
            "block_at": { "description": "Risk from which calls are blocked, in [throttle_at, 1]. Default: 0.8.", "$ref": "#/$defs/ratio" },
            "hysteresis": { "description": "How far below a threshold the risk must fall to leave it, in [0, 1]. Default: 0.05.", "$ref": "#/$defs/ratio" },
            "degraded_at": { "description": "Risk from which the state is DEGRADED. Default: 0.4.", "$ref": "#/$defs/ratio" },
            "critical_at": { "description": "Risk from which the state is CRITICAL (≥ degraded_at). Default: 0.8.", "$ref": "#/$defs/ratio" },
            "quarantine_at": { "description": "Risk that quarantines the guard (≥ critical_at, ≤ 1). Default: 0.95.", "$ref": "#/$defs/ratio" },
            "quarantine_base": { "description": "First quarantine (at least 1ms). Default: 2s.", "$ref": "#/$defs/duration" },
            "quarantine_growth": { "description": "Growth of each further quarantine (≥ 1). Default: 1.3.", "type": "number", "minimum": 1 },
            "quarantine_cap": { "description": "Longest quarantine (≥ quarantine_base, at least 1ms). Default: 10s.", "$ref": "#/$defs/duration" },
            "base_backoff": { "description": "Base of the delay a THROTTLE decision imposes (at least 1ms). Default: 500ms.", "$ref": "#/$defs/duration" }
          }
        }
      ]
    },
    "throttle": {
      "description": "Client-side adaptive throttling (Google SRE book): a request is rejected locally with probability max(0, (requests − k × accepts) / (requests + 1)) over the window.",
      "anyOf": [
        { "type": "boolean" },
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "k": { "description": "Multiplier K (≥ 1): the client may send up to K times what the backend accepts. Default: 2.", "type": "number", "minimum": 1 },
            "window": { "description": "Sliding window, whole seconds (at least 1s). Default: 2m.", "$ref": "#/$defs/duration" }
          }
        }
      ]
    },
    "ingress": {
      "description": "Admission control of each instance, applied in this order: rate limit, accept-queue bound, concurrency limit.",
      "type": "object",
      "additionalProperties": false,
      "not": { "required": ["bulkhead", "concurrency"] },
      "properties": {
        "max_queue": {
          "description": "Requests accepted but not yet started, per instance (≥ 1); beyond it requests are shed (`shed_queue_full`). Default: unbounded.",
          "type": "integer",
          "minimum": 1,
          "maximum": 4294967295
        },
        "rate_limit": {
          "description": "Token bucket per instance: a rate (`500/s`; burst = one second of tokens, at least 1) or `{rate, burst}`; requests beyond it are rejected (`rejected_rate_limit`). Default: none.",
          "$ref": "#/$defs/rateLimit"
        },
        "concurrency": {
          "description": "Limit on the requests in service per instance: `{kind: fixed, limit}` or an adaptive limit `aimd`, `gradient2`, `vegas` (Netflix concurrency-limits; a bare kind takes every default). Not with `bulkhead`. Default: none.",
          "$ref": "#/$defs/concurrency"
        },
        "bulkhead": {
          "description": "Short for `concurrency: { kind: fixed, limit: N }`. Not with `concurrency`.",
          "type": "integer",
          "minimum": 1,
          "maximum": 4294967295
        },
        "deadline": {
          "description": "`drop_expired`: skip the work of a request whose caller has already given up when it would start (`dropped_expired`); `none`: serve it anyway. Default: none.",
          "enum": ["none", "drop_expired"]
        }
      }
    },
    "rateLimit": {
      "description": "A token bucket: `rate` tokens per second, at most `burst` of them; each request takes one.",
      "anyOf": [
        { "$ref": "#/$defs/rate" },
        {
          "type": "object",
          "required": ["rate"],
          "additionalProperties": false,
          "properties": {
            "rate": { "description": "Tokens per second (at least 0.001/s).", "$ref": "#/$defs/rate" },
            "burst": { "description": "Bucket size (≥ 1). Default: one second of tokens, ⌈rate × 1s⌉, at least 1.", "type": "integer", "minimum": 1, "maximum": 4294967295 }
          }
        }
      ]
    },
    "concurrency": {
      "description": "A concurrency limit: a request is admitted while fewer than `limit` are in service.",
      "anyOf": [
        { "enum": ["aimd", "gradient2", "vegas"] },
        {
          "type": "object",
          "required": ["kind"],
          "additionalProperties": false,
          "properties": {
            "kind": {
              "description": "`fixed`: a constant limit (a bulkhead); `aimd`, `gradient2`, `vegas`: Netflix's adaptive limits.",
              "enum": ["fixed", "aimd", "gradient2", "vegas"]
            },
            "limit": { "description": "Fixed: the limit (≥ 1, required).", "type": "integer", "minimum": 1 },
            "initial": { "description": "Adaptive: the starting limit. Default: 20.", "type": "integer", "minimum": 1 },
            "min": { "description": "Adaptive: the lowest limit (≤ initial). Default: 20 (aimd, gradient2), 1 (vegas); lowered to `initial` or `max` when those are given lower.", "type": "integer", "minimum": 1 },
            "max": { "description": "Adaptive: the highest limit (≥ initial). Default: 200 (aimd, gradient2), 1000 (vegas).", "type": "integer", "minimum": 1 },
            "backoff_ratio": { "description": "AIMD: the limit is multiplied by this on a drop, in [0.5, 1). Default: 0.9.", "$ref": "#/$defs/ratio" },
            "timeout": { "description": "AIMD: a response slower than this counts as a drop. Default: 5s.", "$ref": "#/$defs/duration" },
            "smoothing": { "description": "Gradient2: smoothing of limit changes, in (0, 1]. Default: 0.2.", "$ref": "#/$defs/ratio" },
            "long_window": { "description": "Gradient2: samples in the long-term RTT average (≥ 1). Default: 600.", "type": "integer", "minimum": 1 },
            "rtt_tolerance": { "description": "Gradient2: tolerated ratio of long to short RTT (≥ 1). Default: 1.5.", "type": "number", "minimum": 1 },
            "queue_size": { "description": "Gradient2: headroom added to the limit. Default: 4.", "type": "integer", "minimum": 0 }
          }
        }
      ]
    },
    "fault": {
      "description": "A fault active over [at, at + for) (until the end of the run without `for`).",
      "type": "object",
      "required": ["at", "kind", "target"],
      "additionalProperties": false,
      "properties": {
        "at": {
          "description": "When the fault starts; before the end of the run.",
          "$ref": "#/$defs/duration"
        },
        "for": {
          "description": "How long it lasts (> 0; cut at the end of the run). Required for `pause`. Default: until the end of the run.",
          "$ref": "#/$defs/duration"
        },
        "kind": {
          "description": "`slowdown` (cpu, blocking and offload work takes `factor`× longer), `latency` (extra latency `add` on a link), `loss` (extra loss `rate` on a link), `errors` (a share `rate` of requests fail at once), `outage` (replicas down, in-flight work lost), `pause` (event loops stop, like a GC pause), `surge` (more traffic on a workload).",
          "enum": ["slowdown", "latency", "loss", "errors", "outage", "pause", "surge"]
        },
        "target": {
          "description": "slowdown, outage, pause: a service or one replica (`api`, `api#1`, from 0); latency, loss: a link `a->b` (one way) or `a<->b` (both), ends being services or `client`; errors: a service or one endpoint (`payments/charge`); surge: a workload name.",
          "type": "string"
        },
        "factor": {
          "description": "slowdown: how many times longer work takes (> 0, required); surge: multiplier of the workload's rate (> 0).",
          "type": "number",
          "exclusiveMinimum": 0
        },
        "add": {
          "description": "latency (required): extra one-way latency, a duration or a distribution.",
          "$ref": "#/$defs/durationOrDist"
        },
        "rate": {
          "description": "loss, errors (required): a probability (`20%`); surge: extra requests per second (`200/s`).",
          "anyOf": [
            { "$ref": "#/$defs/probability" },
            { "$ref": "#/$defs/rate" }
          ]
        },
        "worker": {
          "description": "pause: only this worker of each targeted instance (from 0). Default: every worker.",
          "type": "integer",
          "minimum": 0
        }
      }
    },
    "count": {
      "description": "A whole number of tokens (0 to 1000000000).",
      "type": "integer",
      "minimum": 0,
      "maximum": 1000000000
    },
    "countOrDist": {
      "description": "A fixed number of tokens (e.g. `800`) or a distribution of them whose parameters are plain numbers (e.g. `{ dist: uniform, min: 100, max: 400 }`); samples are rounded to whole tokens.",
      "anyOf": [
        { "$ref": "#/$defs/count" },
        {
          "type": "object",
          "required": ["dist"],
          "additionalProperties": false,
          "properties": {
            "dist": { "description": "The kind of distribution, with the parameters of the duration distributions.", "enum": ["constant", "exponential", "uniform", "normal", "lognormal", "pareto", "empirical"] },
            "value": { "description": "constant: the value.", "type": "number", "minimum": 0 },
            "mean": { "description": "exponential, normal, lognormal, pareto: the mean (> 0).", "type": "number", "exclusiveMinimum": 0 },
            "sd": { "description": "normal, lognormal: the standard deviation.", "type": "number", "minimum": 0 },
            "min": { "description": "uniform: the smallest value; pareto: alias of `scale`.", "type": "number", "minimum": 0 },
            "max": { "description": "uniform: the largest value.", "type": "number", "minimum": 0 },
            "scale": { "description": "pareto: the smallest value (> 0).", "type": "number", "exclusiveMinimum": 0 },
            "shape": { "description": "pareto: the tail index (> 0).", "type": "number", "exclusiveMinimum": 0 },
            "values": { "description": "empirical: observed counts (at least one).", "type": "array", "minItems": 1, "items": { "type": "number", "minimum": 0 } }
          }
        }
      ]
    },
    "llm": {
      "description": "A language-model call: at least one key. Every key left out is 0.",
      "type": "object",
      "minProperties": 1,
      "additionalProperties": false,
      "properties": {
        "tokens_in": { "description": "Prompt tokens sent (priced by `cost.llm.per_1k_in`). Default: 0.", "$ref": "#/$defs/countOrDist" },
        "tokens_out": { "description": "Tokens generated (priced by `cost.llm.per_1k_out`; each takes `per_token`). Default: 0.", "$ref": "#/$defs/countOrDist" },
        "first_token": { "description": "Time to the first token. Default: 0.", "$ref": "#/$defs/durationOrDist" },
        "per_token": { "description": "Time per generated token, drawn once per call. Default: 0.", "$ref": "#/$defs/durationOrDist" }
      }
    },
    "health": {
      "description": "Health recording and scoring.",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "tick": { "description": "Granularity of the health records (> 0, at most `duration`, at most 100000 ticks per run). Default: 1s, coarser for runs longer than 20000s (whole seconds, at most 20000 ticks).", "$ref": "#/$defs/duration" },
        "window": { "description": "Length of the windows of the status timeline (≥ tick). Default: the larger of 10s and `tick`.", "$ref": "#/$defs/duration" },
        "slow_callback": { "description": "A loop run (the time between two awaits) longer than this is a slow callback, as asyncio's `slow_callback_duration` (> 0). Default: 100ms.", "$ref": "#/$defs/duration" },
        "thresholds": { "description": "Overrides of the auditor's score weights, status cut-offs and finding thresholds. Default: the auditor's values.", "$ref": "#/$defs/healthThresholds" },
        "collapse": { "description": "Overrides of the collapse detector's cut-offs and throttle delays, and `feedback`. Default: the framework's values, no feedback.", "$ref": "#/$defs/collapse" }
      }
    },
    "healthThresholds": {
      "description": "The async-runtime-auditor's model: score = lag × lag_weight + blocking × blocking_weight + queue wait × queue_wait_weight + backlog × backlog_weight + peak active × active_weight (times in seconds); status from the cut-offs (degraded ≤ critical ≤ collapse_risk).",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "degraded": { "description": "Score from which a window is DEGRADED (> 0). Default: 400.", "type": "number", "exclusiveMinimum": 0 },
        "critical": { "description": "Score from which a window is CRITICAL (≥ degraded). Default: 1200.", "type": "number", "exclusiveMinimum": 0 },
        "collapse_risk": { "description": "Score from which a window is COLLAPSE_RISK (≥ critical). Default: 2500.", "type": "number", "exclusiveMinimum": 0 },
        "lag_weight": { "description": "Score per second of maximum event-loop lag (≥ 0). Default: 1500.", "type": "number", "minimum": 0 },
        "blocking_weight": { "description": "Score per second of average blocking duration (≥ 0). Default: 400.", "type": "number", "minimum": 0 },
        "queue_wait_weight": { "description": "Score per second of thread-pool queue wait (≥ 0). Default: 300.", "type": "number", "minimum": 0 },
        "backlog_weight": { "description": "Score per thread-pool job of backlog (≥ 0). Default: 8.", "type": "number", "minimum": 0 },
        "active_weight": { "description": "Score per peak active request (≥ 0). Default: 1.", "type": "number", "minimum": 0 },
        "max_event_loop_lag": { "description": "Event-loop starvation above this lag (> 0). Default: 500ms.", "$ref": "#/$defs/duration" },
        "max_blocking": { "description": "Long synchronous blocking above this average blocking duration (> 0). Default: 1s.", "$ref": "#/$defs/duration" },
        "max_queue_wait": { "description": "Executor queue amplification above this thread-pool queue wait (> 0). Default: 1s.", "$ref": "#/$defs/duration" },
        "max_backlog": { "description": "Thread-pool backlog accumulation above this many jobs (> 0). Default: 3.", "type": "number", "exclusiveMinimum": 0 },
        "max_active": { "description": "Load saturation (failure mode) above this many peak active requests (> 0). Default: 150.", "type": "number", "exclusiveMinimum": 0 },
        "busy_active": { "description": "Concurrent load saturation (finding) above this many peak active requests (> 0). Default: 100.", "type": "number", "exclusiveMinimum": 0 },
        "hidden_lag": { "description": "Latency hides runtime instability: lag above this… (> 0). Default: 1s.", "$ref": "#/$defs/duration" },
        "hidden_p99": { "description": "…while the p99 latency is below this (> 0). Default: 150ms.", "$ref": "#/$defs/duration" }
      }
    },
    "collapse": {
      "description": "The agent-chaos-framework collapse detector, on every service with a bounded accept queue (`ingress.max_queue`): COLLAPSED when the p95 grows by more than p95_growth, or fill ≥ collapsed_fill, or (dQ/dt > dqdt and fill > dqdt_fill); DEGRADED when fill ≥ degraded_fill; STABLE otherwise.",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "degraded_fill": { "description": "Queue fill from which the service is DEGRADED, in (0%, 100%]. Default: 40%.", "$ref": "#/$defs/ratio" },
        "collapsed_fill": { "description": "Queue fill from which it is COLLAPSED, in (0%, 100%], ≥ degraded_fill. Default: 85%.", "$ref": "#/$defs/ratio" },
        "dqdt": { "description": "Queue growth rate (jobs per second, e.g. `15/s`) above which, with fill above dqdt_fill, it is COLLAPSED. Default: 15/s.", "$ref": "#/$defs/rate" },
        "dqdt_fill": { "description": "The fill above which the growth rate counts, in [0%, 100%]. Default: 60%.", "$ref": "#/$defs/ratio" },
        "p95_growth": { "description": "Growth of the p95 latency between two ticks above which it is COLLAPSED (> 0; `100%` = doubling). Default: 100%.", "$ref": "#/$defs/ratio" },
        "throttle_degraded": { "description": "Throttle delay of the producers while DEGRADED. Default: 20ms.", "$ref": "#/$defs/duration" },
        "throttle_collapsed": { "description": "Throttle delay while COLLAPSED (≥ throttle_degraded). Default: 100ms.", "$ref": "#/$defs/duration" },
        "feedback": { "description": "Feed the throttle delay back to the closed-loop users of the service (their think time grows by it). Default: false.", "type": "boolean" }
      }
    },
    "slo": {
      "description": "A service-level objective: `latency` or `error_rate`.",
      "type": "object",
      "required": ["name"],
      "additionalProperties": false,
      "oneOf": [
        { "required": ["latency"] },
        { "required": ["error_rate"] }
      ],
      "properties": {
        "name": { "description": "The objective's name, unique, shown in reports.", "type": "string", "minLength": 1 },
        "latency": {
          "description": "`pNN < DURATION`: that share of requests succeed within the threshold, e.g. `p99 < 300ms`, `p95 <= 1s`, `p99.9 < 50ms` (`<`, `<=` and `≤` mean the same: at most the threshold). The percentile is in (0, 100).",
          "type": "string",
          "pattern": "^\\s*[pP][0-9.]+\\s*(<=|≤|<)\\s*\\S+\\s*$"
        },
        "error_rate": {
          "description": "The largest share of failed requests, in (0%, 100%): `< 0.1%`, `<= 1%`, `0.1%` or `0.001`.",
          "anyOf": [
            { "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1 },
            { "type": "string", "pattern": "^\\s*(<=|≤|<)?\\s*\\+?[0-9.][0-9_.]*([eE][+-]?[0-9]+)?%?\\s*$" }
          ]
        }
      }
    },
    "price": {
      "description": "An amount in currency units, without a symbol (≥ 0, at most 1e12).",
      "type": "number",
      "minimum": 0,
      "maximum": 1e12
    },
    "cost": {
      "description": "Prices; every key left out is 0.",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "per_request": { "description": "Per request served. Default: 0.", "$ref": "#/$defs/price" },
        "per_cpu_second": { "description": "Per second of CPU time: loop-held time (`cpu`, `blocking`) and thread-pool jobs (`offload`). Default: 0.", "$ref": "#/$defs/price" },
        "per_instance_hour": { "description": "Per hour of each instance (replica) alive. Default: 0.", "$ref": "#/$defs/price" },
        "llm": { "description": "Prices of the `llm` steps' tokens. Default: free (a warning when the scenario has `llm` steps).", "$ref": "#/$defs/llmPrices" }
      }
    },
    "llmPrices": {
      "description": "Token prices.",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "per_1k_in": { "description": "Per 1000 prompt tokens (`tokens_in`). Default: 0.", "$ref": "#/$defs/price" },
        "per_1k_out": { "description": "Per 1000 generated tokens (`tokens_out`). Default: 0.", "$ref": "#/$defs/price" }
      }
    },
    "budget": {
      "description": "cloudcircuit's budget guards on the spend of each health tick.",
      "type": "object",
      "required": ["limit"],
      "additionalProperties": false,
      "properties": {
        "limit": { "description": "The budget (> 0, at most 1e12), in the currency of `cost`.", "type": "number", "exclusiveMinimum": 0, "maximum": 1e12 },
        "period": { "description": "The budget's period, for the linear spend forecast (> 0). Default: the run's duration.", "$ref": "#/$defs/duration" },
        "warning": { "description": "Share of the limit at which to warn, in (0%, 100%]. Default: 90%.", "$ref": "#/$defs/ratio" },
        "spike": { "description": "The spike test of the latest tick against the previous ones: `mean`, `robust`, `{method: mean, multiplier, min_baseline}` or `{method: robust, z}`. Default: mean, ×1.5.", "$ref": "#/$defs/spike" },
        "burn_threshold": { "description": "Spend trend alert: latest tick ÷ mean of the previous ones at or above this (> 0). Default: 1.4.", "type": "number", "exclusiveMinimum": 0 },
        "history": { "description": "Ticks the spike and burn tests look at, the latest included (2 to 1000000). Default: 30.", "type": "integer", "minimum": 2, "maximum": 1000000 },
        "action": { "description": "What to do with the decision (breached → block, warning or spike → throttle): `alert` (report only), `throttle` (throttle at most), `block` (every endpoint), or `{ block: service/endpoint }` (block that endpoint only). Default: alert.", "$ref": "#/$defs/budgetAction" }
      }
    },
    "spike": {
      "description": "A spike test.",
      "anyOf": [
        { "enum": ["mean", "robust"] },
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "method": { "description": "`mean`: latest > max(mean, min_baseline) × multiplier (cloudcircuit); `robust`: latest > median + z × MAD / 0.6745. Default: mean.", "enum": ["mean", "robust"] },
            "multiplier": { "description": "mean: the multiplier (> 1). Default: 1.5.", "type": "number", "exclusiveMinimum": 1 },
            "min_baseline": { "description": "mean: the smallest baseline (≥ 0). Default: 0.", "$ref": "#/$defs/price" },
            "z": { "description": "robust: the number of deviations (> 0). Default: 3.5.", "type": "number", "exclusiveMinimum": 0 }
          }
        }
      ]
    },
    "budgetAction": {
      "description": "What the engine enforces.",
      "anyOf": [
        { "enum": ["alert", "throttle", "block"] },
        {
          "type": "object",
          "required": ["block"],
          "additionalProperties": false,
          "properties": {
            "block": { "description": "The endpoint to block: `service/endpoint` (just `service` when it has one endpoint).", "type": "string" }
          }
        }
      ]
    },
    "network": {
      "description": "The network between nodes: the client (workload side) and every service.",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "latency": {
          "description": "One-way latency of every hop. Default: 0.",
          "$ref": "#/$defs/durationOrDist"
        },
        "loss": {
          "description": "Probability that a one-way message is lost. Default: 0.",
          "$ref": "#/$defs/probability"
        },
        "links": {
          "description": "Overrides for the hops between two nodes (both directions).",
          "type": "array",
          "items": { "$ref": "#/$defs/link" }
        }
      }
    },
    "link": {
      "description": "Latency and loss between two nodes, in both directions.",
      "type": "object",
      "required": ["between"],
      "additionalProperties": false,
      "properties": {
        "between": {
          "description": "The two nodes: service names or `client`.",
          "type": "array",
          "minItems": 2,
          "maxItems": 2,
          "items": { "type": "string" }
        },
        "latency": {
          "description": "One-way latency on this link. Default: the network's latency.",
          "$ref": "#/$defs/durationOrDist"
        },
        "loss": {
          "description": "Loss probability on this link. Default: the network's loss.",
          "$ref": "#/$defs/probability"
        }
      }
    }
  }
}
"##;

#[cfg(test)]
mod tests {
    use super::SCENARIO_SCHEMA;
    use alloc::format;

    #[test]
    fn schema_is_json_with_descriptions() {
        let v: serde_json::Value = serde_json::from_str(SCENARIO_SCHEMA).expect("valid JSON");
        assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
        fn walk(v: &serde_json::Value, path: &str) {
            if let Some(props) = v.get("properties").and_then(|p| p.as_object()) {
                for (k, p) in props {
                    assert!(
                        p.get("description").is_some(),
                        "{path}/properties/{k} lacks a description"
                    );
                    walk(p, &format!("{path}/{k}"));
                }
            }
            for key in ["oneOf", "anyOf"] {
                for (i, item) in v
                    .get(key)
                    .and_then(|a| a.as_array())
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    walk(item, &format!("{path}/{key}/{i}"));
                }
            }
        }
        walk(&v, "");
        for (name, def) in v["$defs"].as_object().unwrap() {
            walk(def, &format!("/$defs/{name}"));
        }
    }
}
