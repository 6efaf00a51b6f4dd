//! Request sources: open-loop arrival processes (Poisson by thinning, constant spacing) with
//! piecewise-linear rate schedules, and closed-loop users that think between requests.

use crate::engine::queue::Event;
use crate::engine::stats::ClientStats;
use crate::engine::Simulation;
use crate::rng::Rng;
use crate::scenario::{ActiveUsers, Arrivals, FaultKind, Scenario, Workload};
use crate::time::{from_secs_f64, Nanos};

#[derive(Debug)]
pub struct WorkloadRuntime {
    pub rng: Rng,
    /// Envelope rate for thinning: the schedule's maximum under every possible surge.
    envelope: f64,
    /// One constant rate and no surges: every candidate is accepted without a draw.
    flat: bool,
    /// Active `surge` faults: rate × factor + add.
    pub surge_factor: f64,
    pub surge_add: f64,
    /// Extra think time for closed-loop users (the collapse detector's throttle feedback).
    pub throttle_delay: Nanos,
    /// `active_users`: the current window's users / mean, and when the window ends.
    users_factor: f64,
    window_end: Nanos,
    pub stats: ClientStats,
}

impl WorkloadRuntime {
    pub fn new(w: &Workload, sc: &Scenario, index: usize, rng: Rng) -> Self {
        let (mut factor, mut add) = (1.0, 0.0);
        for f in &sc.faults {
            if let FaultKind::Surge {
                workload,
                factor: k,
                add: a,
            } = &f.kind
            {
                if *workload as usize == index {
                    factor *= k.max(1.0);
                    add += a;
                }
            }
        }
        let surges = factor != 1.0 || add != 0.0;
        let (envelope, flat) = match &w.arrivals {
            Arrivals::Poisson(s) | Arrivals::Constant(s) => {
                (s.max_rate() * factor + add, s.points.len() == 1 && !surges)
            }
            Arrivals::Closed { .. } => (0.0, true),
        };
        WorkloadRuntime {
            rng,
            envelope,
            flat,
            surge_factor: 1.0,
            surge_add: 0.0,
            throttle_delay: 0,
            users_factor: 1.0,
            window_end: 0,
            stats: ClientStats::default(),
        }
    }

    /// The offered rate at `t`, surges included.
    fn rate(&self, w: &Workload, t: Nanos) -> f64 {
        match &w.arrivals {
            Arrivals::Poisson(s) | Arrivals::Constant(s) => {
                s.rate_at(t) * self.surge_factor + self.surge_add
            }
            Arrivals::Closed { .. } => 0.0,
        }
    }

    /// The next candidate of a Poisson workload with `active_users`: candidates come at the
    /// envelope × users / mean; a candidate past the window's end is dropped and the clock
    /// restarts at the boundary with a new count (exact: exponential gaps are memoryless).
    fn next_in_windows(&mut self, users: &ActiveUsers, now: Nanos, end: Nanos) -> Option<Nanos> {
        let mut t = now;
        loop {
            if t >= self.window_end {
                self.window_end = (t / users.every + 1) * users.every;
                self.users_factor = self.draw_users(users) / users.mean;
            }
            let rate = self.envelope * self.users_factor;
            if rate > 0.0 {
                let gap = from_secs_f64(-libm::log(self.rng.f64_open0()) / rate).max(1);
                if t + gap < self.window_end {
                    return (t + gap <= end).then_some(t + gap);
                }
            }
            t = self.window_end;
            if t > end {
                return None;
            }
        }
    }

    fn draw_users(&mut self, users: &ActiveUsers) -> f64 {
        match users.normal_sd {
            Some(sd) => (users.mean + sd * crate::dist::standard_normal(&mut self.rng)).max(0.0),
            None => crate::dist::poisson(&mut self.rng, users.mean),
        }
    }

