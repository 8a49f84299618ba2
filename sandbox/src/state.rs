//! The stand-in's shared state: services, buckets, jobs, switches. The API
//! (`api`), the S3 server (`storage`) and the jobs (`jobs`) all read it; it
//! depends on none of them but `jobs` and `storage`'s own types.

use crate::catalogue;
use crate::job_table::{split_path, Jobs};
use crate::model::Service;
use crate::oidc::Oidc;
use crate::store::Store;
use crate::util::new_token;
use crate::{ConfigShape, Faults, Options};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Mutex, RwLock};

pub(crate) const SERVICES_NAMESPACE: &str = "oscar-svc";

pub(crate) struct Shared {
    pub username: String,
    pub password: String,
    pub minio_endpoint: String,
    pub cors: AtomicBool,
    pub faults: RwLock<Faults>,
    pub request_count: AtomicU64,
    pub(crate) config_shape: ConfigShape,
    pub(crate) serverless: bool,
    pub legacy_jobs: bool,
    pub(crate) ui_dir: Option<PathBuf>,
    pub(crate) expected_basic: String,
    pub(crate) services: RwLock<BTreeMap<String, Service>>,
    /// The S3 server's backend and switches.
    pub store: Store,
    pub jobs: Jobs,
    /// `POST /system/buckets/{b}/presign` is routed (v3.6.4+).
    pub presign: AtomicBool,
    /// Visibility/owner of buckets made with `POST /system/buckets`.
    pub(crate) bucket_meta: RwLock<BTreeMap<String, BucketMeta>>,
    /// The test OIDC issuer (`<url>/oidc`) and its signing key.
    pub oidc: Oidc,
    /// `/system/*` takes OIDC bearer tokens (OSCAR's `OIDC_ENABLE`).
    pub(crate) oidc_system: bool,
    /// The last `/run` and `/job` request body of each service, as received.
    pub(crate) last_run: Mutex<HashMap<String, Vec<u8>>>,
    pub(crate) last_job: Mutex<HashMap<String, Vec<u8>>>,
    /// `/run` requests of each service in flight now, and the most seen at once.
    pub(crate) runs_in_flight: Mutex<HashMap<String, (u32, u32)>>,
}

/// Who calls `/system/*` (§2): the Basic-auth admin sees everything, an OIDC user
/// sees services by visibility.
pub(crate) enum Caller {
    Admin,
    User(String),
}

impl Caller {
    pub(crate) fn may_see(&self, svc: &Service) -> bool {
        match self {
            Caller::Admin => true,
            Caller::User(sub) => user_may_see(sub, svc),
        }
    }

    pub(crate) fn may_modify(&self, svc: &Service) -> bool {
        match self {
            Caller::Admin => true,
            Caller::User(sub) => svc.owner == *sub,
        }
    }
}

/// OSCAR's visibility rule: public; private to its owner; restricted to the owner and
/// `allowed_users`.
pub(crate) fn user_may_see(sub: &str, svc: &Service) -> bool {
    svc.owner == sub
        || match svc.visibility.as_str() {
            "public" => true,
            "restricted" => svc
                .allowed_users
                .as_ref()
                .is_some_and(|u| u.iter().any(|x| x == sub)),
            _ => false,
        }
}

pub(crate) fn lock_map(
    m: &Mutex<HashMap<String, Vec<u8>>>,
) -> std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct BucketMeta {
    pub(crate) bucket_name: String,
    pub(crate) visibility: String,
    pub(crate) allowed_users: Option<Vec<String>>,
    pub(crate) owner: String,
}

