import { handleApiRequest, type ApiRequest, type ApiResponse } from './api/handleApiRequest';
import { createIpAllowlist } from './core/network';
import { createRateLimiter } from './core/rateLimit';
import { randomPool } from './core/randomPool';
import type { VerifierDeps } from './core/deps';
import type { Clock, Random } from './core/ports';

export interface Verifier {
  handle(request: ApiRequest): Promise<ApiResponse>;
}

/** The verifier's composition root: the core over its ports, behind the one request handler. */
export function createVerifier(
  deps: Omit<VerifierDeps, 'log'> & { log?: VerifierDeps['log']; emit?: (record: Record<string, unknown>) => void },
): Verifier {
  const api = {
    ...deps,
    rateLimiter: createRateLimiter(deps),
    isAllowedIp: createIpAllowlist(deps.config.allowedCidrs),
    log: deps.log ?? ((message: string, error?: unknown) => console.error(`[keylaunch] ${message}`, error ?? '')),
    // One JSON object per line on stdout: CloudWatch Logs in Lambda reads it as EMF (a metric).
    emit: deps.emit ?? ((record: Record<string, unknown>) => console.log(JSON.stringify(record))),
  };
  return { handle: (request) => handleApiRequest(api, request) };
}

export const systemClock: Clock = { now: () => Date.now() };
export const systemRandom: Random = randomPool();
