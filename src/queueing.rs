//! Queueing theory as the prediction for open-loop load: requests arrive at
//! a rate λ (Poisson, or evenly spaced) and each is served by a model. For
//! each model, the capacity it can sustain (requests per second), and where
//! a closed form exists, the mean latency from a request's arrival to its
//! completion. Pure: the caller gives the service's moments, taken from the
//! latencies actually drawn, so a prediction fits the run it sits beside.
//!
//! A request does `rounds` × (an IO wait, then CPU work). Its service time
//! S is the sum of its waits and its CPU work; its CPU time P is the CPU
//! part alone. The closed forms used:
//!
//! Which applies to a model follows from its kind's declared shape:
//!
//! - one server that runs a request from start to end (a serial model:
//!   `sequential`, `async-blocking`): with Poisson arrivals, the Pollaczek–Khinchine
//!   formula of the M/G/1 queue, E[T] = E[S] + λ·E[S²] / (2(1 − ρ)) with
//!   ρ = λ·E[S] (M/D/1 when S is fixed); with evenly spaced arrivals and a
//!   fixed S below capacity (D/D/1), E[T] = E[S].
//! - W servers (a pool: `thread-pool`, `processes`) with Poisson arrivals: the Allen–Cunneen
//!   approximation of the M/G/c queue, E[T] ≈ E[S] + C(c, a) / (c·μ − λ) ·
//!   (1 + c_s²) / 2, with C the Erlang C probability, μ = 1 / E[S],
//!   a = λ / μ and c_s² = Var[S] / E[S]². An approximation, and said so.
//!
//! The other models overlap IO and share the CPU (threads on the cores, an
//! event loop or a GIL on one core): their capacity is the CPU's, but the
//! way rounds of different requests interleave has no closed form, so
//! their prediction is the service time itself (what an unloaded model
//! reaches), marked as a lower bound.

use crate::config::{self, ArrivalDist, CpuWays, ModelKind};

/// The service a request needs, from the drawn latencies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Service {
    /// E[S] in seconds.
    pub mean_s: f64,
    /// E[S²] in seconds².
    pub second_moment_s2: f64,
    /// The CPU part of a request, in seconds.
    pub cpu_s: f64,
}

impl Service {
    fn variance(&self) -> f64 {
        (self.second_moment_s2 - self.mean_s * self.mean_s).max(0.0)
    }
}

/// How a model's mean latency is predicted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// M/G/1 (Pollaczek–Khinchine), exact.
    MG1,
    /// D/D/1: below capacity every request takes its service time.
    DD1,
    /// M/G/c, Allen–Cunneen's approximation.
    AllenCunneen,
    /// No closed form: the service time, a lower bound.
    ServiceTime,
    /// No prediction: conlab does not know how the model shares the time.
    Unknown,
}

impl Method {
    /// A short name, for results files.
    pub fn name(self) -> &'static str {
        match self {
            Method::MG1 => "M/G/1",
            Method::DD1 => "D/D/1",
            Method::AllenCunneen => "M/G/c (Allen-Cunneen)",
            Method::ServiceTime => "none: E[S], a lower bound",
            Method::Unknown => "none: the model's shape is unknown",
        }
    }
}

/// A model's prediction at one offered rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prediction {
    /// The most requests per second the model can sustain; `None` when
    /// nothing in the workload bounds it (no CPU work for a model whose
    /// IO overlaps without limit).
    pub capacity_per_s: Option<f64>,
    /// The mean latency in seconds; `None` at or above capacity, where
    /// the queue grows without end.
    pub latency_mean_s: Option<f64>,
    pub method: Method,
}

/// How many requests a model serves at once and which resource bounds it.
enum Shape {
    /// One request at a time, start to end.
    OneServer,
    /// W requests at a time, start to end; their CPU work on `cpu_ways`
    /// cores at once.
    Servers { workers: f64, cpu_ways: f64 },
    /// Every request at once, their CPU work on `cpu_ways` cores.
    Overlapping { cpu_ways: f64 },
    /// Unknown (a user's own runner): nothing predicted.
    Unknown,
}

