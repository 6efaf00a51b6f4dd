//! Network hops: one-way latency and loss between any two nodes (node 0 = the client,
//! node 1 + s = service s). Link overrides apply in both directions.

use alloc::vec::Vec;

use crate::dist::Dist;
use crate::scenario::Network;

#[derive(Debug)]
pub struct Hop {
    pub latency: Dist,
    pub loss: f64,
    /// Constant zero latency and no loss: delivery needs no random draw.
    pub ideal: bool,
}

#[derive(Debug)]
pub struct Topology {
    nodes: usize,
    hops: Vec<Hop>,
    /// `nodes × nodes` matrix of indices into `hops`.
    route: Vec<u16>,
}

impl Topology {
    pub fn new(net: &Network, services: usize) -> Self {
        let nodes = services + 1;
        let mut hops = alloc::vec![hop(net.latency.clone(), net.loss)];
        let mut route = alloc::vec![0u16; nodes * nodes];
        for link in &net.links {
            let h = hop(
                link.latency.clone().unwrap_or_else(|| net.latency.clone()),
                link.loss.unwrap_or(net.loss),
            );
            hops.push(h);
            let idx = (hops.len() - 1) as u16;
            let [a, b] = link.between;
            route[a as usize * nodes + b as usize] = idx;
            route[b as usize * nodes + a as usize] = idx;
        }
        Topology { nodes, hops, route }
    }

    #[inline]
    pub fn hop(&self, from: u32, to: u32) -> &Hop {
        &self.hops[self.route[from as usize * self.nodes + to as usize] as usize]
    }
}

fn hop(latency: Dist, loss: f64) -> Hop {
    let ideal = latency.is_zero() && loss == 0.0;
    Hop {
        latency,
        loss,
        ideal,
    }
}
