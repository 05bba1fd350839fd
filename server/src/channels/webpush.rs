//! Web Push behind the channel interface: the sender in `crate::push`, unchanged.

use super::{Address, Attempt, Channel, ChannelKind, SendFuture};
use crate::push::{Delivery, Notification, SendOptions, VapidKeys, build_request, send};

pub struct WebPush {
    pub vapid: VapidKeys,
    pub client: crate::push::PushClient,
    /// Tries of this message that failed before (scales the backoff).
    pub options: SendOptions,
}

impl Channel for WebPush {
    fn kind(&self) -> ChannelKind {
        ChannelKind::WebPush
    }

    fn send<'a>(&'a self, to: &'a Address, note: &'a Notification) -> SendFuture<'a> {
        Box::pin(async move {
            let Address::Push(sub) = to else { return Attempt::failed("Web Push needs a subscription") };
            let opts = SendOptions {
                attempt: self.options.attempt,
                backoff: self.options.backoff,
                ..note.send_options()
            };
            let delivery = match build_request(&self.vapid, sub, &note.to_json(), &opts) {
                Ok(req) => send(&self.client, req, &opts).await,
                Err(e) => Delivery::Failed(e.to_string()),
            };
            match delivery {
                Delivery::Sent => Attempt::Sent { receipt: None, cost_units: 0 },
                Delivery::Gone => Attempt::Gone,
                Delivery::RetryAfter(after) => {
                    Attempt::retry(after, format!("retry after {} s", after.as_secs()))
                }
                Delivery::Failed(reason) => Attempt::failed(reason),
            }
        })
    }
}