    /// Draws an endpoint from the workload's mix.
    #[inline]
    pub fn choose_endpoint(&mut self, w: &Workload) -> u32 {
        if w.mix.len() == 1 {
            return w.mix[0].0;
        }
        let u = self.rng.f64();
        w.mix
            .iter()
            .find(|(_, cum)| u < *cum)
            .unwrap_or(&w.mix[w.mix.len() - 1])
            .0
    }
}

impl Simulation {
    pub(super) fn start_workload(&mut self, w: u32) {
        let wl = &self.sc.workloads[w as usize];
        match &wl.arrivals {
            Arrivals::Poisson(_) | Arrivals::Constant(_) => {
                if let Some(t) = self.next_arrival(w, 0) {
                    self.queue.push(t, Event::Arrival { workload: w });
                }
            }
            Arrivals::Closed { users, .. } => {
                for user in 0..*users {
                    self.think(w, user);
                }
            }
        }
    }

    /// The next open-loop candidate arrival after `now`, if it falls within the run.
    fn next_arrival(&mut self, w: u32, now: Nanos) -> Option<Nanos> {
        let rt = &mut self.workloads[w as usize];
        let wl = &self.sc.workloads[w as usize];
        if let (Some(users), Arrivals::Poisson(_)) = (&wl.active_users, &wl.arrivals) {
            return rt.next_in_windows(users, now, self.sc.duration);
        }
        let gap = match &wl.arrivals {
            Arrivals::Poisson(_) if rt.envelope > 0.0 => {
                from_secs_f64(-libm::log(rt.rng.f64_open0()) / rt.envelope)
            }
            Arrivals::Constant(s) => {
                let rate = rt.rate(wl, now);
                if rate > 0.0 {
                    from_secs_f64(1.0 / rate)
                } else {
                    // Idle until the schedule next changes, or a ramp (up from 0) starting now
                    // has accumulated one request: r·x²/(2·ramp) = 1 within the ramp.
                    let p = s
                        .points
                        .iter()
                        .find(|p| p.at > now || (p.at == now && p.ramp > 0))?;
                    let wait = p.at - now;
                    if p.ramp == 0 || p.rate <= 0.0 {
                        wait
                    } else {
                        let ramp = crate::time::to_secs_f64(p.ramp);
                        let x = libm::sqrt(2.0 * ramp / p.rate);
                        let x = if x <= ramp {
                            x
                        } else {
                            ramp + (1.0 - p.rate * ramp / 2.0) / p.rate
                        };
                        wait + from_secs_f64(x)
                    }
                }
            }
            _ => return None,
        };
        let t = now + gap.max(1);
        (t <= self.sc.duration).then_some(t)
    }

    pub(super) fn on_arrival(&mut self, w: u32) {
        let now = self.now;
        let accept = {
            let rt = &mut self.workloads[w as usize];
            let wl = &self.sc.workloads[w as usize];
            match &wl.arrivals {
                Arrivals::Poisson(_) if !rt.flat => {
                    let rate = rt.rate(wl, now);
                    rt.rng.f64() * rt.envelope < rate
                }
                Arrivals::Constant(_) => rt.rate(wl, now) > 0.0,
                _ => true,
            }
        };
        if accept {
            self.send_client_request(w, u32::MAX);
        }
        if let Some(t) = self.next_arrival(w, now) {
            self.queue.push(t, Event::Arrival { workload: w });
        }
    }

    /// A closed-loop user got an outcome (or starts): it thinks, then sends again.
    pub(super) fn think(&mut self, w: u32, user: u32) {
        let Arrivals::Closed { think, .. } = &self.sc.workloads[w as usize].arrivals else {
            return;
        };
        let rt = &mut self.workloads[w as usize];
        let t = self.now + think.sample(&mut rt.rng) + rt.throttle_delay;
        if t <= self.sc.duration {
            self.queue.push(t, Event::UserWake { workload: w, user });
        }
    }

    /// Called when a client request's outcome is known to its sender.
    pub(super) fn user_done(&mut self, w: u32, user: u32) {
        if user != u32::MAX {
            self.think(w, user);
        }
    }
}
