//! Scaling out: two board instances on one database, one Redis and one cookie secret share log-ins,
//! as two instances behind a load balancer would.

mod support;

use reqwest::StatusCode;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::Server;

/// A `redis-server` on a free loopback port, killed when dropped.
struct Redis {
    child: Child,
    port: u16,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `None`, loudly, when redis-server is not installed; a failure instead where `CI_REQUIRE_REDIS`
/// is set (CI installs it).
fn start_redis() -> Option<Redis> {
    let installed = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok();
    if !installed {
        assert!(
            std::env::var_os("CI_REQUIRE_REDIS").is_none(),
            "CI_REQUIRE_REDIS is set but redis-server is not installed"
        );
        eprintln!(
            "\n!!!!!!!!!! SKIPPED: redis-server is not installed (apt-get install -y redis-server) !!!!!!!!!!\n"
        );
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server starts");
    let redis = Redis { child, port };
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(redis)
}

#[tokio::test]
async fn two_instances_sharing_redis_share_log_ins() {
    let Some(redis) = start_redis() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("board-redis-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut config = board::Config::ephemeral();
    config.database = dir.join("board.db").to_str().unwrap().to_string();
    config.redis = Some(format!("redis://127.0.0.1:{}", redis.port));
    let first = Server::start_with(&config).await;
    let second = Server::start_with(&config).await;

    let ada = first.visitor();
    ada.sign_up("ada", "correct horse battery").await;
    ada.create_task("made on the first instance", None).await;

    // The same browser, now sent to the other instance: its cookie finds the session in Redis.
    let cookie = ada.session_cookie().unwrap();
    let elsewhere = second.visitor();
    let url = second.url("/").parse().unwrap();
    for pair in cookie.split("; ") {
        elsewhere.jar.add_cookie_str(pair, &url);
    }
    let page = elsewhere.get("/tasks").await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "logged in on the second instance"
    );
    assert!(page.body.contains("made on the first instance"));
    assert!(
        page.body.contains("Task created"),
        "the flash travelled through Redis too"
    );

    // Logging out on the second instance ends the session on the first.
    let token = page.csrf();
    assert_eq!(
        elsewhere.post("/logout", &[("_csrf", &token)]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(ada.get("/tasks").await.status, StatusCode::SEE_OTHER);
    drop((first, second));
    let _ = std::fs::remove_dir_all(&dir);
}
