//! A browser-like client for in-process tests: keeps the cookies the app sets and sends them back.

#![allow(dead_code)]

use baton::{App, Body, Response};
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Client {
    app: App,
    jar: Arc<Mutex<BTreeMap<String, String>>>,
    host: &'static str,
}

impl Client {
    pub fn new(app: impl Into<App>) -> Self {
        Client {
            app: app.into(),
            jar: Arc::default(),
            host: "localhost:3000",
        }
    }

    /// Another browser on the same app (its own cookies).
    pub fn fresh(&self) -> Self {
        Client {
            app: self.app.clone(),
            jar: Arc::default(),
            host: self.host,
        }
    }

    pub fn with_host(mut self, host: &'static str) -> Self {
        self.host = host;
        self
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar.lock().unwrap().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.jar
            .lock()
            .unwrap()
            .insert(name.to_string(), value.to_string());
    }

    pub async fn send(&self, request: http::request::Builder, body: Body) -> Response {
        let cookie_header = {
            let jar = self.jar.lock().unwrap();
            jar.iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let mut request = request.header("host", self.host);
        if !cookie_header.is_empty() {
            request = request.header("cookie", cookie_header);
        }
        let response = self.app.call_request(request.body(body).unwrap()).await;
        let mut jar = self.jar.lock().unwrap();
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (name, value) = text.split(';').next().unwrap().split_once('=').unwrap();
            let expired =
                text.contains("Max-Age=0") || text.contains("max-age=0") || value.is_empty();
            if expired {
                jar.remove(name);
            } else {
                jar.insert(name.to_string(), value.to_string());
            }
        }
        response
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(http::Request::get(path), Body::empty()).await
    }

    pub async fn post_form(&self, path: &str, form: &str) -> Response {
        self.send(
            http::Request::post(path).header("content-type", "application/x-www-form-urlencoded"),
            Body::from(form.to_string()),
        )
        .await
    }
}

pub async fn text(response: Response) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

pub fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_string())
        .collect()
}