impl Shared {
    pub fn new(opts: Options, store: Store, url: &str) -> Shared {
        let minio_endpoint = store.url.clone();
        let expected_basic = format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", opts.username, opts.password))
        );
        let mut shared = Shared {
            username: opts.username,
            password: opts.password,
            minio_endpoint,
            cors: AtomicBool::new(opts.cors),
            faults: RwLock::new(opts.faults),
            request_count: AtomicU64::new(0),
            config_shape: opts.config_shape,
            serverless: opts.serverless_backend,
            legacy_jobs: opts.legacy_jobs,
            ui_dir: opts.ui_dir,
            expected_basic,
            services: RwLock::new(BTreeMap::new()),
            store,
            jobs: Jobs::new(opts.job_delay_ms, opts.job_page_size, opts.max_jobs),
            presign: AtomicBool::new(opts.presign),
            bucket_meta: RwLock::new(BTreeMap::new()),
            oidc: Oidc::new(format!("{url}/oidc")),
            oidc_system: opts.oidc,
            last_run: Mutex::new(HashMap::new()),
            last_job: Mutex::new(HashMap::new()),
            runs_in_flight: Mutex::new(HashMap::new()),
        };
        let mut map = BTreeMap::new();
        for mut svc in catalogue::demo_services()
            .into_iter()
            .chain(catalogue::extra_services(opts.extra_services))
        {
            shared.finalize(&mut svc, None);
            shared.create_buckets(&svc);
            map.insert(svc.name.clone(), svc);
        }
        shared.services = RwLock::new(map);
        shared
    }

    /// OSCAR's `createBuckets`: every MinIO input/output path gets its bucket and folder.
    pub(crate) fn create_buckets(&self, svc: &Service) {
        for io in svc.input.iter().chain(svc.output.iter()).flatten() {
            let p = io.storage_provider.as_str();
            if !(p.is_empty() || p == "minio" || p.starts_with("minio.")) {
                continue;
            }
            let (bucket, folder) = split_path(&io.path);
            let folder = (!folder.is_empty()).then_some(folder.as_str());
            let _ = self.store.create_bucket(&bucket, folder);
        }
    }

    pub fn services_snapshot(&self) -> Vec<Service> {
        match self.services.read() {
            Ok(m) => m.values().cloned().collect(),
            Err(p) => p.into_inner().values().cloned().collect(),
        }
    }

    /// Fill what OSCAR fills on create/update: token, defaults, labels, hidden MinIO provider.
    pub(crate) fn finalize(&self, svc: &mut Service, prev: Option<&Service>) {
        // v4: the token is preserved on update (§2, PR #498).
        svc.token = prev.map(|p| p.token.clone()).unwrap_or_else(new_token);
        if let Some(p) = prev {
            svc.owner = p.owner.clone();
        } else if svc.owner.is_empty() {
            svc.owner = "cluster_admin".into();
        }
        if svc.memory.is_empty() {
            svc.memory = "256Mi".into();
        }
        if svc.cpu.is_empty() {
            svc.cpu = "0.2".into();
        }
        if svc.log_level.is_empty() {
            svc.log_level = "INFO".into();
        }
        if svc.visibility.is_empty() {
            svc.visibility = "private".into();
        }
        svc.namespace = SERVICES_NAMESPACE.into();
        let mut labels = svc.labels.take().unwrap_or_default();
        let name = svc.name.clone();
        let owner_name = if svc.owner == "cluster_admin" {
            self.username.clone()
        } else {
            svc.owner.clone()
        };
        for (k, v) in [
            ("applicationId", name.clone()),
            ("networking.knative.dev/visibility", "cluster-local".into()),
            ("oscar.grycap/user-service", "true".into()),
            ("oscar_service", name.clone()),
            ("owner_name", owner_name),
            ("queue", format!("root.oscar-queue.{name}")),
        ] {
            labels.insert(k.into(), v);
        }
        svc.labels = Some(labels);
        // Secrets are blanked in responses (§5).
        if let Some(secrets) = svc.environment.secrets.as_mut() {
            secrets.values_mut().for_each(String::clear);
        }
        let mut providers = match svc.storage_providers.take() {
            Some(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        let minio = providers.entry("minio").or_insert_with(|| json!({}));
        if !minio.is_object() {
            *minio = json!({});
        }
        if let Some(m) = minio.as_object_mut() {
            m.insert(
                "default".into(),
                json!({"endpoint": self.minio_endpoint, "verify": false,
                       "access_key": "hidden", "secret_key": "hidden", "region": "us-east-1"}),
            );
        }
        svc.storage_providers = Some(serde_json::Value::Object(providers));
        if let Some(vol) = svc.volume.as_ref() {
            svc.volume_status.enabled = true;
            svc.volume_status.name = vol
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::to_string)
                .unwrap_or_else(|| format!("{name}-volume"));
            svc.volume_status.phase = "Bound".into();
        }
    }

    pub(crate) fn remove_service(&self, name: &str) -> bool {
        self.services
            .write()
            .map(|mut s| s.remove(name).is_some())
            .unwrap_or(false)
    }

    pub(crate) fn rotate_tokens(&self) {
        if let Ok(mut services) = self.services.write() {
            for svc in services.values_mut() {
                svc.token = new_token();
            }
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<Service> {
        self.services.read().ok()?.get(name).cloned()
    }

    pub(crate) fn last_run_body(&self, service: &str) -> Option<Vec<u8>> {
        lock_map(&self.last_run).get(service).cloned()
    }

    pub(crate) fn last_job_body(&self, service: &str) -> Option<Vec<u8>> {
        lock_map(&self.last_job).get(service).cloned()
    }

    /// A `/run` of `service` starts (`+1`) or ends (`-1`).
    pub(crate) fn run_in_flight(&self, service: &str, starts: bool) {
        let mut map = match self.runs_in_flight.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let (now, most) = map.entry(service.to_string()).or_insert((0, 0));
        if starts {
            *now += 1;
            *most = (*most).max(*now);
        } else {
            *now = now.saturating_sub(1);
        }
    }

    /// The most `/run` requests of `service` seen in flight at once.
    pub(crate) fn most_runs_in_flight(&self, service: &str) -> u32 {
        match self.runs_in_flight.lock() {
            Ok(g) => g.get(service).map_or(0, |(_, most)| *most),
            Err(p) => p.into_inner().get(service).map_or(0, |(_, most)| *most),
        }
    }

    pub(crate) fn record_body(&self, job: bool, service: &str, body: &[u8]) {
        if self.get(service).is_none() {
            return;
        }
        let map = if job { &self.last_job } else { &self.last_run };
        lock_map(map).insert(service.to_string(), body.to_vec());
    }
}

