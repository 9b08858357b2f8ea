//! Leases and shared politeness on one archive, through two connections as two workers (two
//! daemons) would hold them: claims never overlap, an expired lease is taken over, only the
//! holder settles an item, a source's poll has one holder, and the per-host bookings of both
//! connections are an interval apart. Each runs on an SQLite file and on a database of a
//! throwaway PostgreSQL cluster.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::at;
use newsvault::archive::postgres::throwaway;
use newsvault::archive::{
    Archive, HostGrant, HostRequest, PollRecord, QueueState, QueueStatus, RobotsRecord, SourcePoll,
    ToQueue,
};

const ITEMS: usize = 200;

fn url(i: usize) -> String {
    format!("https://news.example/a/{i}")
}

/// Runs `scenario` on a new SQLite file, then on a new PostgreSQL database.
fn each_backend(scenario: impl Fn(&str)) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("archive.db").display().to_string();
    for location in [file, throwaway::fresh_database()] {
        println!("on {location}");
        scenario(&location);
    }
}

fn open(location: &str) -> Archive {
    Archive::open(std::path::Path::new(location)).unwrap()
}

/// An archive with `ITEMS` queued articles, and a second connection to it.
fn queued_archive(location: &str) -> (Archive, Archive) {
    let mut first = open(location);
    first.register_source("feed", "feed").unwrap();
    let urls: Vec<String> = (0..ITEMS).map(url).collect();
    let items: Vec<ToQueue<'_>> = urls
        .iter()
        .map(|u| ToQueue {
            url: u,
            kind: "text",
            title: None,
            published: None,
            listing: None,
        })
        .collect();
    let queued = first.record_poll("feed", &items, &poll_at(at(0))).unwrap();
    assert_eq!(queued, ITEMS as u64);
    (first, open(location))
}

fn poll_at(when: DateTime<Utc>) -> PollRecord {
    PollRecord {
        at: when,
        error: None,
        etag: Some("\"v1\"".into()),
        last_modified: None,
        interval: Duration::from_secs(3600),
        next_poll_at: when + chrono::Duration::hours(1),
        listed: 0,
        queued: 0,
    }
}

#[test]
fn two_lease_holders_never_get_the_same_item() {
    each_backend(two_lease_holders_never_get_the_same_item_on);
}

fn two_lease_holders_never_get_the_same_item_on(location: &str) {
    let (first, second) = queued_archive(location);
    // Two threads, each on its own connection, claim at the same moment (both hold what they
    // claimed before either settles anything), then claim and settle as they can.
    let together = std::sync::Arc::new(std::sync::Barrier::new(2));
    let work = |mut archive: Archive, worker: &'static str| {
        let together = std::sync::Arc::clone(&together);
        std::thread::spawn(move || {
            let claim = |archive: &mut Archive| {
                let now = Utc::now();
                archive
                    .claim_queue(worker, now, now + chrono::Duration::minutes(5), 7)
                    .unwrap()
            };
            together.wait();
            let mut items = claim(&mut archive);
            assert_eq!(items.len(), 7, "{worker}'s first claim");
            together.wait();
            let mut mine = Vec::new();
            while !items.is_empty() {
                for item in items {
                    let settled = archive
                        .finish_claimed(worker, item.id, &QueueState::Done, "done", Utc::now())
                        .unwrap();
                    assert!(settled, "{worker} holds item {}", item.id);
                    mine.push(item.id);
                }
                items = claim(&mut archive);
            }
            mine
        })
    };
    let a = work(first, "worker-a");
    let b = work(second, "worker-b");
    let (a, b) = (a.join().unwrap(), b.join().unwrap());
    let a_ids: HashSet<i64> = a.iter().copied().collect();
    let b_ids: HashSet<i64> = b.iter().copied().collect();
    assert_eq!(a_ids.len(), a.len(), "worker a got an item twice");
    assert_eq!(b_ids.len(), b.len(), "worker b got an item twice");
    assert!(a_ids.is_disjoint(&b_ids), "an item went to both workers");
    assert_eq!(a.len() + b.len(), ITEMS);

    let archive = open(location);
    let entries = archive.queue_entries(0, ITEMS * 2).unwrap();
    assert_eq!(entries.len(), ITEMS);
    for entry in entries {
        assert_eq!(entry.state, QueueStatus::Done);
        assert_eq!(entry.claimed_until, None, "a settled item holds no lease");
        let expected = if a_ids.contains(&entry.id) {
            "worker-a"
        } else {
            "worker-b"
        };
        assert_eq!(entry.finished_by.as_deref(), Some(expected));
    }
}

#[test]
fn an_expired_lease_is_taken_over_and_only_the_holder_settles() {
    each_backend(an_expired_lease_is_taken_over_and_only_the_holder_settles_on);
}

