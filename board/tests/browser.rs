//! The board in a real browser: Debian's chromium, headless, driven through chromedriver (WebDriver)
//! with fantoccini. A person's path: sign up, add a task through the form, see it and the flash, tick
//! it done, delete it, log out. A screenshot of the board is left in the test's target directory.
//!
//! Without chromium or chromedriver the test says so loudly and passes, except in CI (`CI=true`, or
//! `CI_REQUIRE_BROWSER=1` as `.ci/run` sets after installing both): there it fails.

mod support;

use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::Server;

const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_chromedriver() -> Option<String> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|path| Path::new(path).exists())
        .map(str::to_string)
}

async fn start_driver(binary: &str) -> Driver {
    // A free port: bind, read it, release it for chromedriver.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = reqwest::get(format!("{}/status", driver.url)).await;
        if ready.is_ok_and(|response| response.status().is_success()) {
            return driver;
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not answer in 20 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn open_browser(driver: &Driver, profile: &Path) -> Client {
    let capabilities = serde_json::json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--window-size=1100,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        }
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a chromium session")
}

/// Waits until the JavaScript expression `condition` is true on the current page.
async fn wait_until(browser: &Client, condition: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let value = browser
            .execute(&format!("return Boolean({condition});"), vec![])
            .await;
        if matches!(value, Ok(serde_json::Value::Bool(true))) {
            return;
        }
        if Instant::now() > deadline {
            let source = browser.source().await.unwrap_or_default();
            panic!("timed out waiting for `{condition}`; the page was:\n{source}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn fill(browser: &Client, selector: &str, text: &str) {
    let field = browser.find(Locator::Css(selector)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn click(browser: &Client, selector: &str) {
    browser
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|error| panic!("no {selector}: {error}"))
        .click()
        .await
        .unwrap();
}

const FLASH: &str = "document.getElementById('flash')";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_up_and_manages_a_task_in_chromium() {
    // In CI (`CI=true`, or `CI_REQUIRE_BROWSER=1` as `.ci/run` sets) a missing browser is a failure.
    let required = std::env::var("CI_REQUIRE_BROWSER").is_ok_and(|value| value == "1")
        || std::env::var("CI").is_ok_and(|value| value == "true" || value == "1");
    let driver_binary = find_chromedriver();
    if !Path::new(CHROMIUM).exists() || driver_binary.is_none() {
        let message = "chromium or chromedriver is missing: install Debian's `chromium` and \
                       `chromium-driver` (apt-get install -y chromium chromium-driver)";
        assert!(
            !required,
            "the browser test is required here (CI) but {message}"
        );
        eprintln!("\n!!!!!!!!!! SKIPPED the browser test: {message} !!!!!!!!!!\n");
        return;
    }
    let server = Server::start().await;
    let driver = start_driver(&driver_binary.unwrap()).await;
    let profile = server.database.parent().unwrap().join("chromium-profile");
    let browser = open_browser(&driver, &profile).await;
    let outcome =
        tokio::time::timeout(Duration::from_secs(120), walk_through(&browser, &server)).await;
    let _ = browser.close().await;
    outcome.expect("the walk-through finished within 2 minutes");
}

async fn walk_through(browser: &Client, server: &Server) {
    browser.goto(&server.url("/")).await.unwrap();
    // The inline script carries this response's CSP nonce: it ran only if the nonce matched.
    wait_until(browser, "document.documentElement.classList.contains('js')").await;
    // The stylesheet came from /static and applied (the CSP allows 'self').
    wait_until(
        browser,
        "getComputedStyle(document.body).backgroundColor === 'rgb(246, 247, 251)'",
    )
    .await;

    click(browser, "#signup-link").await;
    wait_until(browser, "location.pathname === '/signup'").await;
    fill(browser, "input[name=name]", "grace").await;
    fill(browser, "input[name=password]", "a browser password").await;
    click(browser, "#signup-submit").await;
    wait_until(browser, "location.pathname === '/tasks'").await;
    wait_until(
        browser,
        "document.getElementById('who').textContent === 'grace'",
    )
    .await;

    fill(browser, "#new-title", "Water the plants").await;
    click(browser, "#add-task").await;
    wait_until(
        browser,
        &format!("{FLASH} && {FLASH}.textContent === 'Task created'"),
    )
    .await;
    wait_until(browser, "document.querySelectorAll('li.task').length === 1").await;
    wait_until(
        browser,
        "document.querySelector('li.task').dataset.title === 'Water the plants'",
    )
    .await;

    // Tick it done and rename it: the form's hidden _method=PUT goes through method override.
    browser
        .find(Locator::Css("li.task input[name=done]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(
        browser,
        "li.task input[name=title]",
        "Water the plants (done)",
    )
    .await;
    click(browser, "li.task button.save").await;
    wait_until(
        browser,
        &format!("{FLASH} && {FLASH}.textContent === 'Task updated'"),
    )
    .await;
    wait_until(
        browser,
        "document.querySelector('li.task').classList.contains('done')",
    )
    .await;
    wait_until(
        browser,
        "document.querySelector('li.task').dataset.title === 'Water the plants (done)'",
    )
    .await;

    // The flash was shown once: reloading the board shows none.
    browser.refresh().await.unwrap();
    wait_until(
        browser,
        &format!("!{FLASH} && document.querySelectorAll('li.task').length === 1"),
    )
    .await;
    let screenshot = browser.screenshot().await.unwrap();
    let artifact = Path::new(env!("CARGO_TARGET_TMPDIR")).join("board-browser.png");
    std::fs::write(&artifact, screenshot).unwrap();
    eprintln!("screenshot of the board: {}", artifact.display());

    click(browser, "li.task button.delete").await;
    wait_until(
        browser,
        &format!("{FLASH} && {FLASH}.textContent === 'Task deleted'"),
    )
    .await;
    wait_until(browser, "document.querySelectorAll('li.task').length === 0").await;

    click(browser, "#logout").await;
    wait_until(
        browser,
        "location.pathname === '/' && !!document.getElementById('login-link')",
    )
    .await;
    browser.goto(&server.url("/tasks")).await.unwrap();
    wait_until(
        browser,
        "location.pathname === '/login' && location.search === '?next=/tasks'",
    )
    .await;
}
