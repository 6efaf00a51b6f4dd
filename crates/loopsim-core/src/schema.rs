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
    }
  },
  "$defs": {
    "duration": {
      "description": "A duration: a number with a unit (`ns`, `us` or `µs`, `ms`, `s`, `m` or `min`, `h`), e.g. `2ms`, `1.5s`, `5m`; a bare number is seconds.",
      "anyOf": [
        { "type": "number", "minimum": 0 },
        { "type": "string", "pattern": "^\\+?[0-9][0-9_]*(\\.[0-9]*)?([eE][+-]?[0-9]+)?(ns|us|µs|μs|ms|s|m|min|h)?$" },
        { "type": "string", "pattern": "^\\+?\\.[0-9]+([eE][+-]?[0-9]+)?(ns|us|µs|μs|ms|s|m|min|h)?$" }
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
          "description": "Client timeout: the request counts as timed out after this long (the server still finishes its work). Default: none.",
          "$ref": "#/$defs/duration"
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
      "description": "One step of an endpoint: a mapping with exactly one key.",
      "type": "object",
      "minProperties": 1,
      "maxProperties": 1,
      "additionalProperties": false,
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
        }
      }
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