fn an_expired_lease_is_taken_over_and_only_the_holder_settles_on(location: &str) {
    let (mut dead, mut alive) = queued_archive(location);
    let minute = chrono::Duration::minutes(1);
    let claimed = dead.claim_queue("dead", at(1), at(1) + minute, 3).unwrap();
    assert_eq!(claimed.len(), 3);
    let held: Vec<i64> = claimed.iter().map(|i| i.id).collect();

    // While the lease holds, the other worker gets the next items, not these.
    let others = alive
        .claim_queue("alive", at(1) + minute / 2, at(2), 3)
        .unwrap();
    assert!(others.iter().all(|i| !held.contains(&i.id)), "{others:?}");

    // Renewed, it still holds; unrenewed past its end, the other worker takes it over.
    assert_eq!(dead.renew_claims("dead", &held, at(3)).unwrap(), 3);
    // Only the holder renews, and only what it holds.
    let others_ids: Vec<i64> = others.iter().map(|i| i.id).collect();
    assert_eq!(dead.renew_claims("dead", &others_ids, at(9)).unwrap(), 0);
    let during = alive
        .claim_queue("alive", at(2) + minute / 2, at(5), ITEMS)
        .unwrap();
    assert!(during.iter().all(|i| !held.contains(&i.id)));
    let after: Vec<i64> = alive
        .claim_queue("alive", at(3), at(6), ITEMS)
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(after, held, "the expired items, in queue order");

    // The former holder may not settle them; the new one may, once.
    let retry = QueueState::Retry { not_before: at(10) };
    assert!(
        !dead
            .finish_claimed("dead", held[0], &retry, "late", at(4))
            .unwrap()
    );
    assert!(
        alive
            .finish_claimed("alive", held[0], &QueueState::Done, "done", at(4))
            .unwrap()
    );
    assert!(
        !dead
            .finish_claimed("dead", held[0], &retry, "later", at(4))
            .unwrap()
    );
    assert!(
        !alive
            .finish_claimed("alive", held[0], &retry, "twice", at(4))
            .unwrap()
    );
    let entry = alive.queue_entries(held[0] - 1, 1).unwrap().pop().unwrap();
    assert_eq!(entry.id, held[0]);
    assert_eq!(
        entry.state,
        QueueStatus::Done,
        "not overwritten by the former holder"
    );
    assert_eq!(entry.attempts, 1);
    assert_eq!(entry.finished_by.as_deref(), Some("alive"));

    // Giving leases back makes the items claimable at once.
    assert_eq!(
        alive.release_claims(Some("alive")).unwrap() as usize,
        ITEMS - 1
    );
    let again = dead.claim_queue("dead-2", at(4), at(7), 2).unwrap();
    assert_eq!(again.len(), 2);
    // A daemon alone on its archive ends every lease left, whoever held it; settled items
    // keep their state.
    assert_eq!(alive.release_claims(None).unwrap(), 2);
    assert_eq!(alive.release_claims(None).unwrap(), 0);
    let freed = alive.claim_queue("restarted", at(4), at(7), ITEMS).unwrap();
    assert_eq!(
        freed.len(),
        ITEMS - 1,
        "every unsettled item is claimable at once"
    );
}

#[test]
fn a_source_is_polled_by_one_worker_at_a_time() {
    each_backend(a_source_is_polled_by_one_worker_at_a_time_on);
}

fn a_source_is_polled_by_one_worker_at_a_time_on(location: &str) {
    let (mut a, mut b) = queued_archive(location);
    // The poll above set the next one at at(60).
    let lease = chrono::Duration::minutes(2);
    assert_eq!(
        a.claim_source_poll("feed", "a", at(10), at(10) + lease)
            .unwrap(),
        SourcePoll::NotNow {
            look_again_at: Some(at(60))
        }
    );
    let SourcePoll::Claimed(row) = a
        .claim_source_poll("feed", "a", at(60), at(60) + lease)
        .unwrap()
    else {
        panic!("the due source was not claimed");
    };
    assert_eq!(row.etag.as_deref(), Some("\"v1\""), "the stored validators");
    assert_eq!(
        b.claim_source_poll("feed", "b", at(61), at(61) + lease)
            .unwrap(),
        SourcePoll::NotNow {
            look_again_at: Some(at(62))
        },
        "held by a until its lease ends"
    );
    a.record_poll("feed", &[], &poll_at(at(61))).unwrap();
    a.release_source_poll("feed", "a").unwrap();
    assert_eq!(
        b.claim_source_poll("feed", "b", at(62), at(62) + lease)
            .unwrap(),
        SourcePoll::NotNow {
            look_again_at: Some(at(121))
        },
        "polled by a: due again an hour later"
    );
    // a claims the next poll and dies: b takes it over when the lease runs out.
    assert!(matches!(
        a.claim_source_poll("feed", "a", at(121), at(121) + lease)
            .unwrap(),
        SourcePoll::Claimed(_)
    ));
    assert!(matches!(
        b.claim_source_poll("feed", "b", at(122), at(122) + lease)
            .unwrap(),
        SourcePoll::NotNow { .. }
    ));
    assert!(matches!(
        b.claim_source_poll("feed", "b", at(123), at(123) + lease)
            .unwrap(),
        SourcePoll::Claimed(_)
    ));
    assert_eq!(
        b.claim_source_poll("nowhere", "b", at(123), at(124))
            .unwrap(),
        SourcePoll::NotNow {
            look_again_at: None
        }
    );
}

