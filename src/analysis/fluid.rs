//! Docking: a fluid (system-dynamics) model of one department's overload loop, to set beside
//! the simulator. Orders are a continuous flow; the state is the backlog of work W (hours) and
//! the department's stress S, on the simulator's calendar (work is done on working days only):
//!
//! * work arriving, every day: λ · w · (1 + σ S) · (1 + r f), where w is the mean work of an
//!   order (effort plus documentation), σ the stress slowdown, r the redo share of effort and
//!   f = base + load · Q/N + stress_fail · S the audit failure rate (Q = W / (w(1 + σS)) orders
//!   waiting, N staff);
//! * work done: N H hours on a working day while there is backlog (H working hours), else what
//!   arrives; nothing on other days. Within a day dW/dt is integrated with classical RK4;
//! * stress, at the end of each working day, by the simulator's own map (M12):
//!   S ← S + build p (1 − S) − recover (1 − p) S, p = min(1, Q / (N b)), b the backlog per staff
//!   member at full pressure.
//!
//! The weekend matters: two days of orders wait for Monday, so stress builds every week even
//! when the week's capacity exceeds its demand. [`FluidModel::tipping_demand`] finds by bisection
//! the demand above which the backlog runs away within a year. What the equations leave out is
//! the randomness of arrivals and efforts, which raises queues and so stress: the simulator
//! tips somewhat below the fluid demand (tests/docking.rs measures by how much).

/// The parameters of the loop (plain numbers, so the model does not depend on scenario types).
#[derive(Clone, Copy, Debug)]
pub struct FluidModel {
    /// Orders a calendar day.
    pub demand: f64,
    /// Mean work per order, hours (effort + documentation).
    pub work: f64,
    /// Staff.
    pub staff: f64,
    /// Working hours a working day.
    pub hours: f64,
    /// Working days a week (days 0..n of each week are worked, as in the simulator's calendar).
    pub days_per_week: u32,
    /// Audit: base failure rate, per waiting order per staff member, per unit stress.
    pub fail: (f64, f64, f64),
    /// Share of the effort a redo costs.
    pub redo_share: f64,
    /// Stress: build, recover, backlog per staff at full pressure, slowdown.
    pub stress: (f64, f64, f64, f64),
}

/// The state: backlog of work (hours) and stress.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FluidState {
    /// Hours of work waiting.
    pub backlog: f64,
    /// Stress in [0, 1].
    pub stress: f64,
}

impl FluidModel {
    /// Mean capacity in hours per calendar day.
    pub fn capacity(&self) -> f64 {
        self.days_per_week as f64 / 7.0 * self.staff * self.hours
    }

    /// Orders waiting for a given backlog and stress.
    pub fn orders_waiting(&self, s: &FluidState) -> f64 {
        s.backlog / (self.work * (1.0 + self.stress.3 * s.stress))
    }

    /// The demand at which an unloaded, unstressed week is exactly full: mean capacity over
    /// w (1 + r base). Any demand above it overloads; below it the weekend may still tip it.
    pub fn weekly_capacity_demand(&self) -> f64 {
        self.capacity() / (self.work * (1.0 + self.redo_share * self.fail.0))
    }

    /// Work arriving and done per day (hours) in state `s` on a working or free day.
    fn flow(&self, s: &FluidState, working: bool) -> f64 {
        let slowdown = self.stress.3;
        let q = self.orders_waiting(s);
        let f = (self.fail.0 + self.fail.1 * q / self.staff + self.fail.2 * s.stress).clamp(0.0, 0.95);
        let arriving = self.demand * self.work * (1.0 + slowdown * s.stress) * (1.0 + self.redo_share * f);
        let cap = if working { self.staff * self.hours } else { 0.0 };
        let done = if s.backlog > 1e-9 { cap } else { arriving.min(cap) };
        arriving - done
    }

