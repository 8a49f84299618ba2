//! `POST /run/{service}` (OSCAR-API.md §7): encode, send with upload
//! progress, wait, and decode the answer once.

use super::{Outcome, Phase, Run, Target, Ticket};
use crate::interface::payload::Payload;
use crate::interface::Shown;
use crate::net;
use crate::oscar::decode::decode_run_body;
use crate::oscar::ApiError;
use leptos::prelude::*;
use std::sync::Arc;

impl Run {
    pub(super) async fn run_sync(&self, target: &Target, payload: Payload, summary: String, ticket: &Ticket) -> Result<Outcome, ApiError> {
        let body = self.encode(payload).await?;
        if ticket.stopped() {
            return Err(ApiError::Cancelled);
        }
        self.set_phase(Phase::Uploading { sent: 0.0, total: 1.0 });
        let (phase, cancel) = (self.phase, self.cancel);
        let answer = net::run_service(
            &target.session,
            &target.service,
            &self.token(),
            &body,
            &|h| { let _ = cancel.try_update_value(|c| *c = Some(h)); },
            move |sent, total| {
                let next = if sent >= total { Phase::Waiting } else { Phase::Uploading { sent, total } };
                super::enter(phase, next);
            },
        )
        .await?;
        if ticket.stopped() {
            return Err(ApiError::Cancelled);
        }
        let out = decode_run_body(&answer);
        let base64 = out.was_base64;
        let shown = Shown { name: format!("output.{}", out.detected.kind.extension()), bytes: Arc::from(out.bytes) };
        let _ = self.logs.try_set(out.logs);
        Ok(Outcome { shown: Some(shown), seconds: self.seconds(), input_summary: summary, base64 })
    }
}