fn shape(kind: ModelKind, workers: usize, cores: usize) -> Shape {
    match kind.shape() {
        config::Shape::Serial => Shape::OneServer,
        config::Shape::Pool { cpu } => Shape::Servers {
            workers: workers.max(1) as f64,
            cpu_ways: cpu.ways(workers, cores),
        },
        config::Shape::Overlap { cpu } => Shape::Overlapping {
            cpu_ways: cpu.ways(workers, cores),
        },
        config::Shape::Unknown => Shape::Unknown,
    }
}

/// The prediction for `kind` with `workers` on `cores`, requests arriving
/// at `rate_per_s` spaced as `spacing`, each needing `service`.
pub fn predict(
    kind: ModelKind,
    workers: usize,
    cores: usize,
    rate_per_s: f64,
    spacing: ArrivalDist,
    service: &Service,
) -> Prediction {
    let lambda = rate_per_s;
    let s = service.mean_s;
    let by_cpu = |ways: f64| (service.cpu_s > 0.0).then(|| ways / service.cpu_s);
    match shape(kind, workers, cores) {
        Shape::OneServer => {
            let capacity = (s > 0.0).then(|| 1.0 / s);
            let rho = lambda * s;
            let (latency, method) = match spacing {
                ArrivalDist::Poisson => (
                    (rho < 1.0)
                        .then(|| s + lambda * service.second_moment_s2 / (2.0 * (1.0 - rho))),
                    Method::MG1,
                ),
                ArrivalDist::Uniform if service.variance() == 0.0 => {
                    ((rho < 1.0).then_some(s), Method::DD1)
                }
                // Evenly spaced arrivals of varying service: G/G/1 has no
                // closed form.
                ArrivalDist::Uniform => ((rho < 1.0).then_some(s), Method::ServiceTime),
            };
            Prediction {
                capacity_per_s: capacity,
                latency_mean_s: latency,
                method,
            }
        }
        Shape::Servers { workers, cpu_ways } => {
            let by_servers = (s > 0.0).then(|| workers / s);
            let capacity = min_option(by_servers, by_cpu(cpu_ways));
            let below = capacity.is_none_or(|c| lambda < c);
            let cpu_bound = match (by_servers, by_cpu(cpu_ways)) {
                (Some(a), Some(b)) => b < a,
                (None, Some(_)) => true,
                _ => false,
            };
            let (latency, method) = if cpu_bound || spacing == ArrivalDist::Uniform {
                (below.then_some(s), Method::ServiceTime)
            } else {
                let wait = allen_cunneen(lambda, s, workers, service.variance());
                (below.then(|| s + wait.unwrap_or(0.0)), Method::AllenCunneen)
            };
            Prediction {
                capacity_per_s: capacity,
                latency_mean_s: latency,
                method,
            }
        }
        Shape::Overlapping { cpu_ways } => {
            let capacity = by_cpu(cpu_ways);
            let below = capacity.is_none_or(|c| lambda < c);
            Prediction {
                capacity_per_s: capacity,
                latency_mean_s: below.then_some(s),
                method: Method::ServiceTime,
            }
        }
        Shape::Unknown => Prediction {
            capacity_per_s: None,
            latency_mean_s: None,
            method: Method::Unknown,
        },
    }
}