    /// Runs `days` calendar days from `start` (RK4 with `steps` steps a day for the backlog,
    /// the stress map at the end of each working day); returns the state at the end of each day.
    pub fn integrate(&self, start: FluidState, days: usize, steps: usize) -> Vec<FluidState> {
        let h = 1.0 / steps.max(1) as f64;
        let (build, recover, per_staff, _) = self.stress;
        let mut s = start;
        let mut out = Vec::with_capacity(days);
        let at =
            |s: &FluidState, d: f64, k: f64| FluidState { backlog: (s.backlog + k * d).max(0.0), stress: s.stress };
        for day in 0..days {
            let working = (day as u32 % 7) < self.days_per_week;
            for _ in 0..steps.max(1) {
                let k1 = self.flow(&s, working);
                let k2 = self.flow(&at(&s, k1, h / 2.0), working);
                let k3 = self.flow(&at(&s, k2, h / 2.0), working);
                let k4 = self.flow(&at(&s, k3, h), working);
                s = at(&s, (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0, h);
            }
            if working {
                let p = (self.orders_waiting(&s) / (self.staff * per_staff)).clamp(0.0, 1.0);
                s.stress = (s.stress + build * p * (1.0 - s.stress) - recover * (1.0 - p) * s.stress).clamp(0.0, 1.0);
            }
            out.push(s);
        }
        out
    }

    /// Whether the backlog runs away within `days`: more than `orders` waiting at the end.
    pub fn overloads(&self, days: usize, orders: f64) -> bool {
        let end = *self.integrate(FluidState::default(), days, 24).last().expect("days > 0");
        self.orders_waiting(&end) > orders
    }

    /// The lowest demand (orders a day, to 0.1%) at which the backlog runs away within `days`
    /// (more than `orders` waiting at the end), by bisection below [`Self::weekly_capacity_demand`].
    pub fn tipping_demand(&self, days: usize, orders: f64) -> f64 {
        let with = |d: f64| FluidModel { demand: d, ..*self };
        let (mut lo, mut hi) = (0.0, 1.01 * self.weekly_capacity_demand());
        while hi - lo > 1e-3 * hi {
            let mid = 0.5 * (lo + hi);
            if with(mid).overloads(days, orders) { hi = mid } else { lo = mid }
        }
        hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(demand: f64) -> FluidModel {
        FluidModel {
            demand,
            work: 3.0,
            staff: 3.0,
            hours: 8.0,
            days_per_week: 5,
            fail: (0.1, 0.02, 0.1),
            redo_share: 0.5,
            stress: (0.08, 0.01, 3.0, 0.3),
        }
    }

    #[test]
    fn weekly_capacity() {
        // 5/7 * 3 * 8 = 17.14 h a day over 3 h * 1.05 = 5.44 orders a day.
        assert!((model(1.0).weekly_capacity_demand() - 17.142_857 / 3.15).abs() < 1e-5);
    }

    #[test]
    fn the_weekend_tips_the_loop_below_weekly_capacity() {
        let m = model(1.0);
        let tip = m.tipping_demand(365, 50.0);
        assert!(tip < 0.95 * m.weekly_capacity_demand() && tip > 0.5 * m.weekly_capacity_demand(), "{tip}");
        let calm = model(0.9 * tip).integrate(FluidState::default(), 365, 24);
        let hot = model(1.1 * tip).integrate(FluidState::default(), 365, 24);
        assert!(model(0.9 * tip).orders_waiting(calm.last().unwrap()) < 20.0);
        let end = hot.last().unwrap();
        // The loop feeds itself: stressed, and growing faster in the second half than the first.
        assert!(end.stress > 0.9 && end.backlog - hot[182].backlog > hot[182].backlog, "{end:?}");
    }

    #[test]
    fn rk4_converges() {
        let m = model(6.0);
        let a = m.integrate(FluidState::default(), 200, 4).last().copied().unwrap();
        let b = m.integrate(FluidState::default(), 200, 64).last().copied().unwrap();
        assert!((a.backlog - b.backlog).abs() < 1e-3 * b.backlog.max(1.0), "{a:?} {b:?}");
    }
}
