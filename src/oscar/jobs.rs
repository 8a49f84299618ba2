//! OSCAR's job list, `GET /system/logs/{service}` (OSCAR-API.md §3, §8):
//! `{"jobs":{name:{status,…}},"next_page","remaining_jobs"}` since v3.6.4,
//! the bare inner map before (§9). `POST /job` returns no job id, so the job
//! of a run is found by its name prefix and creation time.

use super::s3::parse_rfc3339;
use serde_json::{Map, Value};

/// A job's state: the pod phase, or `Suspended` when Kueue holds it (§3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobStatus {
    /// Created, waiting for its pod to start (image pull, scheduling).
    Pending,
    /// The script is running.
    Running,
    /// Finished with exit code 0.
    Succeeded,
    /// Finished with an error (`backoffLimit: 0`, so no retry, §8).
    Failed,
    /// Queued by Kueue: no pod yet (quota).
    Suspended,
    /// Anything else, including a missing status.
    Unknown,
}

impl JobStatus {
    /// Reads OSCAR's status string (case-insensitive).
    pub fn parse(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "pending" => Self::Pending,
            "running" => Self::Running,
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            "suspended" => Self::Suspended,
            _ => Self::Unknown,
        }
    }

    /// Whether the job will not change any more.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }

    /// A short label for the page.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Running => "Running",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Suspended => "Queued",
            Self::Unknown => "Unknown",
        }
    }
}

/// One job of a service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// `<service>-<uuid4>` (§3).
    pub name: String,
    /// Its state.
    pub status: JobStatus,
    /// `creation_time`: really the pod's start (§3); `None` while queued.
    pub creation_unix: Option<i64>,
    /// `start_time` of the container.
    pub start_unix: Option<i64>,
    /// `finish_time`, once done.
    pub finish_unix: Option<i64>,
}

/// One page of the job list.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct JobPage {
    /// Newest first by creation; jobs without a creation time (queued,
    /// so the newest) come first; ties by name.
    pub jobs: Vec<Job>,
    /// The `?page=` token of the next page (v3.6.4+).
    pub next_page: Option<String>,
    /// How many jobs the next pages hold (v3.6.4+).
    pub remaining_jobs: Option<u64>,
}

fn time_of(info: &Map<String, Value>, key: &str) -> Option<i64> {
    info.get(key).and_then(Value::as_str).and_then(parse_rfc3339)
}

fn job_of(name: &str, info: &Value) -> Option<Job> {
    let info = info.as_object()?;
    if name.is_empty() {
        return None;
    }
    Some(Job {
        name: name.to_string(),
        status: info.get("status").and_then(Value::as_str).map_or(JobStatus::Unknown, JobStatus::parse),
        creation_unix: time_of(info, "creation_time"),
        start_unix: time_of(info, "start_time"),
        finish_unix: time_of(info, "finish_time"),
    })
}

/// Parses the body of `GET /system/logs/{service}`, either shape. Entries
/// that are not objects are skipped; a body that is not a JSON object is an
/// error.
pub fn parse_job_list(body: &str) -> Result<JobPage, String> {
    // serde_json stops at 128 levels of nesting, so deep input is an error,
    // not a stack overflow.
    let value: Value =
        serde_json::from_str(body.trim()).map_err(|e| format!("the job list is not valid JSON ({e})"))?;
    let Value::Object(mut top) = value else {
        return Err("the job list is not a JSON object".to_string());
    };
    // v3.6.4+ wraps the map; a job is named `<service>-<uuid>`, so a job
    // called "jobs" cannot be mistaken for the wrapper.
    let wrapped = matches!(top.get("jobs"), Some(Value::Object(_) | Value::Null))
        || top.contains_key("next_page")
        || top.contains_key("remaining_jobs");
    let mut page = JobPage::default();
    let map = if wrapped {
        page.next_page =
            top.get("next_page").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        page.remaining_jobs = top.get("remaining_jobs").and_then(|v| match v {
            Value::String(s) => s.trim().parse().ok(),
            other => other.as_u64(),
        });
        match top.remove("jobs") {
            Some(Value::Object(jobs)) => jobs,
            _ => Map::new(),
        }
    } else {
        top
    };
    page.jobs = map.iter().filter_map(|(name, info)| job_of(name, info)).collect();
    page.jobs.sort_by(|a, b| {
        let newest = match (a.creation_unix, b.creation_unix) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, Some(_)) => std::cmp::Ordering::Less,
            (Some(_), None) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => y.cmp(&x),
        };
        newest.then_with(|| a.name.cmp(&b.name))
    });
    Ok(page)
}

