package io.peerlink.transport.unix;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportProvider;
import java.util.Optional;
import java.util.Set;

/**
 * Unix domain sockets through junixsocket: the {@code unix} scheme, which bare socket paths such
 * as {@code /run/peerlink/master.sock} parse to. Found by {@link java.util.ServiceLoader}.
 *
 * <p>Listening replaces a stale socket file left by a crashed process, refuses a path that holds
 * anything else or a live listener, creates the socket file with
 * {@link io.peerlink.transport.api.ListenOptions#socketFileMode()} (0600 by default) and removes
 * it on close. Accepted connections report the peer's pid, uid and gid through
 * {@link io.peerlink.transport.api.Connection#peerCredentials()}.
 *
 * <p>Constructing the provider never fails; when junixsocket's native library cannot be used
 * here, {@link #isAvailable()} is false and {@link #unavailabilityReason()} says why.
 */
public final class UnixTransportProvider implements TransportProvider {

  /** For {@link java.util.ServiceLoader}. */
  public UnixTransportProvider() {
  }

  @Override
  public Set<String> schemes() {
    return Set.of(Endpoint.UNIX);
  }

  @Override
  public boolean isAvailable() {
    return NativeSupport.unavailabilityReason().isEmpty();
  }

  @Override
  public Optional<String> unavailabilityReason() {
    return NativeSupport.unavailabilityReason();
  }

  @Override
  public Transport create() {
    Optional<String> reason = NativeSupport.unavailabilityReason();
    if (reason.isPresent()) {
      throw new IllegalStateException("the unix transport is unavailable: " + reason.get());
    }
    return new UnixTransport();
  }

  @Override
  public String toString() {
    return "UnixTransportProvider[unix, " + (isAvailable() ? "available" : "unavailable") + "]";
  }
}
