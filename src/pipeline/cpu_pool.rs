//! A fixed set of threads for the CPU work of archiving (decoding and extraction), off the
//! async runtime.
//!
//! Not the runtime's blocking pool: its threads come and go and outnumber the cores, and every
//! thread that extracts keeps caches of its own (the regex crate's lazy DFAs, megabytes each
//! when full, and with glibc an allocator arena), so over a long run the process grew with the
//! number of pages. A fixed few threads, one per core, keep it flat. Jobs wait their turn in
//! order of arrival.
//!
//! A page's tree takes about ten times its HTML (a 1.6 MB page's, 14 MB), so pages are let in
//! by their size too: at most [`PAGE_BYTES_AT_ONCE`] of HTML is being extracted at once, and a
//! larger page has the threads to itself. Two big pages parsed side by side were the highest
//! peaks of a long run's memory; the rare big page waits for the small ones before it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

type Job = Box<dyn FnOnce() + Send>;

/// The most HTML, in bytes, whose pages are extracted at once (see the module's note).
const PAGE_BYTES_AT_ONCE: usize = 2 << 20;

/// The kilobytes of [`PAGE_BYTES_AT_ONCE`] a page of `page_len` bytes takes: all of them for a
/// page larger than that, so that it is extracted alone.
fn page_kb(page_len: usize) -> usize {
    page_len.div_ceil(1024).clamp(1, PAGE_BYTES_AT_ONCE / 1024)
}

/// [`CpuPool::run_page`]'s gate for threads that block rather than await (`extract --json`
/// over many files): at most [`PAGE_BYTES_AT_ONCE`] of HTML extracted at once.
pub struct PageRoom {
    free_kb: Mutex<usize>,
    freed: Condvar,
}

/// Room taken by one page; given back when dropped.
pub struct TakenRoom<'a> {
    room: &'a PageRoom,
    kb: usize,
}

impl Default for PageRoom {
    fn default() -> Self {
        PageRoom {
            free_kb: Mutex::new(PAGE_BYTES_AT_ONCE / 1024),
            freed: Condvar::new(),
        }
    }
}

impl PageRoom {
    /// Waits until the pages being extracted leave room for one of `page_len` bytes, and takes
    /// it.
    pub fn take(&self, page_len: usize) -> TakenRoom<'_> {
        let kb = page_kb(page_len);
        let free = self.free_kb.lock().unwrap_or_else(PoisonError::into_inner);
        let mut free = self
            .freed
            .wait_while(free, |free| *free < kb)
            .unwrap_or_else(PoisonError::into_inner);
        *free -= kb;
        TakenRoom { room: self, kb }
    }
}

impl Drop for TakenRoom<'_> {
    fn drop(&mut self) {
        let mut free = self
            .room
            .free_kb
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *free += self.kb;
        self.room.freed.notify_all();
    }
}

/// Cheap to clone; the threads end when the last clone is dropped.
#[derive(Clone)]
pub(super) struct CpuPool {
    jobs: Sender<Job>,
    /// Kilobytes of [`PAGE_BYTES_AT_ONCE`] not taken by pages being extracted.
    page_kb: Arc<tokio::sync::Semaphore>,
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
        CpuPool {
            jobs,
            page_kb: Arc::new(tokio::sync::Semaphore::new(PAGE_BYTES_AT_ONCE / 1024)),
        }
    }

    /// [`Self::run`] for the extraction of a page of `page_len` bytes, once the pages being
    /// extracted leave room for it (a page larger than the room waits to be alone).
    pub(super) async fn run_page<T: Send + 'static>(
        &self,
        page_len: usize,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        let kb = page_kb(page_len);
        let _room = self
            .page_kb
            .acquire_many(u32::try_from(kb).unwrap_or(u32::MAX))
            .await
            .map_err(|_| "the extraction threads are gone".to_owned())?;
        self.run(f).await
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

    /// Runs `pages` (sizes) through `pool` at once; the most that ran side by side.
    async fn most_at_once(pool: &CpuPool, pages: &[usize]) -> usize {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut jobs = tokio::task::JoinSet::new();
        for &len in pages {
            let (pool, running, most) = (pool.clone(), Arc::clone(&running), Arc::clone(&most));
            jobs.spawn(async move {
                pool.run_page(len, move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(30));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            });
        }
        while let Some(done) = jobs.join_next().await {
            done.unwrap().unwrap();
        }
        most.load(Ordering::SeqCst)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn big_pages_are_extracted_one_at_a_time_and_small_ones_side_by_side() {
        let pool = CpuPool::start(2);
        assert_eq!(most_at_once(&pool, &[40_000; 6]).await, 2);
        let big = PAGE_BYTES_AT_ONCE * 2 / 3;
        assert_eq!(most_at_once(&pool, &[big; 4]).await, 1);
        // Larger than the room: it still runs, alone.
        assert_eq!(
            most_at_once(&pool, &[PAGE_BYTES_AT_ONCE * 5, 1_000]).await,
            1
        );
    }

    /// Runs `pages` (sizes) on one thread each through `room`; the most that held room at once.
    fn most_in_room(room: &PageRoom, pages: &[usize]) -> usize {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (running, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|scope| {
            for &len in pages {
                let (running, most) = (&running, &most);
                scope.spawn(move || {
                    let _taken = room.take(len);
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(30));
                    running.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        most.load(Ordering::SeqCst)
    }

    #[test]
    fn blocking_threads_share_the_room_as_the_pool_does() {
        let room = PageRoom::default();
        assert_eq!(most_in_room(&room, &[40_000; 4]), 4);
        let big = PAGE_BYTES_AT_ONCE * 2 / 3;
        assert_eq!(most_in_room(&room, &[big; 3]), 1);
        assert_eq!(most_in_room(&room, &[PAGE_BYTES_AT_ONCE * 5, 1_000]), 1);
        // All of it given back.
        assert_eq!(*room.free_kb.lock().unwrap(), PAGE_BYTES_AT_ONCE / 1024);
    }
}
