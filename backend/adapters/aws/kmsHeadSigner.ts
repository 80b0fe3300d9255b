import type { HeadSigner } from '../../core/ports';
import type { SignedJsonClient } from './signedJsonClient';

/**
 * The audit head signer in AWS: kms:Sign with the stack's asymmetric key (ECC_NIST_P256,
 * ECDSA_SHA_256) over the small signed client, so a cold start loads no KMS SDK. The private key never
 * leaves KMS; `npm run verify -- audit` checks with its public key (kms:GetPublicKey, or a file).
 */
export function kmsHeadSigner(kms: SignedJsonClient, keyId: string): HeadSigner {
  return {
    keyId,
    async sign(message) {
      const out = await kms.call<{ Signature?: string }>('Sign', { KeyId: keyId, Message: message.toString('base64'), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' });
      if (typeof out.Signature !== 'string' || out.Signature === '') throw new Error('KMS Sign answered without a signature');
      return Buffer.from(out.Signature, 'base64');
    },
  };
}