/// The capacity of `kind` as a formula, for `conlab models` and the
/// README: E[S] is a request's mean service time (its IO waits and CPU
/// work), P its CPU work, W the workers and C the usable cores.
pub fn capacity_formula(kind: ModelKind) -> String {
    match kind.shape() {
        config::Shape::Serial => "1 / E[S]".to_string(),
        config::Shape::Pool { cpu: CpuWays::One } => {
            "min(W / E[S], 1 / P): W threads, one GIL".to_string()
        }
        config::Shape::Pool { cpu } => format!("min(W / E[S], {} / P)", cpu.symbol()),
        config::Shape::Overlap { cpu: CpuWays::One } => {
            "1 / P: one thread (or one GIL) computes".to_string()
        }
        config::Shape::Overlap { cpu } => format!("{} / P", cpu.symbol()),
        config::Shape::Unknown => "none: conlab does not know how it shares the time".to_string(),
    }
}

/// How the mean latency of `kind` is predicted, with Poisson arrivals
/// and with evenly spaced ones, for `conlab models` and the README.
pub fn latency_formula(kind: ModelKind) -> String {
    match shape(kind, 2, 2) {
        Shape::OneServer => "Poisson: M/G/1, E[S] + λ·E[S²] / (2(1 − ρ)) (M/D/1 when S is \
                             fixed); uniform: E[S] (D/D/1 when S is fixed, else no closed form)"
            .to_string(),
        Shape::Servers { .. } => "Poisson, IO-bound: M/G/c (Allen–Cunneen), E[S] + C(W, λ·E[S]) \
                                  / (W/E[S] − λ) · (1 + c_s²)/2; otherwise no closed form: E[S]"
            .to_string(),
        Shape::Overlapping { .. } => "no closed form: E[S], a lower bound".to_string(),
        Shape::Unknown => "none".to_string(),
    }
}

