//! `loopsim merge A.json B.json …`: the shards of one run back into its output — the same bytes
//! the unsharded run prints, since both are made by [`crate::sweep::finish`] from the same
//! reports in the same order (numbers read back exactly: serde_json's `float_roundtrip`).

use std::path::PathBuf;

use serde_json::Value;

use crate::shard::ShardFile;
use crate::sweep::{self, Output, Plan};

/// The merged output, or what is wrong with the shards (naming the file).
pub fn merge(files: &[PathBuf]) -> Result<Output, String> {
    let mut shards: Vec<(String, ShardFile)> = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let text = crate::source::read(path)?;
        let shard: ShardFile = serde_json::from_str(&text).map_err(|e| {
            format!("loopsim: {name}: not the output of `loopsim run … --shard i/n` ({e})")
        })?;
        shard
            .plan
            .check()
            .map_err(|why| format!("loopsim: {name}: not a usable shard: {why}"))?;
        shards.push((name, shard));
    }
    let Some((first_name, first)) = shards.first() else {
        return Err("loopsim merge: no shard files given".into());
    };
    let plan: Plan = first.plan.clone();
    let of = first.loopsim_shard.of;
    let mut seen = vec![None::<&str>; of as usize];
    for (name, s) in &shards {
        if s.plan != plan || s.loopsim_shard.of != of {
            return Err(format!(
                "loopsim merge: {name} and {first_name} are shards of different runs (scenario, seed, replications, sweep or shard count differ)"
            ));
        }
        let i = s.loopsim_shard.index as usize;
        if i >= of as usize {
            return Err(format!(
                "loopsim merge: {name}: shard {i} of {of} does not exist"
            ));
        }
        if let Some(other) = seen[i] {
            return Err(format!(
                "loopsim merge: shard {i}/{of} is given twice: {other} and {name}"
            ));
        }
        seen[i] = Some(name);
    }
    if let Some(missing) = seen.iter().position(Option::is_none) {
        return Err(format!(
            "loopsim merge: shard {missing}/{of} is missing ({} of {of} given)",
            shards.len()
        ));
    }
    drop(seen);
    let mut reports: Vec<Option<Value>> = vec![None; plan.units()];
    for (name, s) in shards {
        for u in s.results {
            let expected = u.unit % of as usize == s.loopsim_shard.index as usize;
            match reports.get_mut(u.unit) {
                Some(slot @ None) if expected => *slot = Some(u.report),
                _ => {
                    return Err(format!(
                        "loopsim merge: {name}: unit {} does not belong to this shard",
                        u.unit
                    ))
                }
            }
        }
    }
    let reports: Option<Vec<Value>> = reports.into_iter().collect();
    let reports = reports.ok_or("loopsim merge: a shard is missing some of its results")?;
    Ok(sweep::finish(&plan, &reports))
}
