//! How the controller follows up on events: connecting, saving profiles, stamping reads.

use super::Controller;
use crate::app::command::Command;
use crate::app::event::{ApplyOutcome, Event, RequestId, SessionId};
use crate::app::objects_tasks;
use crate::core::model::BucketName;

/// What an event says about one bucket beyond the row update `apply` makes: whether it
/// carried a rule read from OSS (its time is stamped here, since the state never reads the
/// clock) and whether the bucket was written (its GetBucketInfo facts are then outdated).
struct BucketNews {
    session: SessionId,
    request: RequestId,
    bucket: BucketName,
    read: bool,
    written: bool,
}

impl BucketNews {
    fn of(event: &Event) -> Option<Self> {
        let (session, request, bucket, read, written) = match event {
            Event::EncryptionLoaded {
                session,
                request,
                bucket,
                ..
            } => (*session, *request, bucket, true, false),
            Event::RuleApplied {
                session,
                request,
                bucket,
                outcome,
                ..
            } if outcome.may_have_written()
                || matches!(outcome, ApplyOutcome::ChangedSince { .. }) =>
            {
                (*session, *request, bucket, true, outcome.may_have_written())
            }
            _ => return None,
        };
        Some(Self {
            session,
            request,
            bucket: bucket.clone(),
            read,
            written,
        })
    }
}

impl Controller {
    pub(super) fn on_event(&mut self, event: Event) {
        match event {
            Event::Started { .. } => {
                self.state.apply(event);
                self.handle(Command::LoadHistory);
                if self.env.demo {
                    self.handle(Command::StartDemo);
                } else if let Some(name) = self.state.profiles.active.clone() {
                    self.handle(Command::SwitchProfile { name });
                }
            }
            Event::Connected {
                session,
                ref client,
                ref profile,
            } if self.state.is_all_profiles() => {
                let (name, client) = (profile.name.clone(), client.clone());
                if self.state.apply(event) && session == self.state.session {
                    self.account_connected(name, client);
                }
            }
            Event::Connected {
                session,
                ref client,
                ..
            } => {
                if session == self.state.session {
                    self.client = Some(client.clone());
                }
                if self.state.apply(event) {
                    self.handle(Command::RefreshAll);
                    objects_tasks::list_jobs(
                        &self.worker,
                        self.state.session,
                        self.env.data_dir.clone(),
                    );
                }
            }
            Event::DemoStarted { ref profile } => {
                let profile = profile.clone();
                self.state.apply(event);
                let name = profile.name.clone();
                self.write_config(|config| {
                    config.upsert(profile.clone());
                    config.active = Some(name);
                });
                self.connect(profile);
            }
            Event::ProfilesSaved {
                ref switch_to,
                version,
                ..
            } => {
                self.config_writes.answered(version);
                let switch_to = switch_to.clone();
                self.state.apply(event);
                let active_gone = self
                    .state
                    .active
                    .as_ref()
                    .is_some_and(|a| self.state.profiles.get(&a.profile.name).is_none());
                if active_gone {
                    self.end_session();
                }
                if let Some(name) = switch_to.or_else(|| {
                    active_gone
                        .then(|| self.state.profiles.active.clone())
                        .flatten()
                }) {
                    self.handle(Command::SwitchProfile { name });
                }
            }
            Event::ProfileFailed { version, .. } => {
                // The next edit builds on what is written or still on its way; the notice
                // says why this one was not.
                self.config_writes.answered(version);
                self.state.apply(event);
            }
            Event::ReencryptProgressed {
                progress: crate::app::objects_job::JobProgress::Finished { .. },
                ..
            } => {
                // The change log has the job's lines now: History follows it.
                if self.state.apply(event) {
                    self.handle(Command::LoadHistory);
                }
            }
            Event::BatchFinished { .. } => {
                // The change log has the batch's lines now: History and undo follow it.
                if self.state.apply(event) {
                    self.handle(Command::LoadHistory);
                }
            }
            other => {
                let news = BucketNews::of(&other);
                let applied = self.state.apply(other);
                if let Some(news) = news {
                    self.after_bucket_news(news, applied);
                }
            }
        }
    }

    fn after_bucket_news(&mut self, news: BucketNews, applied: bool) {
        if applied && news.read {
            self.state
                .mark_read(&news.bucket, news.request, chrono::Utc::now());
        }
        if news.written && news.session == self.state.session {
            self.state.forget_info(&news.bucket);
        }
    }
}
