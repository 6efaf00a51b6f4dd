//! Balancers across a service's replicas.

use crate::rng::Rng;
use crate::scenario::Balance;

/// Picks a replica in `0..n` (n ≥ 2). `outstanding(i)` is the number of requests routed to
/// replica `i` and not yet answered, as a proxy would count them.
pub fn pick(
    balance: Balance,
    n: u32,
    next: &mut u32,
    rng: &mut Rng,
    outstanding: impl Fn(u32) -> u32,
) -> u32 {
    match balance {
        Balance::RoundRobin => {
            let i = *next % n;
            *next = next.wrapping_add(1);
            i
        }
        // Ties are broken by rotating the scan start, so equal replicas share load evenly
        // instead of the first one taking every tie (as Envoy and nginx do).
        Balance::LeastConnections => {
            let start = *next % n;
            *next = next.wrapping_add(1);
            (0..n)
                .map(|k| (start + k) % n)
                .min_by_key(|&i| outstanding(i))
                .unwrap_or(start)
        }
        Balance::Random => rng.below(n),
        // "The power of two random choices" (Mitzenmacher): two distinct random replicas, the
        // less loaded wins.
        Balance::PowerOfTwo => {
            let a = rng.below(n);
            let mut b = rng.below(n - 1);
            if b >= a {
                b += 1;
            }
            if outstanding(b) < outstanding(a) {
                b
            } else {
                a
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_connections_picks_the_emptiest_and_rotates_ties() {
        let mut next = 0;
        let mut rng = Rng::new(1);
        let load = [3, 1, 1, 5];
        let a = pick(Balance::LeastConnections, 4, &mut next, &mut rng, |i| {
            load[i as usize]
        });
        let b = pick(Balance::LeastConnections, 4, &mut next, &mut rng, |i| {
            load[i as usize]
        });
        let c = pick(Balance::LeastConnections, 4, &mut next, &mut rng, |i| {
            load[i as usize]
        });
        assert!([a, b, c].iter().all(|&x| x == 1 || x == 2));
        assert!([a, b, c].contains(&1) && [a, b, c].contains(&2));
    }

    #[test]
    fn round_robin_cycles() {
        let mut next = 0;
        let mut rng = Rng::new(1);
        let picks: alloc::vec::Vec<u32> = (0..6)
            .map(|_| pick(Balance::RoundRobin, 3, &mut next, &mut rng, |_| 0))
            .collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn power_of_two_never_picks_the_most_loaded_of_two() {
        let mut next = 0;
        let mut rng = Rng::new(4);
        for _ in 0..1000 {
            // Replica 1 is hopelessly loaded: it can only win when not drawn, i.e. never.
            let i = pick(Balance::PowerOfTwo, 2, &mut next, &mut rng, |i| {
                if i == 1 {
                    9
                } else {
                    0
                }
            });
            assert_eq!(i, 0);
        }
    }
}
