//! A small pool of blocking database handles for async handlers.
//!
//! The store is synchronous, so every database call runs on tokio's blocking threads
//! (`spawn_blocking`) with a handle taken from this pool; the async runtime never waits on
//! SQLite. SQLite in WAL mode lets the readers run in parallel with one writer, so a handful of
//! handles is enough: the semaphore bounds how many blocking threads the database can occupy.

use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

use super::error::ApiError;

pub struct Pool<T> {
    items: Mutex<Vec<T>>,
    permits: Semaphore,
}

impl<T: Send + 'static> Pool<T> {
    pub fn new(items: Vec<T>) -> Arc<Self> {
        let n = items.len();
        assert!(n > 0, "a pool needs at least one handle");
        Arc::new(Self {
            items: Mutex::new(items),
            permits: Semaphore::new(n),
        })
    }

    /// Run `f` with a handle on a blocking thread and hand the handle back afterwards (also
    /// when `f` panics, in which case the handle is dropped and the caller gets a 500).
    pub async fn run<R, F>(self: &Arc<Self>, f: F) -> Result<R, ApiError>
    where
        F: FnOnce(&mut T) -> R + Send + 'static,
        R: Send + 'static,
    {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| ApiError::internal(format!("database pool closed: {e}")))?;
        let pool = Arc::clone(self);
        let out = tokio::task::spawn_blocking(move || {
            let mut item = pool
                .items
                .lock()
                .expect("pool lock is never held across a panic")
                .pop()
                .expect("a permit guarantees a free handle");
            let r = f(&mut item);
            pool.items
                .lock()
                .expect("pool lock is never held across a panic")
                .push(item);
            r
        })
        .await;
        drop(permit);
        match out {
            Ok(r) => Ok(r),
            Err(e) => {
                // The handle went down with the panicking task: replace the lost permit's
                // handle count by forgetting the permit, so later callers do not wait for a
                // handle that no longer exists.
                self.permits.forget_permits(1);
                Err(ApiError::internal(format!("database task failed: {e}")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn handles_are_reused_and_a_panic_is_a_500() {
        let pool = Pool::new(vec![1u32, 2]);
        let sum = pool.run(|x| *x + 1).await.unwrap();
        assert!(sum == 2 || sum == 3);
        let err = pool.run(|_| -> u32 { panic!("boom") }).await.unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!err.message.contains("boom"));
        // One handle is left and still works.
        assert!(pool.run(|x| *x).await.is_ok());
    }
}
