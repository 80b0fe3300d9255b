import { userInfo } from 'node:os';

/**
 * Who the audit log names for a CLI change: `cli:<OS user>`, from $USER, else the account the process runs
 * as. Not proof of anyone: whoever runs the admin CLI holds the table's credentials and could write any
 * entry; the name is for the person reading the log.
 */
export function cliActor(): string {
  let account: string | undefined;
  try {
    account = userInfo().username;
  } catch {
    account = undefined; // no passwd entry for this uid (a container)
  }
  return `cli:${process.env.USER || account || 'unknown'}`;
}
