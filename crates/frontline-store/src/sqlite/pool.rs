//! A small pool of SQLite connections shared by every thread that calls the store. A caller
//! takes a connection for the length of one operation and gives it back when done; when none
//! is free it waits, up to the store's busy bound, and then gets [`StoreError::Busy`] instead
//! of waiting forever.

use rusqlite::Connection;
use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Instant;

use crate::StoreError;

pub(super) struct Conns {
    idle: Mutex<Vec<Connection>>,
    freed: Condvar,
}

impl Conns {
    pub fn new(conns: Vec<Connection>) -> Self {
        Self {
            idle: Mutex::new(conns),
            freed: Condvar::new(),
        }
    }

    /// A free connection, waiting for one until `deadline`.
    pub fn take(&self, deadline: Instant) -> Result<Lease<'_>, StoreError> {
        // The lock guards only the list (never user code), so a poisoned lock still holds a
        // consistent list.
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(conn) = idle.pop() {
                return Ok(Lease {
                    conns: self,
                    conn: Some(conn),
                });
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError::Busy);
            }
            idle = self
                .freed
                .wait_timeout(idle, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// A connection taken from a [`Conns`]; returned when dropped (also while unwinding: a
/// transaction left open by a panic was rolled back when it was dropped first).
pub(super) struct Lease<'a> {
    conns: &'a Conns,
    conn: Option<Connection>,
}

impl Deref for Lease<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
            .as_ref()
            .expect("a lease holds its connection until dropped")
    }
}

impl DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn
            .as_mut()
            .expect("a lease holds its connection until dropped")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.conns
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(conn);
            self.conns.freed.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_taken_connection_comes_back_and_waiting_past_the_deadline_is_busy() {
        let conns = Conns::new(vec![Connection::open_in_memory().unwrap()]);
        let lease = conns.take(Instant::now()).unwrap();
        let t0 = Instant::now();
        let waited = conns.take(Instant::now() + Duration::from_millis(50));
        assert!(matches!(waited, Err(StoreError::Busy)));
        assert!(t0.elapsed() >= Duration::from_millis(50));
        drop(lease);
        assert!(conns.take(Instant::now()).is_ok());
    }

    #[test]
    fn a_waiting_caller_gets_the_connection_when_it_is_given_back() {
        let conns = std::sync::Arc::new(Conns::new(vec![Connection::open_in_memory().unwrap()]));
        let lease = conns.take(Instant::now()).unwrap();
        let other = std::sync::Arc::clone(&conns);
        let waiter = std::thread::spawn(move || {
            other
                .take(Instant::now() + Duration::from_secs(10))
                .map(|_| ())
        });
        std::thread::sleep(Duration::from_millis(20));
        drop(lease);
        assert!(waiter.join().unwrap().is_ok());
    }
}
