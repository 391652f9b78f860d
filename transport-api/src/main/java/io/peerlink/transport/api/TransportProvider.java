package io.peerlink.transport.api;

import java.util.Optional;
import java.util.Set;

/**
 * A transport module's entry point, found with {@link java.util.ServiceLoader}: a module lists
 * its implementation in {@code META-INF/services/io.peerlink.transport.api.TransportProvider}.
 *
 * <p>Constructing a provider must never throw; a provider that cannot work here (a native library
 * that does not load, say) reports it through {@link #isAvailable()} and
 * {@link #unavailabilityReason()}, computed once and kept.
 */
public interface TransportProvider {

  /** Default {@link #priority()}. */
  int DEFAULT_PRIORITY = 5;

  /** The endpoint schemes this provider serves, lower case, e.g. {@code tcp}. */
  Set<String> schemes();

  /** Whether this provider can create transports on this machine. */
  boolean isAvailable();

  /** Why the provider is unavailable, when it is; empty when available. */
  Optional<String> unavailabilityReason();

  /**
   * Which of two providers of one scheme is used: the higher wins, ties by class name. 0-10.
   */
  default int priority() {
    return DEFAULT_PRIORITY;
  }

  /**
   * A new transport, with threads of its own that {@link Transport#close()} releases.
   *
   * @throws IllegalStateException when the provider is not available, with the reason
   */
  Transport create();
}
