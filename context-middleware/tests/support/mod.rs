pub mod client;
pub mod redis;
