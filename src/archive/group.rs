//! Group commit: units of work (one article's version, blob, fetch-log row, next check and
//! queue state) finishing at about the same time share one transaction and so one sync of the
//! file. A unit is reported done only once the commit that holds it is durable; a unit that
//! fails is rolled back alone (a savepoint), the others of its group still commit.

use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::sync::{Arc, Mutex};

use super::{Archive, ArchiveError};

/// Tells one unit's caller how its group's commit went.
type Deliver = Box<dyn FnOnce(Option<&ArchiveError>) + Send>;
/// One unit of work; dropping it unrun tells its caller that nothing was stored.
type Job = Box<dyn FnOnce(&mut Archive) -> Deliver + Send>;

/// Hands units of work to one committing thread, which groups those waiting. Cheap to clone;
/// the thread ends when the last clone is dropped.
#[derive(Clone)]
pub struct GroupCommitter {
    jobs: Sender<Job>,
}

impl GroupCommitter {
    /// Starts the committing thread for `archive`; a group holds at most `max_group` units.
    pub fn start(archive: Arc<Mutex<Archive>>, max_group: usize) -> GroupCommitter {
        let (jobs, queue) = channel();
        std::thread::Builder::new()
            .name("archive-commit".into())
            .spawn(move || commit_loop(&archive, &queue, max_group.max(1)))
            .expect("cannot start the archive commit thread");
        GroupCommitter { jobs }
    }

    /// Runs `f` as one unit of work and waits until it is durable (or failed, with nothing of
    /// it stored).
    pub async fn commit<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Archive) -> Result<T, ArchiveError> + Send + 'static,
    ) -> Result<T, ArchiveError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |archive: &mut Archive| {
            let result = archive.in_unit(f);
            Box::new(move |commit_error: Option<&ArchiveError>| {
                let result = match commit_error {
                    Some(e) => Err(ArchiveError::Commit(e.to_string())),
                    None => result,
                };
                let _ = reply.send(result);
            })
        });
        self.jobs
            .send(job)
            .map_err(|_| ArchiveError::Commit("the commit thread is gone".into()))?;
        answer
            .await
            .map_err(|_| ArchiveError::Commit("the unit of work was dropped unrun".into()))?
    }
}

fn commit_loop(archive: &Mutex<Archive>, queue: &Receiver<Job>, max_group: usize) {
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < max_group {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        let Ok(mut archive) = archive.lock() else {
            tracing::error!(
                "archive lock poisoned by a panic: {} unit(s) not stored",
                group.len()
            );
            continue;
        };
        if let Err(e) = archive.begin_group() {
            tracing::error!(
                "cannot begin a transaction: {e}; {} unit(s) not stored",
                group.len()
            );
            continue;
        }
        let deliveries: Vec<Deliver> = group.into_iter().map(|job| job(&mut archive)).collect();
        let committed = archive.commit_group();
        drop(archive);
        if let Err(e) = &committed {
            tracing::error!("commit of {} unit(s) failed: {e}", deliveries.len());
        }
        for deliver in deliveries {
            deliver(committed.as_ref().err());
        }
    }
}