fn min_option(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The Erlang C probability that an arrival waits, for `c` servers and an
/// offered load of `a` = λ/μ erlangs (requires a < c).
pub fn erlang_c(c: f64, a: f64) -> f64 {
    let servers = c.round().max(1.0) as u64;
    // The Erlang B recursion is stable for large c: B(0) = 1,
    // B(k) = a·B(k−1) / (k + a·B(k−1)); then C = B / (1 − ρ(1 − B)).
    let mut b = 1.0;
    for k in 1..=servers {
        b = a * b / (k as f64 + a * b);
    }
    let rho = a / servers as f64;
    b / (1.0 - rho * (1.0 - b))
}

/// Allen–Cunneen's mean wait in queue for M/G/c, in seconds.
fn allen_cunneen(lambda: f64, mean_s: f64, c: f64, variance: f64) -> Option<f64> {
    if mean_s <= 0.0 {
        return Some(0.0);
    }
    let mu = 1.0 / mean_s;
    let a = lambda / mu;
    if a >= c {
        return None;
    }
    let cs2 = variance / (mean_s * mean_s);
    Some(erlang_c(c, a) / (c * mu - lambda) * (1.0 + cs2) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(mean_s: f64, cpu_s: f64) -> Service {
        Service {
            mean_s,
            second_moment_s2: mean_s * mean_s,
            cpu_s,
        }
    }

    #[test]
    fn md1_at_half_load_waits_half_a_service_time() {
        // M/D/1: Wq = ρ·S / (2(1 − ρ)); at ρ = 0.5, Wq = S / 2.
        let s = fixed(0.010, 0.002);
        let p = predict(ModelKind::Sequential, 1, 2, 50.0, ArrivalDist::Poisson, &s);
        assert_eq!(p.method, Method::MG1);
        assert!((p.capacity_per_s.unwrap_or(0.0) - 100.0).abs() < 1e-9);
        assert!((p.latency_mean_s.unwrap_or(0.0) - 0.015).abs() < 1e-12);
        // ρ = 0.8: Wq = 0.8 · 10 ms / 0.4 = 20 ms.
        let busy = predict(ModelKind::Sequential, 1, 2, 80.0, ArrivalDist::Poisson, &s);
        assert!((busy.latency_mean_s.unwrap_or(0.0) - 0.030).abs() < 1e-12);
        let over = predict(ModelKind::Sequential, 1, 2, 100.0, ArrivalDist::Poisson, &s);
        assert_eq!(over.latency_mean_s, None);
    }

    #[test]
    fn mm1_is_the_exponential_case() {
        // Exponential service: E[S²] = 2·E[S]²; M/M/1 gives 1/(μ − λ).
        let s = Service {
            mean_s: 0.010,
            second_moment_s2: 2.0 * 0.010 * 0.010,
            cpu_s: 0.0,
        };
        let p = predict(ModelKind::Sequential, 1, 2, 60.0, ArrivalDist::Poisson, &s);
        assert!((p.latency_mean_s.unwrap_or(0.0) - 1.0 / (100.0 - 60.0)).abs() < 1e-12);
    }

    #[test]
    fn evenly_spaced_fixed_service_never_queues_below_capacity() {
        let s = fixed(0.010, 0.001);
        let p = predict(ModelKind::Sequential, 1, 2, 90.0, ArrivalDist::Uniform, &s);
        assert_eq!((p.latency_mean_s, p.method), (Some(0.010), Method::DD1));
    }

    #[test]
    fn erlang_c_matches_known_values() {
        // One server: C = ρ. Two servers at a = 1 erlang: C = 1/3.
        assert!((erlang_c(1.0, 0.7) - 0.7).abs() < 1e-12);
        assert!((erlang_c(2.0, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        // 10 servers at a = 8: C ≈ 0.409 (standard Erlang C tables).
        assert!((erlang_c(10.0, 8.0) - 0.4092).abs() < 5e-4);
    }

    #[test]
    fn a_pool_is_bounded_by_its_workers_or_the_cores() {
        // IO-heavy: 8 workers of 10 ms requests serve 800/s; the CPU
        // (2 ms each on 2 cores) would allow 1000/s.
        let s = fixed(0.010, 0.002);
        let p = predict(ModelKind::ThreadPool, 8, 2, 400.0, ArrivalDist::Poisson, &s);
        assert!((p.capacity_per_s.unwrap_or(0.0) - 800.0).abs() < 1e-9);
        assert_eq!(p.method, Method::AllenCunneen);
        // With exponential-like variance the wait grows; deterministic
        // service (c_s² = 0) halves the M/M/c wait.
        let wait = p.latency_mean_s.unwrap_or(0.0) - 0.010;
        let mmc = erlang_c(8.0, 4.0) / (800.0 - 400.0);
        assert!((wait - mmc / 2.0).abs() < 1e-12);
        // CPU-bound: 2 workers of 10 ms CPU each on 2 cores: 200/s.
        let cpu = fixed(0.010, 0.010);
        let q = predict(
            ModelKind::Processes,
            4,
            2,
            100.0,
            ArrivalDist::Poisson,
            &cpu,
        );
        assert!((q.capacity_per_s.unwrap_or(0.0) - 200.0).abs() < 1e-9);
        assert_eq!(q.method, Method::ServiceTime);
    }

    #[test]
    fn overlapping_models_are_bounded_by_the_cpu() {
        let s = fixed(0.010, 0.002);
        let event_loop = predict(ModelKind::Async, 1, 2, 100.0, ArrivalDist::Poisson, &s);
        assert!((event_loop.capacity_per_s.unwrap_or(0.0) - 500.0).abs() < 1e-9);
        let threads = predict(ModelKind::Threads, 1, 2, 100.0, ArrivalDist::Poisson, &s);
        assert!((threads.capacity_per_s.unwrap_or(0.0) - 1000.0).abs() < 1e-9);
        assert_eq!(threads.latency_mean_s, Some(0.010));
        let no_cpu = predict(
            ModelKind::Async,
            1,
            2,
            1e6,
            ArrivalDist::Poisson,
            &fixed(0.01, 0.0),
        );
        assert_eq!(no_cpu.capacity_per_s, None);
        assert_eq!(no_cpu.latency_mean_s, Some(0.01));
    }
}
