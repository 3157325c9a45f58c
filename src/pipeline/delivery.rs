//! The end of a run whose results go to sinks besides local files: the
//! reports are written locally, then uploaded (`--output-dir s3://`), and
//! only then is the scan complete in the store; the store goes back to S3
//! only if no other scan changed it meanwhile; then Security Hub and the
//! SNS message. Every write is made with the caller's own credentials.
//!
//! A failed upload is exit 1, and the message says where the files are.

use anyhow::{Result, anyhow};

use super::Settings;
use super::finish::{self, Finished, Written};
use crate::aws::Session;
use crate::outcome::Outcome;
use crate::progress::Progress;
use crate::sinks::s3::{self, RemoteStore};
use crate::sinks::{security_hub, sns};

/// Where the sinks write from: the caller's session, and the store this
/// run downloaded, if it is on S3.
#[derive(Debug)]
pub struct SinkSession<'a> {
    pub session: &'a Session,
    pub store: Option<RemoteStore>,
}

/// [`super::deliver`], with the sinks.
pub async fn deliver_to_sinks(
    finished: Finished,
    settings: &Settings,
    progress: &Progress,
    sinks: SinkSession<'_>,
) -> Result<Outcome> {
    let mut written = finish::write(finished, settings)?;
    let client = s3::client(sinks.session);
    let mut shown = written.files.clone();
    let mut reports_at = settings.output.dir.display().to_string();
    if let Some(prefix) = &settings.output.upload {
        match s3::upload_reports(&client, &settings.output.dir, &written.files, prefix).await {
            Ok(urls) => {
                shown = urls;
                reports_at = format!("s3://{}/{}", prefix.bucket, prefix.join(""));
            }
            Err(err) => {
                let err = anyhow!(err).context(format!(
                    "the reports are written in {} but not all uploaded; this scan is recorded as failed",
                    settings.output.dir.display()
                ));
                written.failed(&err);
                return Err(err);
            }
        }
    }
    written.complete();
    let mut problems: Vec<String> = Vec::new();
    if let Some(store) = sinks.store.as_ref().filter(|_| !settings.no_store)
        && let Err(err) = store.upload(&client).await
    {
        problems.push(err.to_string());
    }
    if settings.sinks.security_hub {
        import(&written, sinks.session, settings.quiet, &mut problems).await;
    }
    let ended = written.end(settings, progress, &shown);
    let exit_code = match &ended {
        Ok(outcome) if problems.is_empty() => outcome.exit_code(),
        _ => 1,
    };
    if let Some(topic) = &settings.sinks.notify {
        let message = sns::message(&written.report, exit_code, &reports_at, settings.sinks.notify_always);
        if let Some((subject, body)) = message {
            match sns::publish(sinks.session, topic, &subject, &body).await {
                Ok(id) => tracing::info!(topic = %topic.arn, message = %id, "notified"),
                Err(err) => problems.push(err),
            }
        }
    }
    match ended {
        Ok(outcome) if problems.is_empty() => Ok(outcome),
        Ok(_) => Err(anyhow!("{}", problems.join("\n"))),
        Err(err) => {
            for problem in problems {
                eprintln!("bulkhead: {problem}");
            }
            Err(err)
        }
    }
}

async fn import(written: &Written, session: &Session, quiet: bool, problems: &mut Vec<String>) {
    match security_hub::import(session, &written.report).await {
        Ok(imported) => {
            if !quiet || imported.rejected > 0 {
                eprintln!(
                    "bulkhead: Security Hub accepted {} finding(s) and rejected {} ({} call(s))",
                    imported.accepted, imported.rejected, imported.calls
                );
            }
            for reason in &imported.reasons {
                eprintln!("  rejected: {reason}");
            }
        }
        Err(err) => problems.push(format!("{err:#}")),
    }
}
