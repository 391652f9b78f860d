package io.peerlink.node.config;

import java.util.List;

/**
 * A config that cannot be used. Each problem is one line naming the key, the value and what was
 * expected, e.g. {@code peer_rpc_port = "nineteen": expected a port number 1-65535}.
 */
public final class ConfigValidationException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** @param problems one line each; at least one */
  public ConfigValidationException(List<String> problems) {
    super(String.join(System.lineSeparator(), problems));
    this.problems = List.copyOf(problems);
  }

  /** One line per problem, in the order of the keys. */
  public List<String> problems() {
    return problems;
  }
}
