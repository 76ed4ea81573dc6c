//! "Try the demo": the embedded dev server with demo data, in-process on free loopback ports,
//! and the `demo` profile pointing at it. The demo key is public on purpose (it only opens the
//! local server), so it is never written to the keyring.

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::environment::DemoTuning;
use crate::app::event::{Event, EventSender};
use crate::app::keystore::ProfileSecret;
use crate::app::profile::Profile;
use crate::app::runtime::RuntimeHandle;
use crate::devserver::{
    self, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DevServer, DevServerConfig,
};

/// The demo profile's name.
pub const DEMO_PROFILE: &str = "demo";

/// Holds the running dev server; dropping the last clone stops it.
pub type DemoSlot = Arc<tokio::sync::Mutex<Option<DevServer>>>;

/// The demo secret, which is public.
pub fn demo_secret() -> ProfileSecret {
    ProfileSecret::new(DEMO_ACCESS_KEY_SECRET, None)
}

/// The demo profile for a running server: its endpoint changes at every start.
pub fn demo_profile(ready: &devserver::ReadyInfo) -> Profile {
    let region = ready
        .regions
        .0
        .first()
        .map_or_else(|| "cn-hangzhou".to_owned(), |(r, _)| r.clone());
    Profile {
        demo: true,
        ..Profile::new(DEMO_PROFILE, &ready.endpoint, &region, &ready.access_key_id)
    }
}

/// Starts the server under `data_dir/devserver` (or reuses the one running) and reports
/// `DemoStarted` with the profile to use.
pub fn start(
    rt: &RuntimeHandle,
    events: EventSender,
    data_dir: PathBuf,
    tuning: DemoTuning,
    slot: DemoSlot,
) {
    rt.spawn(async move {
        let mut running = slot.lock().await;
        if let Some(server) = running.as_ref() {
            events.send(Event::DemoStarted {
                profile: demo_profile(&server.ready),
            });
            return;
        }
        let mut config = DevServerConfig::new(
            data_dir.join("devserver"),
            DEMO_ACCESS_KEY_ID,
            DEMO_ACCESS_KEY_SECRET,
        );
        config.demo = true;
        tuning(&mut config);
        match devserver::start(config).await {
            Ok(server) => {
                let profile = demo_profile(&server.ready);
                *running = Some(server);
                drop(running);
                events.send(Event::DemoStarted { profile });
            }
            Err(error) => {
                events.send(Event::DemoFailed {
                    error: format!("{error:#}"),
                });
            }
        }
    });
}
