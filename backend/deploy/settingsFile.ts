import { readFile } from 'node:fs/promises';
import { CliError } from '../cli/runCli';
import { describeZodError } from '../core/describeZodError';
import { deploySettingsSchema, type DeploySettings } from './settings';

/**
 * The deploy settings as `npm run deploy` and `destroy` read them: the file (deploy.settings.json by
 * default; optional when flags give what is needed), then the flags over it. A file that is there but
 * broken is named, with the parser's or the schema's own words — never a stack trace.
 */
export async function readDeploySettings(file: string, o: { fileRequired: boolean; overrides?: Record<string, unknown> }): Promise<DeploySettings> {
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    if (o.fileRequired) throw new CliError('setup', `${file} does not exist`, 'Run this where you ran npm run deploy, or name the settings file: --settings <file>.', { cause: e });
  }
  let fromFile: unknown = {};
  if (text !== undefined) {
    try {
      fromFile = JSON.parse(text);
    } catch (e) {
      throw new CliError('setup', `${file} is not valid JSON (${(e as Error).message})`, 'Fix it; deploy.settings.example.json shows the format.', { cause: e });
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) throw new CliError('setup', `${file} must hold one JSON object`, 'deploy.settings.example.json shows the format.');
  }
  const parsed = deploySettingsSchema.safeParse({ ...(fromFile as object), ...o.overrides });
  if (!parsed.success) {
    throw new CliError('setup', `The deploy settings (${text === undefined ? 'flags' : `${file} and flags`}) are incomplete or invalid: ${describeZodError(parsed.error)}`, 'Fix them; deploy.settings.example.json shows every setting.');
  }
  return parsed.data;
}
