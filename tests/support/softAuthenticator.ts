import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { CreationOptions, RequestOptions } from '../../backend/core/webauthn';
import { cbor, type Cbor } from './cbor';

/**
 * A software FIDO2 authenticator producing real ES256 signatures over real authenticator data, so the
 * verifier's checks run against genuine WebAuthn payloads. Each knob makes one failure case:
 * a wrong origin, rpId or ceremony type, no user presence, a chosen counter, another key.
 */
interface SoftCredential {
  id: Buffer;
  privateKey: KeyObject;
  cose: Buffer;
  counter: number;
  userHandle: string;
}

export interface CeremonyTweaks {
  origin?: string;
  rpId?: string;
  type?: string;
  up?: boolean;
  uv?: boolean;
  /** Report this counter instead of the next one. */
  counter?: number;
  /** Sign with this credential (base64url id) even if the options do not list it. */
  credentialId?: string;
  /** Members merged into clientDataJSON before signing (e.g. `crossOrigin: true`), signed as sent. */
  clientData?: Record<string, unknown>;
}

const b64u = (b: Buffer) => b.toString('base64url');
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();

export class SoftAuthenticator {
  readonly credentials = new Map<string, SoftCredential>();

  constructor(
    private readonly origin: string,
    private readonly options: { countsSignatures?: boolean; aaguid?: Buffer } = {},
  ) {}

  register(options: CreationOptions, tweaks: CeremonyTweaks = {}): RegistrationResponseJSON {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = cbor(new Map<number, number | Uint8Array>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')]]));
    const id = randomBytes(32);
    const credential: SoftCredential = { id, privateKey, cose, counter: 0, userHandle: options.user.id };
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      this.authDataHead(tweaks.rpId ?? options.rp.id!, tweaks, 0x40, tweaks.counter ?? 0),
      this.options.aaguid ?? Buffer.alloc(16),
      idLength,
      id,
      cose,
    ]);
    const clientDataJSON = this.clientData(tweaks.type ?? 'webauthn.create', options.challenge, tweaks);
    const attestationObject = cbor(new Map<string, Cbor>([['fmt', 'none'], ['attStmt', new Map<string, Cbor>()], ['authData', authData]]));
    this.credentials.set(b64u(id), credential);
    return {
      id: b64u(id),
      rawId: b64u(id),
      type: 'public-key',
      response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject), transports: ['usb'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'cross-platform',
    };
  }

  assert(options: RequestOptions, tweaks: CeremonyTweaks = {}): AuthenticationResponseJSON {
    const allowed = (options.allowCredentials ?? []).map((c) => c.id);
    const id = tweaks.credentialId ?? allowed.find((a) => this.credentials.has(a));
    const credential = id ? this.credentials.get(id) : undefined;
    if (!credential) throw new Error('SoftAuthenticator: no credential for these options');
    if (tweaks.counter === undefined && this.options.countsSignatures !== false) credential.counter += 1;
    const counter = tweaks.counter ?? (this.options.countsSignatures === false ? 0 : credential.counter);
    const authData = this.authDataHead(tweaks.rpId ?? options.rpId!, tweaks, 0, counter);
    const clientDataJSON = this.clientData(tweaks.type ?? 'webauthn.get', options.challenge, tweaks);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: b64u(credential.id),
      rawId: b64u(credential.id),
      type: 'public-key',
      response: {
        authenticatorData: b64u(authData),
        clientDataJSON: b64u(clientDataJSON),
        signature: b64u(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'cross-platform',
    };
  }

  private authDataHead(rpId: string, tweaks: CeremonyTweaks, extraFlags: number, counter: number): Buffer {
    const flags = (tweaks.up === false ? 0 : 0x01) | (tweaks.uv ? 0x04 : 0) | extraFlags;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count]);
  }

  private clientData(type: string, challenge: string, tweaks: CeremonyTweaks): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: tweaks.origin ?? this.origin, crossOrigin: false, ...tweaks.clientData }));
  }
}