fn request(host: &str, interval_ms: u64, concurrency: u32) -> HostRequest<'_> {
    HostRequest {
        host,
        interval: Duration::from_millis(interval_ms),
        concurrency,
        hold: Duration::from_secs(60),
        lead: Duration::ZERO,
    }
}

#[test]
fn host_bookings_of_two_connections_are_an_interval_apart() {
    each_backend(host_bookings_of_two_connections_are_an_interval_apart_on);
}

fn host_bookings_of_two_connections_are_an_interval_apart_on(location: &str) {
    let (mut a, mut b) = queued_archive(location);
    let mut starts = Vec::new();
    for round in 0..10 {
        let archive = if round % 2 == 0 { &mut a } else { &mut b };
        match archive
            .reserve_host(&request("news.example", 250, 100))
            .unwrap()
        {
            HostGrant::Granted { start_at, .. } => starts.push(start_at),
            HostGrant::Wait(wait) => panic!("refused with a free slot: wait {wait:?}"),
        }
    }
    for pair in starts.windows(2) {
        assert!(
            pair[1] - pair[0] >= chrono::Duration::milliseconds(250),
            "bookings {pair:?} closer than the interval"
        );
    }
    // Another host has its own clock: bookable at once.
    let HostGrant::Granted { start_at, .. } =
        a.reserve_host(&request("other.example", 250, 1)).unwrap()
    else {
        panic!("another host was refused");
    };
    assert!(start_at < starts[9]);
}

#[test]
fn the_host_concurrency_holds_across_connections() {
    each_backend(the_host_concurrency_holds_across_connections_on);
}

fn the_host_concurrency_holds_across_connections_on(location: &str) {
    let (mut a, mut b) = queued_archive(location);
    let HostGrant::Granted { slot, .. } = a.reserve_host(&request("one.example", 0, 1)).unwrap()
    else {
        panic!("the first request was refused");
    };
    assert!(matches!(
        b.reserve_host(&request("one.example", 0, 1)).unwrap(),
        HostGrant::Wait(_)
    ));
    a.release_host_slot(slot).unwrap();
    assert!(matches!(
        b.reserve_host(&request("one.example", 0, 1)).unwrap(),
        HostGrant::Granted { .. }
    ));
    // A Retry-After pushes every worker's next start back.
    let later = Utc::now() + chrono::Duration::seconds(30);
    a.push_back_host("two.example", later).unwrap();
    let HostGrant::Granted { start_at, .. } =
        b.reserve_host(&request("two.example", 0, 5)).unwrap()
    else {
        panic!("refused with free slots");
    };
    assert!(
        start_at >= later - chrono::Duration::milliseconds(1),
        "{start_at} before {later}"
    );
}

#[test]
fn robots_answers_are_shared_until_they_expire() {
    each_backend(robots_answers_are_shared_until_they_expire_on);
}

fn robots_answers_are_shared_until_they_expire_on(location: &str) {
    let (mut a, b) = queued_archive(location);
    let record = RobotsRecord {
        status: 200,
        body: b"User-agent: *\nDisallow: /private\n".to_vec(),
        expires_at: at(60),
    };
    a.share_robots("https://news.example", &record).unwrap();
    assert_eq!(
        b.shared_robots("https://news.example", at(59)).unwrap(),
        Some(record)
    );
    assert_eq!(
        b.shared_robots("https://news.example", at(60)).unwrap(),
        None
    );
    assert_eq!(
        b.shared_robots("https://other.example", at(0)).unwrap(),
        None
    );
}

#[test]
fn a_due_check_is_claimed_by_one_worker() {
    each_backend(a_due_check_is_claimed_by_one_worker_on);
}

fn a_due_check_is_claimed_by_one_worker_on(location: &str) {
    let (mut a, mut b) = queued_archive(location);
    for i in 0..5 {
        let doc = common::qq_document(&format!("20250601A{i:05}00"), "标题", "正文。");
        common::record(&mut a, &doc, None, at(0));
    }
    // Never scheduled: all due. Each worker gets its own; none is handed out twice.
    let first = a.claim_due_articles(at(1), at(3), 3).unwrap();
    let second = b.claim_due_articles(at(1), at(3), 10).unwrap();
    assert_eq!((first.len(), second.len()), (3, 2));
    assert!(first.iter().all(|url| !second.contains(url)));
    assert!(a.claim_due_articles(at(2), at(4), 10).unwrap().is_empty());
    // A check schedules the next one; an unchecked claim falls due again when it ends.
    b.set_next_check(&second[0], at(60)).unwrap();
    let again = a.claim_due_articles(at(3), at(5), 10).unwrap();
    assert_eq!(again.len(), 4, "{again:?}");
    assert!(!again.contains(&second[0]));
}
