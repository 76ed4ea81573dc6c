//! "All profiles": one session over several profiles, each connected with its own
//! endpoint, region and credentials, refreshed concurrently into one table, and asked for
//! its account ID (GetCallerIdentity).

use super::Controller;
use crate::app::event::Event;
use crate::app::profile_tasks;
use crate::app::state::NoticeLevel;
use crate::transport::OssClient;

impl Controller {
    /// Connects to each named profile; each one's audit starts as soon as it is connected,
    /// so a slow or failing profile holds up no other.
    pub(super) fn audit_profiles(&mut self, names: &[String]) {
        let profiles: Vec<_> = names
            .iter()
            .filter_map(|n| self.state.profiles.get(n).cloned())
            .collect();
        if profiles.is_empty() {
            self.state
                .notify(NoticeLevel::Error, "Choose at least one profile to audit.");
            return;
        }
        self.stop_session_work();
        // Each profile's refresh is a child of this token: Cancel stops them all.
        self.refresh_cancel = tokio_util::sync::CancellationToken::new();
        let session = self.state.begin_accounts_session(&profiles);
        for profile in profiles {
            profile_tasks::connect(&self.worker, self.connect_task(profile, session));
        }
    }

    /// One profile of the audit is connected: keep its client, read its buckets and ask
    /// which account it is.
    pub(super) fn account_connected(&mut self, name: String, client: OssClient) {
        self.account_clients.insert(name.clone(), client.clone());
        self.refresh_account(&name);
        let Some(profile) = self.state.profiles.get(&name).cloned() else {
            return;
        };
        let events = self.worker.events().clone();
        let session = self.state.session;
        let sts = self.env.credential_sources.sts_endpoint.clone();
        self.worker.runtime().spawn(async move {
            let result = crate::app::accounts::account_id(&client, sts.as_deref(), &profile)
                .await
                .map_err(|e| profile_tasks::describe_credential_error(&e));
            events.send(Event::AccountIdentified {
                session,
                profile: name,
                result,
            });
        });
    }

    /// Lists and reads one profile's buckets (cancelled with every other refresh).
    pub(super) fn refresh_account(&mut self, name: &str) {
        let Some(client) = self.account_clients.get(name).cloned() else {
            return;
        };
        let Some(request) = self.state.begin_account_refresh(name) else {
            return;
        };
        self.worker.refresh_all(
            client,
            self.state.session,
            request,
            self.refresh_cancel.child_token(),
        );
    }

    /// The client of a row's profile: the active one's (`None`), or that profile's in an
    /// audit of several.
    pub(super) fn client_for(&self, profile: Option<&str>) -> Option<OssClient> {
        match profile {
            None => self.client.clone(),
            Some(name) => self.account_clients.get(name).cloned(),
        }
    }
}
