//! The adaptive window (Caffeine's hill climber): the share of capacity given to the admission
//! window moves in steps while the hit rate improves, reverses when it worsens, and the steps
//! shrink as it settles. Recency-heavy traffic grows the window (towards LRU), frequency-heavy
//! traffic shrinks it (towards LFU): plain W-TinyLFU with a fixed 1% window loses to LRU on
//! recency-heavy traces (caffeine#106). As in Caffeine it never stops: every sample moves the
//! window (a dead band under 0.5 point once kept it at 1% on recency-heavy traces such as
//! gcc and swim, 2-3 points under LRU), the decaying step keeps a settled window near its spot.

const INITIAL_STEP: f64 = 0.0625;
const STEP_DECAY: f64 = 0.98;
/// A hit-rate change this large means the workload changed: restart with full steps.
const RESTART_THRESHOLD: f64 = 0.05;
pub const MIN_WINDOW: f64 = 0.01;
pub const MAX_WINDOW: f64 = 0.80;

pub struct Climber {
    hits: u64,
    misses: u64,
    previous_rate: Option<f64>,
    step: f64,
    pub window: f64,
}

impl Climber {
    pub fn new(window: f64) -> Self {
        Self {
            hits: 0,
            misses: 0,
            previous_rate: None,
            step: -INITIAL_STEP,
            window,
        }
    }

    pub fn record(&mut self, hit: bool) {
        if hit {
            self.hits += 1;
        } else {
            self.misses += 1;
        }
    }

    /// Ends a sample once `sample_size` requests were seen; returns the new window share if it moved.
    pub fn climb(&mut self, sample_size: u64) -> Option<f64> {
        let total = self.hits + self.misses;
        if total < sample_size {
            return None;
        }
        let rate = self.hits as f64 / total as f64;
        self.hits = 0;
        self.misses = 0;
        let Some(previous) = self.previous_rate.replace(rate) else {
            return None; // the first sample is the baseline
        };
        let change = rate - previous;
        let amount = if change >= 0.0 { self.step } else { -self.step };
        self.step = if change.abs() >= RESTART_THRESHOLD {
            INITIAL_STEP.copysign(amount)
        } else {
            amount * STEP_DECAY
        };
        let next = (self.window + amount).clamp(MIN_WINDOW, MAX_WINDOW);
        let moved = (next - self.window).abs() > f64::EPSILON;
        self.window = next;
        moved.then_some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(c: &mut Climber, rate: f64) -> Option<f64> {
        for i in 0..100 {
            c.record((i as f64) < rate * 100.0);
        }
        c.climb(100)
    }

    #[test]
    fn keeps_direction_while_improving_and_reverses_when_worse() {
        let mut c = Climber::new(0.2);
        assert_eq!(sample(&mut c, 0.50), None, "baseline");
        let first = sample(&mut c, 0.56).unwrap(); // better: the initial direction (shrink)
        assert!(first < 0.2);
        let second = sample(&mut c, 0.60).unwrap(); // better again: same direction
        assert!(second < first);
        let third = sample(&mut c, 0.50).unwrap(); // worse: reverse
        assert!(third > second);
    }

    #[test]
    fn never_stops_sampling_and_steps_shrink() {
        let mut c = Climber::new(0.5);
        sample(&mut c, 0.50);
        let mut last = c.window;
        let mut moves = Vec::new();
        for _ in 0..5 {
            let next = sample(&mut c, 0.50).expect("an unchanged rate still moves the window");
            moves.push((next - last).abs());
            last = next;
        }
        assert!(moves.windows(2).all(|m| m[1] < m[0]), "{moves:?}");
    }

    #[test]
    fn stays_within_bounds() {
        let mut c = Climber::new(0.02);
        for _ in 0..50 {
            sample(&mut c, 0.5);
        }
        assert!(c.window >= MIN_WINDOW && c.window <= MAX_WINDOW);
    }

    #[test]
    fn waits_for_a_full_sample() {
        let mut c = Climber::new(0.1);
        c.record(true);
        assert_eq!(c.climb(100), None);
    }
}