/// The prefix of a service's job names: `<service>-`, the service name cut
/// to 16 characters when it has 25 or more (OSCAR-API.md §3).
pub fn job_name_prefix(service: &str) -> String {
    let base: String =
        if service.chars().count() >= 25 { service.chars().take(16).collect() } else { service.to_string() };
    format!("{base}-")
}

/// Whether `s` is a UUID in its 8-4-4-4-12 text form.
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Whether a job name is `<service prefix><uuid>` (§3), so that the jobs of
/// `foo-bar` never count as jobs of `foo`.
pub fn is_job_of(job_name: &str, service: &str) -> bool {
    job_name.strip_prefix(&job_name_prefix(service)).is_some_and(is_uuid)
}

/// The job of a run: the earliest job of `service` created at or after
/// `after_unix - slack_secs` (the upload time on the server's clock, §8).
/// Jobs with no creation time (queued) never match: their age is unknown.
pub fn job_started_after<'a>(jobs: &'a [Job], service: &str, after_unix: i64, slack_secs: i64) -> Option<&'a Job> {
    let since = after_unix.saturating_sub(slack_secs.max(0));
    jobs.iter()
        .filter(|j| is_job_of(&j.name, service))
        .filter_map(|j| j.creation_unix.filter(|t| *t >= since).map(|t| (t, j)))
        .min_by(|(ta, a), (tb, b)| ta.cmp(tb).then_with(|| a.name.cmp(&b.name)))
        .map(|(_, j)| j)
}

/// The job of a run, followed across polls: the job already matched
/// (`mine`, by name), else [`job_started_after`] among the jobs that no
/// earlier run of this page matched (`claimed`). OSCAR does not link a job
/// to its upload (§8), so without this a second run started seconds after
/// the first would take the first run's job.
pub fn job_of_run<'a>(
    jobs: &'a [Job],
    service: &str,
    after_unix: i64,
    slack_secs: i64,
    mine: Option<&str>,
    claimed: &[String],
) -> Option<&'a Job> {
    if let Some(name) = mine {
        return jobs.iter().find(|j| j.name == name);
    }
    let free: Vec<Job> = jobs.iter().filter(|j| !claimed.contains(&j.name)).cloned().collect();
    let found = job_started_after(&free, service, after_unix, slack_secs)?;
    jobs.iter().find(|j| j.name == found.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_does_not_take_the_first_runs_job() {
        let job = |name: &str, created: i64| Job {
            name: format!("grayify-{name}"),
            status: JobStatus::Failed,
            creation_unix: Some(created),
            start_unix: None,
            finish_unix: None,
        };
        let first = job("11111111-1111-4111-8111-111111111111", 100);
        let second = job("22222222-2222-4222-8222-222222222222", 104);
        let jobs = vec![first.clone(), second.clone()];
        // Uploaded at 103: the first job is within the clock slack, and older.
        assert_eq!(job_started_after(&jobs, "grayify", 103, 10).map(|j| &j.name), Some(&first.name));
        let claimed = vec![first.name.clone()];
        assert_eq!(job_of_run(&jobs, "grayify", 103, 10, None, &claimed).map(|j| &j.name), Some(&second.name));
        // Before its own job exists, the run sees none (not the first run's).
        assert!(job_of_run(&jobs[..1], "grayify", 103, 10, None, &claimed).is_none());
        // Once matched, it is followed by name.
        assert_eq!(job_of_run(&jobs, "grayify", 103, 10, Some(&second.name), &claimed).map(|j| &j.name), Some(&second.name));
    }

    #[test]
    fn statuses() {
        assert_eq!(JobStatus::parse("Succeeded"), JobStatus::Succeeded);
        assert_eq!(JobStatus::parse("FAILED"), JobStatus::Failed);
        assert_eq!(JobStatus::parse("weird"), JobStatus::Unknown);
        assert!(JobStatus::Failed.is_finished());
        assert!(!JobStatus::Suspended.is_finished());
    }

    #[test]
    fn prefixes_cut_long_names() {
        assert_eq!(job_name_prefix("cowsay"), "cowsay-");
        assert_eq!(job_name_prefix("abcdefghijklmnopqrstuvwxyz"), "abcdefghijklmnop-");
        assert_eq!(job_name_prefix("abcdefghijklmnopqrstuvwx"), "abcdefghijklmnopqrstuvwx-");
        assert!(is_job_of("foo-5f1c2d9e-3b7a-4c1e-9a0b-2f6d8e7c1a23", "foo"));
        assert!(!is_job_of("foo-bar-5f1c2d9e-3b7a-4c1e-9a0b-2f6d8e7c1a23", "foo"));
    }
}
