package io.peerlink.node.config;

import java.util.List;

/**
 * A config that cannot be used. Each problem is one line naming the key, the value and what was
 * expected, e.g. {@code peer_rpc_port = "nineteen": expected a port number 1-65535}.
 */
public final class ConfigValidationException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /**
   * @param problems one each; at least one. Control characters in them (a value may hold a
   *     quoted "\n", and messages quote values) are written as escapes, so each stays one line.
   */
  public ConfigValidationException(List<String> problems) {
    super(String.join(System.lineSeparator(), oneLineEach(problems)));
    this.problems = oneLineEach(problems);
  }

  private static List<String> oneLineEach(List<String> problems) {
    return problems.stream().map(ConfigValidationException::oneLine).toList();
  }

  // Found by ConfigLoaderFuzzTest: a CR in a socket path reached a problem raw through the
  // endpoint's error message and split it over two lines.
  private static String oneLine(String problem) {
    StringBuilder sb = new StringBuilder(problem.length());
    problem.codePoints().forEach(c -> {
      if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        sb.append(String.format("\\u%04x", c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.toString();
  }

  /** One line per problem, in the order of the keys. */
  public List<String> problems() {
    return problems;
  }
}
