// What a TLS failure to a remote host means for its user: a certificate this machine does not trust (fixed with the
// host's CA file), one for another name, or one out of date — told apart by Node's error codes.

export type CertificateProblem = 'untrusted' | 'wrong_name' | 'out_of_date';

const BY_CODE = new Map<string, CertificateProblem>([
  ['DEPTH_ZERO_SELF_SIGNED_CERT', 'untrusted'],
  ['SELF_SIGNED_CERT_IN_CHAIN', 'untrusted'],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'untrusted'],
  ['UNABLE_TO_GET_ISSUER_CERT', 'untrusted'],
  ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'untrusted'],
  ['CERT_UNTRUSTED', 'untrusted'],
  ['CERT_SIGNATURE_FAILURE', 'untrusted'],
  ['ERR_TLS_CERT_ALTNAME_INVALID', 'wrong_name'],
  ['CERT_HAS_EXPIRED', 'out_of_date'],
  ['CERT_NOT_YET_VALID', 'out_of_date'],
]);

/** The problem with the host's certificate behind `err` (or its cause), or null when it is not one. */
export function certificateProblem(err: unknown): CertificateProblem | null {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    const problem = typeof e.code === 'string' ? BY_CODE.get(e.code) : undefined;
    if (problem) return problem;
  }
  return null;
}

/** A sentence for the problem, and what to do about it, for remote NAME at URL. */
export function certificateAdvice(problem: CertificateProblem, name: string, url: string): { why: string; next: string } {
  const again = `fbay remote add ${name} ${url} --key KEY`;
  switch (problem) {
    case 'untrusted':
      return {
        why: 'presented a certificate this machine does not trust (self-signed, or signed by a CA it does not know)',
        next: `Give the host's CA certificate: \`${again} --ca /path/to/ca.pem --force\`.`,
      };
    case 'wrong_name':
      return { why: "presented a certificate for another host name", next: `Use the host name the certificate names in the URL: \`${again} --force\`.` };
    case 'out_of_date':
      return { why: 'presented a certificate that has expired or is not valid yet', next: "Ask the host's owner to renew it (`fbay config set tls.cert …` there)." };
  }
}
