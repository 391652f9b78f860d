package io.peerlink.transport.api;

import java.util.Optional;

/** {@link AccessPolicy#allowAll()}: one instance, so transports can skip the check. */
final class AllowAll implements AccessPolicy {
  static final AllowAll INSTANCE = new AllowAll();

  private AllowAll() {
  }

  @Override
  public Optional<String> refusal(Endpoint remote, Optional<PeerCredentials> credentials) {
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "allow all";
  }
}
