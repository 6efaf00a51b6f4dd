//! Network hops: one-way latency and loss between any two nodes (node 0 = the client,
//! node 1 + s = service s). Link overrides apply in both directions, or in one (`one_way`). A pair named by a link
//! fault gets its own hop that lists the faults which may add latency or loss to it.

use alloc::vec::Vec;

use crate::dist::Dist;
use crate::rng::Rng;
use crate::scenario::{FaultKind, Scenario};
use crate::time::Nanos;

#[derive(Debug)]
struct Hop {
    latency: Dist,
    loss: f64,
    /// Faults (indices into the scenario's list) that may affect this hop.
    faults: Vec<u32>,
    /// Constant zero latency, no loss, no faults: crossing needs no random draw.
    ideal: bool,
}

#[derive(Debug)]
pub struct Topology {
    nodes: usize,
    hops: Vec<Hop>,
    /// `nodes × nodes` matrix of indices into `hops`.
    route: Vec<u32>,
    /// Directed pairs (matrix cells) that have a hop of their own for their faults.
    dedicated: Vec<usize>,
    /// What each fault of the scenario does to a hop (`None`: not a link fault).
    effects: Vec<Option<LinkEffect>>,
}

#[derive(Debug)]
enum LinkEffect {
    Latency(Dist),
    Loss(f64),
}

impl Topology {
    pub fn new(sc: &Scenario) -> Self {
        let net = &sc.network;
        // The client, the services, then the queues' brokers.
        let nodes = sc.services.len() + 1 + sc.queues.len();
        let mut t = Topology {
            nodes,
            hops: alloc::vec![hop(net.latency.clone(), net.loss)],
            route: alloc::vec![0; nodes * nodes],
            dedicated: Vec::new(),
            effects: sc.faults.iter().map(|f| link_effect(&f.kind)).collect(),
        };
        for link in &net.links {
            let latency = link.latency.clone().unwrap_or_else(|| net.latency.clone());
            t.hops.push(hop(latency, link.loss.unwrap_or(net.loss)));
            let idx = (t.hops.len() - 1) as u32;
            let [a, b] = link.between;
            t.set_route(a, b, idx);
            if !link.one_way {
                t.set_route(b, a, idx);
            }
        }
        for (i, f) in sc.faults.iter().enumerate() {
            if let FaultKind::Latency { from, to, both, .. }
            | FaultKind::Loss { from, to, both, .. } = &f.kind
            {
                t.add_fault(*from, *to, i as u32);
                if *both {
                    t.add_fault(*to, *from, i as u32);
                }
            }
        }
        t
    }

    fn set_route(&mut self, from: u32, to: u32, hop: u32) {
        self.route[from as usize * self.nodes + to as usize] = hop;
    }

    /// Gives the directed pair its own copy of its hop (once) and lists the fault on it.
    fn add_fault(&mut self, from: u32, to: u32, fault: u32) {
        let cell = from as usize * self.nodes + to as usize;
        if !self.dedicated.contains(&cell) {
            let base = &self.hops[self.route[cell] as usize];
            let copy = hop(base.latency.clone(), base.loss);
            self.hops.push(copy);
            self.route[cell] = (self.hops.len() - 1) as u32;
            self.dedicated.push(cell);
        }
        let h = &mut self.hops[self.route[cell] as usize];
        h.faults.push(fault);
        h.ideal = false;
    }

    /// Crosses `from → to`: the latency and whether the message is lost, with the link faults
    /// active now.
    #[inline]
    pub fn cross(&self, from: u32, to: u32, active: &[bool], rng: &mut Rng) -> (Nanos, bool) {
        let hop = &self.hops[self.route[from as usize * self.nodes + to as usize] as usize];
        if hop.ideal {
            return (0, false);
        }
        let mut delay = hop.latency.sample(rng);
        let mut pass = 1.0 - hop.loss;
        let mut faulted = false;
        for &f in hop.faults.iter().filter(|&&f| active[f as usize]) {
            faulted = true;
            match &self.effects[f as usize] {
                Some(LinkEffect::Latency(d)) => delay += d.sample(rng),
                Some(LinkEffect::Loss(p)) => pass *= 1.0 - p,
                None => {}
            }
        }
        // Independent losses combine as 1 − Π(1 − p).
        let loss = if faulted { 1.0 - pass } else { hop.loss };
        (delay, rng.chance(loss))
    }
}

fn link_effect(kind: &FaultKind) -> Option<LinkEffect> {
    match kind {
        FaultKind::Latency { add, .. } => Some(LinkEffect::Latency(add.clone())),
        FaultKind::Loss { rate, .. } => Some(LinkEffect::Loss(*rate)),
        _ => None,
    }
}

fn hop(latency: Dist, loss: f64) -> Hop {
    let ideal = latency.is_zero() && loss == 0.0;
    Hop {
        latency,
        loss,
        faults: Vec::new(),
        ideal,
    }
}
