/**
 * What each failure means to the person, and what to do next (issue: every error code has a human
 * explanation and a next step). Codes come from the verifier (docs/api.md), the desktop, or the
 * ceremony itself.
 */
export interface Explanation {
  title: string;
  detail: string;
  next: string;
}

const TABLE: Record<string, Explanation> = {
  timeout: { title: 'No touch in time', detail: 'The key was not touched before the request ran out.', next: 'Check that your key is plugged in, then try again and touch it when it blinks.' },
  cancelled: { title: 'Cancelled', detail: 'The request for a touch was cancelled. Nothing was run.', next: 'Try again when you are ready.' },
  not_allowed: { title: 'No registered key answered', detail: 'The touch was refused or cancelled at the system prompt, or the key you touched is not one registered here.', next: 'Use one of your registered keys (named below when keylaunch knows them), and touch it when it blinks.' },
  already_registered: { title: 'This key is already registered', detail: 'That key is already one of yours.', next: 'Use a different key as your backup.' },
  unsupported: { title: 'Security keys are not available here', detail: 'This window cannot use security keys.', next: 'Restart keylaunch; if it persists, check the app origin in your config.' },
  credential_unknown: { title: 'Key not registered here', detail: 'The key you touched is not registered to you on this verifier.', next: 'Touch the key you enrolled with, or ask an admin for an invite to enroll this one.' },
  credential_revoked: { title: 'Key revoked', detail: 'This key has been revoked.', next: 'Use another of your keys, or ask an admin for a new invite.' },
  credential_suspended: { title: 'Key suspended', detail: 'This key’s signature counter went backwards, which can mean it was cloned, so it was suspended.', next: 'Use your backup key and tell your security team.' },
  counter_regression: { title: 'Key suspended: possible clone', detail: 'The key reported an older signature counter than before, which can mean it was cloned. It is now suspended.', next: 'Use your backup key and tell your security team.' },
  verification_failed: { title: 'The touch could not be verified', detail: 'The signature did not match this request (another key, another site, or a request that was changed).', next: 'Start again; if it keeps failing, your key may not be the one registered here.' },
  challenge_expired: { title: 'The request expired', detail: 'Approvals are only valid for a short time, and this one ran out before it was confirmed.', next: 'Review it again and touch your key promptly.' },
  challenge_used: { title: 'Already used', detail: 'This approval was already used once; it cannot launch anything again.', next: 'Start a new run if you meant to run it again.' },
  challenge_unknown: { title: 'Unknown request', detail: 'The verifier does not know this approval request.', next: 'Start again.' },
  session_expired: { title: 'Session expired', detail: 'Your unlocked session ended.', next: 'Touch your key to unlock again.' },
  session_invalid: { title: 'Locked', detail: 'This needs an unlocked session.', next: 'Touch your key to unlock.' },
  locked: { title: 'Locked', detail: 'keylaunch locked itself.', next: 'Touch your key to unlock.' },
  not_authorized: { title: 'Not allowed', detail: 'You are not allowed to do this.', next: 'Ask an admin to add you to the job’s policy.' },
  user_disabled: { title: 'Account disabled', detail: 'Your account has been disabled.', next: 'Ask an admin.' },
  invite_invalid: { title: 'Invite code not valid', detail: 'The code is unknown, already used or expired.', next: 'Check the code, or ask an admin for a new one.' },
  user_exists: { title: 'Already enrolled', detail: 'A user with this name already exists.', next: 'Unlock with your key instead, or ask an admin.' },
  job_unknown: { title: 'No such job', detail: 'This job is not in the catalog any more.', next: 'Go back to the job list.' },
  job_unavailable: { title: 'Job unavailable', detail: 'This job’s configuration is invalid.', next: 'Ask the job’s owner to fix its definition.' },
  job_config_changed: { title: 'The job changed', detail: 'The job’s configuration changed between your touch and the launch, so nothing was run.', next: 'Review what will run now, and approve again.' },
  spot_price_too_high: { title: 'Spot price too high', detail: 'The current spot price is above this job’s maximum, so nothing was launched.', next: 'Try again later, or ask for a higher maximum.' },
  params_invalid: { title: 'Parameters not accepted', detail: 'Some parameters do not fit the job’s rules.', next: 'Fix the marked fields.' },
  rate_limited: { title: 'Too many failed attempts', detail: 'The verifier is slowing down requests after repeated failures.', next: 'Wait a few minutes and try again.' },
  run_outcome_unknown: {
    title: 'Did the job start?',
    detail: 'You approved the run, but the verifier’s answer was lost, so keylaunch cannot tell yet whether the job started. It did not send your approval again.',
    next: 'Check again; the run shows here once the verifier has it. Do not start a new run until you know whether this one ran.',
  },
  verifier_unreachable: { title: 'Verifier unreachable', detail: 'keylaunch cannot reach its verifier.', next: 'Check your network (and for local mode, that `npm start` is running), then retry.' },
  certificate_mismatch: { title: 'Wrong verifier certificate', detail: 'The verifier’s certificate does not match the pinned key. This can be an interception attempt.', next: 'Do not continue; tell your security team.' },
  config_invalid: { title: 'The desktop config is not valid', detail: 'keylaunch could not use its config file.', next: 'Import the config file your admin gave you again, or ask them for a new one.' },
  second_approval_required: { title: 'A second admin must approve this', detail: 'With more than one admin, making someone an admin takes another admin’s touch.', next: 'Invite them as operator, then make them an admin: another admin approves it in Admin.' },
  last_key: { title: 'This is your last usable key', detail: 'Revoking it would leave you no key to unlock with.', next: 'Add a backup key first, or confirm that you mean to lock yourself out.' },
  config_locked: { title: 'This config cannot be replaced here', detail: 'keylaunch uses the config it was built or started with.', next: 'Ask your admin for the right keylaunch build, or start it without --keylaunch-config.' },
  approval_declined: { title: 'Declined', detail: 'You declined it in keylaunch’s review window. Nothing was approved or run.', next: 'Start again if you meant to approve it.' },
  approval_pending: { title: 'A review is already open', detail: 'keylaunch is waiting for your answer in another review window.', next: 'Answer that window first.' },
  approval_not_accepted: { title: 'Not approved in keylaunch’s review', detail: 'This request was not the one keylaunch showed you and you accepted, so it was not sent. This can mean something in the app is misbehaving.', next: 'Start again; if it happens again, tell your security team.' },
  client_outdated: { title: 'This keylaunch is too old', detail: 'The verifier no longer accepts this version of the desktop app, usually because a newer one fixes a security problem.', next: 'Install the newer keylaunch your admin provides.' },
  config_missing: { title: 'Not set up', detail: 'keylaunch has no verifier config yet.', next: 'Import the config file your admin gave you.' },
  launch_failed: { title: 'The job could not start', detail: 'The launcher could not start this job.', next: 'See the details below, and tell the job’s owner.' },
  access_denied: { title: 'The verifier may not launch this', detail: 'AWS refused the launch: the verifier’s role lacks a permission this job needs.', next: 'Ask whoever deployed keylaunch to redeploy with this job in the catalog (permissions come from it).' },
  throttled: { title: 'AWS is throttling requests', detail: 'AWS kept refusing the launch as too many requests, even after retries. Nothing was launched.', next: 'Wait a minute and run it again.' },
  insufficient_capacity: { title: 'No capacity for this instance type', detail: 'EC2 has no capacity for this instance type right now. Nothing was launched.', next: 'Try again later, or ask for another instance type or zone in the launch template.' },
  launch_template_missing: { title: 'Launch template not found', detail: 'The job’s EC2 launch template does not exist (or that version does not).', next: 'Tell the job’s owner to fix the job definition.' },
  function_not_found: { title: 'Lambda function not found', detail: 'The job’s Lambda function does not exist in this account and region.', next: 'Tell the job’s owner to fix the job definition.' },
  source_identity_invalid: { title: 'Your name cannot be shown to AWS', detail: 'AWS records who approved each launch by name, and yours has characters or a length it does not accept (2–64 letters, digits or _+=,.@-). Nothing was launched.', next: 'Ask an admin to give you a name AWS accepts.' },
  aws_answer_invalid: { title: 'AWS answered something unexpected', detail: 'AWS’s answer about this run was missing something keylaunch needs, so it could not be read.', next: 'Open the console link, and tell your admin if it persists.' },
  // Issue 16: several people's approvals, and proposals (docs/api.md "Approvals", "Proposals").
  approval_unknown: { title: 'No such request', detail: 'This request does not exist, or it is not one you can see.', next: 'Go back to the list of requests waiting for you.' },
  approval_not_eligible: { title: 'Not yours to decide', detail: 'You may neither run this job nor belong to a group its approvals need.', next: 'Leave it to the people the job names.' },
  approval_self: { title: 'You cannot approve your own request', detail: 'This job needs other people to approve what you asked for.', next: 'Wait for another person to approve it.' },
  approval_duplicate: { title: 'You already approved this', detail: 'One person counts once, whichever of their keys they touch.', next: 'Wait for the other approvers.' },
  approval_mismatch: { title: 'That approval was for another request', detail: 'The touch was asked for a different request, so it approved nothing here.', next: 'Open the request again and approve it from there.' },
  approval_closed: { title: 'This request is closed', detail: 'It already launched its run, or it ended.', next: 'See the request for what happened.' },
  approval_expired: { title: 'This request expired', detail: 'Not enough people approved it in time. Nothing was run.', next: 'Ask for the run again if it is still needed.' },
  approval_rejected: { title: 'This request was rejected', detail: 'Someone rejected it, so it will not run.', next: 'Talk to them, and ask again if it is still needed.' },
  approval_job_changed: { title: 'The job changed', detail: 'The job’s configuration changed after the request, so what was approved cannot run. The request has ended.', next: 'Ask for the run again and review it anew.' },
  approval_approver_invalid: { title: 'An approval no longer holds', detail: 'Someone who approved (or asked) was disabled, lost their key or their right to decide, so nothing was run. The request has ended.', next: 'Ask for the run again.' },
  approval_request_changed: { title: 'The request was altered', detail: 'The stored request is not the one you were asked to approve. Nothing was approved or run.', next: 'Do not approve it; tell your security team.' },
  approval_busy: { title: 'Too many decisions at once', detail: 'Many people decided on this request at the same moment.', next: 'Try again.' },
  proposer_invalid: { title: 'Proposer token not valid', detail: 'The proposer token is unknown, expired or revoked.', next: 'Ask an admin for a new proposer token.' },
  proposer_not_allowed: { title: 'Not a job this token may propose', detail: 'The proposer token does not name this job, or the job takes secrets or an MFA code.', next: 'Ask an admin to issue a token for this job.' },
  verifier_restarted: { title: 'Outcome unknown', detail: 'The verifier stopped while this job was running, so how it ended was not recorded.', next: 'Check what the job did before running it again.' },
  job_failed: { title: 'The job failed', detail: 'The job started but ended with an error.', next: 'See its output below.' },
  run_not_running: { title: 'Nothing to stop', detail: 'This run has already ended, so there is nothing to cancel.', next: 'See how it ended on the run page.' },
  cancel_unsupported: { title: 'This run cannot be stopped here', detail: 'Runs of this kind cannot be stopped from keylaunch.', next: 'Stop it in the service’s console if you must.' },
  cancel_failed: { title: 'The run could not be stopped', detail: 'The launcher or its service refused or failed to stop the run; it may still be running.', next: 'Check the run, try again, or stop it in the service’s console.' },
  output_unavailable: { title: 'Output not available right now', detail: 'The service that keeps this run’s output could not be asked.', next: 'Try again shortly, or open the console link.' },
  ip_not_allowed: { title: 'Network not allowed', detail: 'The verifier does not accept requests from your network.', next: 'Connect from an allowed network (e.g. the VPN).' },
  origin_not_allowed: { title: 'Request refused as cross-site', detail: 'The verifier refuses requests made from a web page or another site.', next: 'Use the keylaunch app itself; if this came from the app, tell your admin.' },
  host_not_allowed: { title: 'Verifier address not accepted', detail: 'The local verifier answers only at its own loopback address and port.', next: 'Use the verifierUrl that `npm start` wrote to the desktop config.' },
  unsupported_media_type: { title: 'Request format refused', detail: 'The verifier accepts only JSON request bodies.', next: 'Update keylaunch; if it persists, tell your admin.' },
  storage_unavailable: { title: 'Verifier storage unavailable', detail: 'The verifier could not reach its storage.', next: 'Try again shortly.' },
};

export function explain(code: string, details?: Record<string, unknown>): Explanation {
  const base = TABLE[code] ?? { title: 'Something went wrong', detail: `The request failed (${code}).`, next: 'Try again; if it persists, tell your admin.' };
  if (code === 'spot_price_too_high' && details && 'currentPrice' in details && 'maxPrice' in details) {
    return { ...base, detail: `The current spot price is $${String(details.currentPrice)}/h, above this job’s maximum of $${String(details.maxPrice)}/h, so nothing was launched.` };
  }
  if (code === 'client_outdated' && typeof details?.minimumVersion === 'string') {
    return { ...base, next: `Install keylaunch ${details.minimumVersion} or newer (from your admin).` };
  }
  if (code === 'rate_limited' && typeof details?.retryAfterSeconds === 'number') {
    return { ...base, next: `Wait about ${Math.ceil(details.retryAfterSeconds / 60)} minute(s) and try again.` };
  }
  return base;
}

export const EXPLAINED_CODES = Object.keys(TABLE);
