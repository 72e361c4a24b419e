//! A bounded, generation-checked cache for what the engine computes (grids, observations as
//! known on a day, maps, area tables, event windows).
//!
//! Every cache here has a byte budget, whatever the query mix: entries report their weight once
//! computed and the least recently used are dropped beyond the budget. A value computed at an
//! older write generation is recomputed on its next request. Concurrent first requests for one
//! key wait for a single computation (the slot's lock) instead of racing.

use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};

/// The approximate heap size of a cached value, bytes.
pub trait Weigh {
    fn weight(&self) -> usize;
}

struct Slot<V> {
    generation: u64,
    /// Held while the value is computed, so that a second request for it waits.
    value: Mutex<Option<Arc<V>>>,
    weight: std::sync::atomic::AtomicUsize,
}

/// Least-recently-used entries, newest last, within `budget` bytes.
pub struct BoundedCache<K, V> {
    entries: Mutex<Vec<(K, Arc<Slot<V>>)>>,
    budget: usize,
    max_entries: usize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while computing leaves the slot empty, not corrupt: go on with it.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl<K: Eq + Hash + Clone, V: Weigh> BoundedCache<K, V> {
    /// A cache of at most `max_entries` entries weighing at most `budget` bytes together (the
    /// newest entry is kept even if it alone is heavier).
    pub fn new(budget: usize, max_entries: usize) -> Self {
        Self {
            entries: Mutex::new(Vec::new()),
            budget,
            max_entries: max_entries.max(1),
        }
    }

    /// The value for `key` at `generation`, computed by `init` if absent or stale.
    pub fn get_or_try_init<E>(
        &self,
        key: &K,
        generation: u64,
        init: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        let slot = {
            let mut entries = lock(&self.entries);
            let found = entries.iter().position(|(k, _)| k == key);
            let slot = match found {
                Some(i) if entries[i].1.generation == generation => {
                    let e = entries.remove(i);
                    let s = Arc::clone(&e.1);
                    entries.push(e);
                    s
                }
                other => {
                    if let Some(i) = other {
                        entries.remove(i);
                    }
                    let s = Arc::new(Slot {
                        generation,
                        value: Mutex::new(None),
                        weight: 0.into(),
                    });
                    entries.push((key.clone(), Arc::clone(&s)));
                    s
                }
            };
            Self::trim(&mut entries, self.budget, self.max_entries);
            slot
        };
        let mut value = lock(&slot.value);
        if let Some(v) = &*value {
            return Ok(Arc::clone(v));
        }
        match init() {
            Ok(v) => {
                let v = Arc::new(v);
                slot.weight
                    .store(v.weight(), std::sync::atomic::Ordering::Relaxed);
                *value = Some(Arc::clone(&v));
                drop(value);
                Self::trim(&mut lock(&self.entries), self.budget, self.max_entries);
                Ok(v)
            }
            Err(e) => {
                drop(value);
                let mut entries = lock(&self.entries);
                entries.retain(|(_, s)| !Arc::ptr_eq(s, &slot));
                Err(e)
            }
        }
    }

    /// The value for `key` if it is cached at `generation` and computed.
    pub fn peek(&self, key: &K, generation: u64) -> Option<Arc<V>> {
        let slot = {
            let entries = lock(&self.entries);
            entries
                .iter()
                .find(|(k, s)| k == key && s.generation == generation)
                .map(|(_, s)| Arc::clone(s))?
        };
        let v = slot.value.try_lock().ok()?.clone();
        v
    }

    /// Drop the oldest entries until the budget holds (the newest is always kept).
    fn trim(entries: &mut Vec<(K, Arc<Slot<V>>)>, budget: usize, max_entries: usize) {
        while entries.len() > max_entries {
            entries.remove(0);
        }
        loop {
            let total: usize = entries
                .iter()
                .map(|(_, s)| s.weight.load(std::sync::atomic::Ordering::Relaxed))
                .sum();
            if total <= budget || entries.len() <= 1 {
                break;
            }
            entries.remove(0);
        }
    }

    /// Number of entries (computed or being computed).
    pub fn len(&self) -> usize {
        lock(&self.entries).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total weight of the computed entries, bytes.
    pub fn weight(&self) -> usize {
        lock(&self.entries)
            .iter()
            .map(|(_, s)| s.weight.load(std::sync::atomic::Ordering::Relaxed))
            .sum()
    }
}

/// A small byte-capped map of ready bodies (a map's vector tiles): when full, the oldest half
/// is dropped.
pub struct ByteCache<K> {
    inner: Mutex<(Vec<(K, crate::app::encoded::Encoded)>, usize)>,
    budget: usize,
}

impl<K: Eq + Clone> ByteCache<K> {
    pub fn new(budget: usize) -> Self {
        Self {
            inner: Mutex::new((Vec::new(), 0)),
            budget,
        }
    }

    pub fn get(&self, key: &K) -> Option<crate::app::encoded::Encoded> {
        lock(&self.inner)
            .0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    pub fn insert(&self, key: K, value: crate::app::encoded::Encoded) {
        let mut g = lock(&self.inner);
        let w = value.weight();
        if w > self.budget {
            return;
        }
        if g.0.iter().any(|(k, _)| *k == key) {
            return;
        }
        while g.1 + w > self.budget && !g.0.is_empty() {
            let drop_n = g.0.len().div_ceil(2);
            let freed: usize = g.0.drain(..drop_n).map(|(_, v)| v.weight()).sum();
            g.1 -= freed;
        }
        g.1 += w;
        g.0.push((key, value));
    }

    /// Bytes held.
    pub fn weight(&self) -> usize {
        lock(&self.inner).1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Blob(usize);
    impl Weigh for Blob {
        fn weight(&self) -> usize {
            self.0
        }
    }

    #[test]
    fn the_budget_holds_whatever_the_keys() {
        let c: BoundedCache<u32, Blob> = BoundedCache::new(1000, 100);
        for k in 0..500 {
            c.get_or_try_init(&k, 0, || Ok::<_, ()>(Blob(300))).unwrap();
            assert!(c.weight() <= 1000, "{} bytes after key {k}", c.weight());
        }
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn a_stale_generation_is_recomputed_and_a_fresh_one_reused() {
        let c: BoundedCache<u32, Blob> = BoundedCache::new(1000, 10);
        let mut calls = 0;
        for generation in [0, 0, 1, 1] {
            c.get_or_try_init(&7, generation, || {
                calls += 1;
                Ok::<_, ()>(Blob(1))
            })
            .unwrap();
        }
        assert_eq!(calls, 2);
    }

    #[test]
    fn a_failed_computation_is_not_kept() {
        let c: BoundedCache<u32, Blob> = BoundedCache::new(1000, 10);
        assert!(c.get_or_try_init(&1, 0, || Err::<Blob, _>("no")).is_err());
        assert_eq!(c.len(), 0);
        assert!(c.get_or_try_init(&1, 0, || Ok::<_, ()>(Blob(1))).is_ok());
    }

    #[test]
    fn the_entry_cap_holds() {
        let c: BoundedCache<u32, Blob> = BoundedCache::new(usize::MAX, 4);
        for k in 0..50 {
            c.get_or_try_init(&k, 0, || Ok::<_, ()>(Blob(0))).unwrap();
        }
        assert_eq!(c.len(), 4);
    }
}
