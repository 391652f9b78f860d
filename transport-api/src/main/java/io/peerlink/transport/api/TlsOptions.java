package io.peerlink.transport.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS with mutual authentication, from PEM files, for transports that support it (transport-tcp
 * serves it under the {@code tls} scheme). Both sides present a certificate and check the other's
 * against the trusted CA certificates.
 *
 * @param certificateChain PEM certificate chain of this side
 * @param privateKey PEM (PKCS#8) private key of this side
 * @param trustedCertificates PEM CA certificates that the other side's certificate must chain to
 */
public record TlsOptions(Path certificateChain, Path privateKey, Path trustedCertificates) {

  /** Requires all three paths. */
  public TlsOptions {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(trustedCertificates, "trustedCertificates");
  }
}
