//! How many live streams each device holds open. A phone needs one (two while an app update
//! takes over); a token holder that opens hundreds would hold as many connections and tasks,
//! so past [`PER_DEVICE`] the next stream is refused until one closes. Counted per process:
//! behind several replicas each allows as many.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Open live streams allowed per device. A leader's desk browser may keep a tab per township or
/// per screen, and a tab refused its stream learns of new cases only from the minute's poll: be
/// generous with people, strict with a token holder opening hundreds.
pub const PER_DEVICE: usize = 16;

#[derive(Clone, Default)]
pub struct StreamCounts(Arc<Mutex<HashMap<i64, usize>>>);

/// One open stream of a device; closing it (dropping this) frees its place.
pub struct StreamSlot {
    counts: StreamCounts,
    device: i64,
}

impl StreamCounts {
    /// A place for one more stream of `device`, or `None` when it holds [`PER_DEVICE`].
    pub fn open(&self, device: i64) -> Option<StreamSlot> {
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = counts.entry(device).or_default();
        if *n >= PER_DEVICE {
            return None;
        }
        *n += 1;
        Some(StreamSlot { counts: self.clone(), device })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = counts.get_mut(&self.device) {
            *n -= 1;
            if *n == 0 {
                counts.remove(&self.device);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_gets_its_place_back_when_a_stream_closes() {
        let counts = StreamCounts::default();
        let open: Vec<StreamSlot> = (0..PER_DEVICE).map(|_| counts.open(1).unwrap()).collect();
        assert!(counts.open(1).is_none());
        assert!(counts.open(2).is_some(), "another device is not affected");
        drop(open);
        assert!(counts.open(1).is_some());
        assert!(counts.0.lock().unwrap().is_empty(), "closed streams leave nothing behind");
    }
}
