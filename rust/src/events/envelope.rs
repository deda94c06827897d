//! The wire envelope of `/event.EventService/dispatch` (package `event`), field numbers as the
//! original clients send them. The header is decoded with prost; each event is kept as bytes
//! and read field by field (`event.rs`), so that typed payloads we have no schema for survive.

use serde::Serialize;

#[derive(Clone, PartialEq, prost::Message)]
pub struct Envelope {
    #[prost(message, optional, tag = "4")]
    pub header: Option<Header>,
    /// Events stay encoded here: a message field and a bytes field share one wire format.
    #[prost(bytes = "vec", repeated, tag = "5")]
    pub events: Vec<Vec<u8>>,
}

#[derive(Clone, PartialEq, Serialize, prost::Message)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    #[prost(string, tag = "5")]
    pub session_id: String,
    #[prost(int64, tag = "6")]
    pub bb_device_id: i64,
    #[prost(int64, tag = "7")]
    pub user_id: i64,
    #[prost(string, tag = "8")]
    pub device_id: String,
    #[prost(string, tag = "9")]
    pub android_advertising_id: String,
    #[prost(string, tag = "10")]
    pub client_id: String,
    #[prost(string, tag = "11")]
    pub channel: String,
    #[prost(string, tag = "12")]
    pub os: String,
    #[prost(string, tag = "13")]
    pub client_type: String,
    #[prost(string, tag = "14")]
    pub app_language: String,
    #[prost(string, tag = "15")]
    pub app_version: String,
    #[prost(string, tag = "16")]
    pub app_version_code: String,
    #[prost(string, tag = "17")]
    #[serde(rename = "currentURL")]
    pub current_url: String,
    #[prost(string, tag = "18")]
    pub merchant_id: String,
    #[prost(string, tag = "19")]
    pub utm_referrer: String,
    #[prost(string, tag = "20")]
    pub utm_platform: String,
    #[prost(string, tag = "21")]
    pub utm_source: String,
    #[prost(string, tag = "22")]
    pub utm_medium: String,
    #[prost(string, tag = "23")]
    pub utm_campaign: String,
    #[prost(string, tag = "24")]
    pub pp_id: String,
    /// Added (not in the original): when the client sent the batch, epoch ms, for skew correction.
    #[prost(int64, tag = "25")]
    pub sent_at: i64,
}

impl Header {
    /// The original enqueued events without a device id; we refuse them.
    pub fn has_device(&self) -> bool {
        self.bb_device_id != 0 || !self.device_id.is_empty()
    }
}
