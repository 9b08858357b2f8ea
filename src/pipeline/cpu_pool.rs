//! A fixed set of threads for the CPU work of archiving (decoding and extraction), off the
//! async runtime.
//!
//! Not the runtime's blocking pool: its threads come and go and outnumber the cores, and every
//! thread that extracts keeps caches of its own (the regex crate's lazy DFAs, megabytes each
//! when full, and with glibc an allocator arena), so over a long run the process grew with the
//! number of pages. A fixed few threads, one per core, keep it flat. Jobs wait their turn in
//! order of arrival.
//!
//! Each job also weighs something (a page's size in bytes), and the jobs running at once may
//! weigh at most the pool's budget, except a job that runs alone. Extracting a page takes
//! about ten times its size while it runs (the DOM, then the body's blocks): two large pages
//! extracted together were the process's peak, reached by chance more often the more URLs a
//! run had. The budget makes the peak one large page's, however many pages come.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};

struct Job {
    weight: usize,
    run: Box<dyn FnOnce() + Send>,
}

/// The weight of the jobs running now, against the budget.
struct Budget {
    limit: usize,
    in_use: Mutex<usize>,
    freed: Condvar,
}

impl Budget {
    /// Waits until `weight` fits beside the running jobs, or nothing runs.
    fn take(&self, weight: usize) {
        let mut in_use = self.in_use.lock().unwrap_or_else(|e| e.into_inner());
        while *in_use > 0 && in_use.saturating_add(weight) > self.limit {
            in_use = self.freed.wait(in_use).unwrap_or_else(|e| e.into_inner());
        }
        *in_use += weight;
    }

    fn give_back(&self, weight: usize) {
        let mut in_use = self.in_use.lock().unwrap_or_else(|e| e.into_inner());
        *in_use -= weight;
        self.freed.notify_all();
    }
}

/// Cheap to clone; the threads end when the last clone is dropped.
#[derive(Clone)]
pub(super) struct CpuPool {
    jobs: Sender<Job>,
}

impl CpuPool {
    /// `threads` threads, running jobs that weigh at most `budget` together.
    pub(super) fn start(threads: usize, budget: usize) -> CpuPool {
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let budget = Arc::new(Budget {
            limit: budget,
            in_use: Mutex::new(0),
            freed: Condvar::new(),
        });
        for i in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            let budget = Arc::clone(&budget);
            std::thread::Builder::new()
                .name(format!("extract-{i}"))
                .spawn(move || work(&queue, &budget))
                .expect("cannot start an extraction thread");
        }
        CpuPool { jobs }
    }

    /// Runs `f`, a job of the given weight, on one of the pool's threads once one is free and
    /// the weight fits the budget; a panic in `f` is an error.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        weight: usize,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job {
            weight,
            run: Box::new(move || {
                let _ = reply.send(catch_unwind(AssertUnwindSafe(f)));
            }),
        };
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

fn work(queue: &Mutex<Receiver<Job>>, budget: &Budget) {
    loop {
        // The lock is held only while waiting for the next job, not while running it.
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        budget.take(job.weight);
        // The job catches its own panic, so the weight is always given back.
        (job.run)();
        budget.give_back(job.weight);
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

    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn runs_jobs_on_its_own_threads_and_reports_a_panic() {
        let pool = CpuPool::start(2, 10);
        let name = pool
            .run(1, || std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert!(name.is_some_and(|n| n.starts_with("extract-")));
        let err = pool
            .run(1, || -> u8 { panic!("bad page") })
            .await
            .unwrap_err();
        assert!(err.contains("bad page"), "{err}");
        // The threads go on after a panic, and its weight was given back.
        for i in 0..4u64 {
            assert_eq!(pool.run(10, move || i * 2).await.unwrap(), i * 2);
        }
    }

    #[tokio::test]
    async fn heavy_jobs_run_one_at_a_time_and_light_ones_together() {
        let pool = CpuPool::start(2, 10);
        // Two light jobs meet: each waits for the other, which only ends if both run at once.
        let (a_to_b, b_hears) = std::sync::mpsc::channel();
        let (b_to_a, a_hears) = std::sync::mpsc::channel();
        let meet = |tell: std::sync::mpsc::Sender<()>, hear: std::sync::mpsc::Receiver<()>| {
            move || {
                tell.send(()).unwrap();
                hear.recv_timeout(Duration::from_secs(30)).is_ok()
            }
        };
        let (a, b) = tokio::join!(
            pool.run(4, meet(a_to_b, a_hears)),
            pool.run(4, meet(b_to_a, b_hears))
        );
        assert!(
            a.unwrap() && b.unwrap(),
            "two light jobs did not run together"
        );

        // Heavy jobs (over half the budget, and one over all of it) never overlap.
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let heavy = |weight| {
            let (running, most) = (Arc::clone(&running), Arc::clone(&most));
            pool.run(weight, move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
                running.fetch_sub(1, Ordering::SeqCst);
            })
        };
        let (x, y, z, w) = tokio::join!(heavy(6), heavy(7), heavy(25), heavy(6));
        for done in [x, y, z, w] {
            done.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }
}
