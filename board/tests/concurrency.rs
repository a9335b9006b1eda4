//! 100 users at once, each on their own board: nobody sees another's tasks, and every audit row
//! names the user and request that wrote it.

mod support;

use reqwest::StatusCode;
use std::collections::BTreeSet;
use support::Server;

const USERS: usize = 100;
const TASKS_EACH: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_users_see_only_their_own_tasks() {
    let server = std::sync::Arc::new(Server::start().await);
    let started = std::time::Instant::now();
    let mut users = tokio::task::JoinSet::new();
    for n in 0..USERS {
        let server = server.clone();
        users.spawn(async move {
            let name = format!("user{n:03}");
            let visitor = server.visitor();
            visitor.sign_up(&name, "a long enough password").await;
            for t in 0..TASKS_EACH {
                let page = visitor
                    .create_task(
                        &format!("{name} task {t}"),
                        Some(&format!("req-{name}-{t}")),
                    )
                    .await;
                assert_eq!(page.status, StatusCode::SEE_OTHER);
            }
            let titles: BTreeSet<String> = visitor
                .board()
                .await
                .into_iter()
                .map(|(_, title)| title)
                .collect();
            let expected: BTreeSet<String> = (0..TASKS_EACH)
                .map(|t| format!("{name} task {t}"))
                .collect();
            assert_eq!(
                titles, expected,
                "{name}'s board holds exactly {name}'s tasks"
            );
            name
        });
    }
    let mut names = BTreeSet::new();
    while let Some(done) = users.join_next().await {
        names.insert(done.expect("a user's session failed"));
    }
    assert_eq!(names.len(), USERS);
    eprintln!(
        "{USERS} users signed up and created {} tasks in {:?}",
        USERS * TASKS_EACH,
        started.elapsed()
    );

    let log = server.store().await.audit_log(10_000).await.unwrap();
    let creates: Vec<_> = log
        .iter()
        .filter(|entry| entry.action == "task.create")
        .collect();
    assert_eq!(creates.len(), USERS * TASKS_EACH);
    for entry in creates {
        let name = entry.user_name.as_deref().expect("a create names its user");
        let request = entry.request_id.as_deref().unwrap();
        // `req-user042-1` wrote `user042 task 1`, as user042: no row took another request's values.
        let t = request.rsplit('-').next().unwrap();
        assert_eq!(request, format!("req-{name}-{t}"), "{entry:?}");
        assert!(
            entry.detail.ends_with(&format!("{name} task {t}")),
            "{entry:?}"
        );
    }
}
