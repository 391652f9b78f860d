package io.peerlink.transport.tcp;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TlsOptions;
import io.peerlink.transport.api.TransportException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Netty TLS contexts from {@link TlsOptions} (PEM files): mutual authentication, TLS 1.3 and 1.2
 * only. Clients verify the server's certificate against the endpoint they dialled (hostname
 * verification, "HTTPS" rules): peers addressed by IP need an IP subject alternative name.
 *
 * <p>Client contexts are built once per {@link TlsOptions} and kept for the transport's life: a
 * node dials the same peers with the same settings again and again. Rotated files take effect for
 * a new transport (listeners read the files when they start).
 */
final class TlsContexts {

  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final ConcurrentHashMap<TlsOptions, SslContext> clients = new ConcurrentHashMap<>();

  static SslContext server(Endpoint endpoint, TlsOptions tls) throws TransportException {
    check(endpoint, tls, TransportException.Kind.BIND_FAILED);
    try {
      return SslContextBuilder.forServer(tls.certificateChain().toFile(), tls.privateKey().toFile())
          .trustManager(tls.trustedCertificates().toFile())
          .clientAuth(ClientAuth.REQUIRE)
          .protocols(PROTOCOLS)
          .build();
    } catch (Exception e) {
      throw new TransportException(endpoint, TransportException.Kind.BIND_FAILED,
          "cannot listen: the TLS settings are not usable (" + describe(tls) + "): " + e.getMessage(), e);
    }
  }

  SslContext client(Endpoint endpoint, TlsOptions tls) throws TransportException {
    SslContext cached = clients.get(tls);
    if (cached != null) {
      return cached;
    }
    check(endpoint, tls, TransportException.Kind.IO);
    SslContext built;
    try {
      built = SslContextBuilder.forClient()
          .keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile())
          .trustManager(tls.trustedCertificates().toFile())
          .endpointIdentificationAlgorithm("HTTPS")
          .protocols(PROTOCOLS)
          .build();
    } catch (Exception e) {
      throw new TransportException(endpoint, TransportException.Kind.IO,
          "the TLS settings are not usable (" + describe(tls) + "): " + e.getMessage(), e);
    }
    SslContext raced = clients.putIfAbsent(tls, built);
    return raced != null ? raced : built;
  }

  /** Throws unless TLS settings are given, for endpoints of the tls scheme. */
  static TlsOptions require(Endpoint endpoint, TlsOptions tls, String optionsType, TransportException.Kind kind)
      throws TransportException {
    if (tls == null) {
      throw new TransportException(endpoint, kind, "TLS settings are missing: a tls:// endpoint "
          + "needs " + optionsType + ".withTls(new TlsOptions(certificateChain, privateKey, trustedCertificates))");
    }
    return tls;
  }

  private static void check(Endpoint endpoint, TlsOptions tls, TransportException.Kind kind)
      throws TransportException {
    for (Path p : new Path[] {tls.certificateChain(), tls.privateKey(), tls.trustedCertificates()}) {
      if (!Files.isReadable(p)) {
        throw new TransportException(endpoint, kind, "TLS file " + p + " is missing or not "
            + "readable (" + describe(tls) + ")");
      }
    }
  }

  private static String describe(TlsOptions tls) {
    return "certificate chain " + tls.certificateChain() + ", private key " + tls.privateKey()
        + ", trusted certificates " + tls.trustedCertificates();
  }
}
