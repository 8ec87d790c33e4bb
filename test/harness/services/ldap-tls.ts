/**
 * Throw-away TLS material for the harness's slapd, made with `openssl` at every start into the
 * run directory (never cached): a test CA, a server certificate it signs for `localhost` and
 * `127.0.0.1` (not `127.0.0.2`, which slapd also listens on, so a client connecting there sees a
 * certificate for another host), and a second, unrelated CA that verifies nothing here.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HarnessContext } from '../context.js';

const openssl = '/usr/bin/openssl';

export interface LdapTlsFiles {
  /** The CA that signed slapd's certificate (PEM). */
  readonly caFile: string;
  /** A CA that signed nothing slapd presents (PEM): verifying against it must fail. */
  readonly otherCaFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** Names the server certificate is valid for; a client reaching slapd by any other name must refuse it. */
export const ldapCertificateNames = ['DNS:localhost', 'IP:127.0.0.1'] as const;

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'] as const;

async function selfSignedCa(ctx: HarnessContext, dir: string, name: string, commonName: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  await ctx.run(openssl, [
    'req', '-x509', ...ecKey, '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { cert, key };
}

export async function makeLdapTlsFiles(ctx: HarnessContext, dir: string): Promise<LdapTlsFiles> {
  const ca = await selfSignedCa(ctx, dir, 'test-ca', 'Quiver harness test CA');
  const other = await selfSignedCa(ctx, dir, 'other-ca', 'Quiver harness unrelated CA');
  const keyFile = join(dir, 'server.key');
  const csrFile = join(dir, 'server.csr');
  const certFile = join(dir, 'server.pem');
  const extFile = join(dir, 'server.ext');
  writeFileSync(
    extFile,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyAgreement',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${ldapCertificateNames.join(',')}`,
      '',
    ].join('\n'),
  );
  await ctx.run(openssl, ['req', ...ecKey, '-keyout', keyFile, '-out', csrFile, '-subj', '/CN=localhost']);
  await ctx.run(openssl, [
    'x509', '-req', '-in', csrFile, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', `0x${randomBytes(8).toString('hex')}`,
    '-days', '2', '-extfile', extFile, '-out', certFile,
  ]);
  return { caFile: ca.cert, otherCaFile: other.cert, certFile, keyFile };
}
