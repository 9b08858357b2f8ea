//! A fixed set of threads for the CPU work of archiving (decoding and extraction), off the
//! async runtime.
//!
//! Not the runtime's blocking pool: its threads come and go and outnumber the cores, and every
//! thread that extracts keeps caches of its own (the regex crate's lazy DFAs, megabytes each
//! when full, and with glibc an allocator arena), so over a long run the process grew with the
//! number of pages. A fixed few threads, one per core, keep it flat. Jobs wait their turn in
//! order of arrival.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send>;

/// Cheap to clone; the threads end when the last clone is dropped.
#[derive(Clone)]
pub(super) struct CpuPool {
    jobs: Sender<Job>,
}

impl CpuPool {
    pub(super) fn start(threads: usize) -> CpuPool {
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("extract-{i}"))
                .spawn(move || work(&queue))
                .expect("cannot start an extraction thread");
        }
        CpuPool { jobs }
    }

    /// Runs `f` on one of the pool's threads once one is free; a panic in `f` is an error.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = reply.send(catch_unwind(AssertUnwindSafe(f)));
        });
        self.jobs
            .send(job)
            .map_err(|_| "the extraction threads are gone".to_owned())?;
        match answer.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(panic)) => Err(format!("extraction crashed: {}", panic_message(&*panic))),
            Err(_) => Err("the extraction job was dropped unrun".to_owned()),
        }
    }
}

fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while waiting for the next job, not while running it.
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_on_its_own_threads_and_reports_a_panic() {
        let pool = CpuPool::start(2);
        let name = pool
            .run(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert!(name.is_some_and(|n| n.starts_with("extract-")));
        let err = pool.run(|| -> u8 { panic!("bad page") }).await.unwrap_err();
        assert!(err.contains("bad page"), "{err}");
        // The threads go on after a panic.
        for i in 0..4u64 {
            assert_eq!(pool.run(move || i * 2).await.unwrap(), i * 2);
        }
    }
}
