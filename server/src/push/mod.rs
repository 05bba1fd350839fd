//! Web Push delivery: the server's VAPID identity and sending one encrypted message.
//!
//! Layout:
//! - [`vapid`]: the P-256 key pair the server signs with (kept in its database as base64url) and
//!   the `sub` contact that push services use to reach the operator.
//! - [`subscription`]: a browser's `PushSubscription`, validated when it arrives.
//! - [`address`]: where a push may go — https on public addresses unless the operator says so.
//! - [`payload`]: what an alert says (no personal data) and the per-case `Topic`.
//! - [`record_payload`]: what a petition or sweep reminder says (no personal data either).
//! - [`notification`]: an outbox event (`sync_protocol::outbox`) → its payload and push options.
//! - [`send`]: one message to one subscription — build it with the `web-push` crate (aes128gcm,
//!   TTL, urgency, topic, VAPID), send it with `reqwest`, and classify the answer into a
//!   [`Delivery`] the outbox worker can act on (delete the subscription, retry later, give up).
//!
//! [`worker`] is the part that touches the database: it decides who is alerted (the ladder
//! township → county → city), calls [`deliver`] once per (alert, subscription) and records
//! the outcome in the delivery log.

pub mod address;
pub mod notification;
pub mod payload;
pub mod record_payload;
pub mod send;
pub mod subscription;
pub mod vapid;
pub mod worker;

pub use address::{EndpointPolicy, EndpointRefused, check_endpoint};
pub use notification::{Notification, Places, needs_places};
pub use payload::{AlertKind, AlertPayload, DigestPayload, PAYLOAD_VERSION, Topic, TopicError};
pub use record_payload::{PetitionReminder, SweepReminder};
pub use send::{
    Backoff, Delivery, PushClient, PushRequest, RETRY_AFTER_CEILING, SendError, SendOptions, Urgency,
    build_request, classify, deliver, http_client, parse_retry_after, send,
};
pub use subscription::{Subscription, SubscriptionError};
pub use vapid::{VapidContact, VapidError, VapidKeys};
